"""Match records: what the match function reads and writes, and what a change of a signal does to
the copies the other sides keep of it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from functools import partial

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.items import item_to_signal, professional_to_map
from chalicelib.adapters.dynamodb.match_items import item_to_match, match_to_item, municipal_match_to_item
from chalicelib.adapters.dynamodb.table import Item, Table, again_when_busy
from chalicelib.domain.matching import Match, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Signal
from chalicelib.ports import ChildPartition


class _Newer(Exception):
    """The copy holds this version of the signal or a newer one, or is gone: nothing to refresh."""


def _newer(_: Item | None) -> Exception:
    return _Newer()


class DynamoDBMatchStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def child_partition(self, child_pseudonym: str) -> ChildPartition:
        """One strongly consistent Query of the child's partition."""
        signals: list[Signal] = []
        matches: list[Match] = []
        sent: dict[tuple[str, str], str] = {}
        for item in self._table.query("pk = :pk", {":pk": keys.child_pk(child_pseudonym)}, ConsistentRead=True):
            kind = item.get("item_type")
            if kind == keys.SIGNAL:
                signals.append(item_to_signal(item))
            elif kind == keys.MATCH:
                matches.append(item_to_match(item))
            elif kind == keys.NOTIFICATION:
                sent[(item["new_signal_id"], item["recipient_key"])] = item["status"]
        return ChildPartition(signals, matches, sent)

    def signals_at_address(self, address_pseudonym: str) -> list[Signal]:
        """The by-address index (keys only), then the signals it names."""
        found = self._table.query("addr = :address", {":address": address_pseudonym}, IndexName=keys.BY_ADDRESS)
        return [item_to_signal(item) for item in self._table.fetch(found)]

    def signals_with_parent(self, parent_pseudonym: str) -> list[Signal]:
        """The signals whose child has this parent: the keys-only by-parent index names them, a
        GetItem each reads them (a family has a handful)."""
        found = self._table.query("parent_pseudonym = :parent", {":parent": parent_pseudonym}, IndexName=keys.BY_PARENT)
        signals = []
        for link in found:
            item = self._table.get(keys.signal_key(keys.child_of(link["pk"]), keys.signal_of_parent_link(link["sk"])))
            if item is not None:
                signals.append(item_to_signal(item))
        return signals

    def save_matches(self, new_signal_id: str, records: list[Match], municipal: Sequence[MunicipalMatch] = ()) -> None:
        """Idempotent puts, in two batches: the counterparts' records and the municipality's
        follow-up records first, then the records shown with the new signal. The match function
        takes the presence of the latter as proof that the former landed, so a batch cut short
        (unprocessed items, a crash) is written again on redelivery, and a complete one never is.
        """
        put = self._table.put_request
        first = [put(match_to_item(m)) for m in records if m.signal_id != new_signal_id]
        self._table.batch_write(first + [put(municipal_match_to_item(m)) for m in municipal])
        self._table.batch_write([put(match_to_item(m)) for m in records if m.signal_id == new_signal_id])

    def refresh_counterparts(self, read: SignalWithMatches) -> None:
        """Bring the other side's snapshot of the signal up to date: its professional and dates.

        Best effort after the change itself. Each snapshot carries the version it was taken from
        and is only ever replaced by a newer one, so when two changes of the signal refresh at the
        same time the later change wins, whichever refresh lands last. A counterpart deleted
        meanwhile is simply skipped.
        """
        signal = read.signal
        for match in read.matches:
            values: Item = {
                ":professional": professional_to_map(signal.professional),
                ":active_until": signal.active_until.isoformat(),
                ":delete_after": signal.delete_after.isoformat(),
                ":version": signal.version,
            }
            expression = (
                "SET other_pro = :professional, other_active_until = :active_until, "
                "other_delete_after = :delete_after, other_version = :version"
            )
            if signal.archived_on is not None:
                expression += ", other_archived_on = :archived_on"
                values[":archived_on"] = signal.archived_on.isoformat()
            refresh = self._table.update(
                keys.match_key(match.other.child_pseudonym, match.other.signal_id, match.id),
                expression,
                "attribute_exists(pk) AND (attribute_not_exists(other_version) OR other_version < :version)",
                values,
                refused=_newer,
            )
            with contextlib.suppress(_Newer):
                again_when_busy(partial(self._table.write, refresh))
            if match.municipality_code:
                self._refresh_municipal_side(match.municipality_code, match.id, signal)

    def _refresh_municipal_side(self, municipality_code: str, match_id: str, signal: Signal) -> None:
        """The regievoerder's record names the professionals too: keep this signal's current,
        never replacing a newer version's professional with an older one's."""
        key = keys.municipal_match_key(municipality_code, match_id)
        record = self._table.get(key)
        if record is None:
            return
        for index, side in enumerate(record["sides"]):
            if side["sid"] != signal.id:
                continue
            path = f"sides[{index}]"
            refresh = self._table.update(
                key,
                f"SET {path}.pro = :professional, {path}.ver = :version",
                f"{path}.sid = :id AND (attribute_not_exists({path}.ver) OR {path}.ver < :version)",
                {
                    ":professional": professional_to_map(signal.professional),
                    ":version": signal.version,
                    ":id": signal.id,
                },
                refused=_newer,
            )
            with contextlib.suppress(_Newer):
                again_when_busy(partial(self._table.write, refresh))

    def delete_derived(self, read: SignalWithMatches) -> None:
        """Delete what derives from a deleted signal: its match records on both sides, the
        regievoerder's records, and the ledger entries of mails filed under it or sent to its
        professional about another signal."""
        signal = read.signal
        found: list[Item] = []
        for match in read.matches:
            other = match.other
            found.append(keys.match_key(signal.child_pseudonym.value, signal.id, match.id))
            found.append(keys.match_key(other.child_pseudonym, other.signal_id, match.id))
            found.append(keys.notification_key(other.child_pseudonym, other.signal_id, f"signal:{signal.id}"))
            if match.municipality_code:
                found.append(keys.municipal_match_key(match.municipality_code, match.id))
        found += self._table.query(
            "pk = :pk AND begins_with(sk, :prefix)",
            {":pk": keys.child_pk(signal.child_pseudonym.value), ":prefix": keys.notifications_of(signal.id)},
            ProjectionExpression="pk, sk",
        )
        self._table.batch_write([self._table.delete_request(key) for key in found])
