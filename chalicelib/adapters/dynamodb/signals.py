"""Signals, partitioned by child pseudonym: one Query reads everything about a child."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.idempotency import DynamoDBIdempotency
from chalicelib.adapters.dynamodb.items import (
    expiry_epoch,
    guard_to_item,
    item_to_signal,
    parent_link_items,
    professional_to_map,
    signal_to_item,
)
from chalicelib.adapters.dynamodb.logbook import NEW, DynamoDBLogbook
from chalicelib.adapters.dynamodb.match_items import item_to_match
from chalicelib.adapters.dynamodb.matches import DynamoDBMatchStore
from chalicelib.adapters.dynamodb.table import Item, Table, Write
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import Match, SignalWithMatches
from chalicelib.domain.model import Professional, Signal, SignalStatus
from chalicelib.ports import IdempotencyRecord, SignalPage

CHANGED_MEANWHILE = "the signal was changed meanwhile; retry"


class DynamoDBSignalStore:
    def __init__(
        self, table: Table, logbook: DynamoDBLogbook, idempotency: DynamoDBIdempotency, matches: DynamoDBMatchStore
    ) -> None:
        self._table = table
        self._logbook = logbook
        self._idempotency = idempotency
        self._matches = matches

    def add(self, signal: Signal, today: date, idempotency: IdempotencyRecord | None, log: LogEntry) -> None:
        writes = [] if idempotency is None else [self._idempotency.put(idempotency, log.at)]
        writes += [
            # An expired guard (active period over) may be taken over by the new signal.
            self._table.put(
                guard_to_item(signal),
                "attribute_not_exists(pk) OR active_until < :today",
                {":today": today.isoformat()},
                refused=lambda guard: DuplicateActiveSignal(guard["held_by"] if guard else ""),
            ),
            self._table.put(signal_to_item(signal), NEW),
            *(self._table.put(link) for link in parent_link_items(signal)),
            self._logbook.put(log),
        ]
        # The idempotency record goes first: a retry of the same request is a replay, not a duplicate.
        self._table.transact(writes, busy="a concurrent request changed this child's signals; retry")

    def get(self, signal_id: str) -> SignalWithMatches | None:
        """The by-id index (keys only) tells the child's partition, which holds the signal and the
        match records shown with it."""
        for found in self._table.query("signal_id = :id", {":id": signal_id}, IndexName=keys.BY_ID):
            return self._read(found["pk"], signal_id)
        return None

    def reload(self, signal: Signal) -> SignalWithMatches | None:
        return self.load(signal.child_pseudonym.value, signal.id)

    def load(self, child_pseudonym: str, signal_id: str) -> SignalWithMatches | None:
        return self._read(keys.child_pk(child_pseudonym), signal_id)

    def _read(self, pk: str, signal_id: str) -> SignalWithMatches | None:
        """One strongly consistent Query of the child's partition, where an index may lag."""
        found = self._table.query(
            "pk = :pk",
            {":pk": pk, ":id": signal_id},
            FilterExpression="signal_id = :id OR owner_id = :id",
            ConsistentRead=True,
        )
        return _with_matches(found)

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None:
        return self._idempotency.get(organisation_id, key)

    def list_for_organisation(
        self, organisation_id: str, status: SignalStatus | None, today: date, limit: int, after: str | None
    ) -> SignalPage:
        condition = "org_id = :org"
        values: Item = {":org": organisation_id, ":kept": expiry_epoch(today), ":match": keys.MATCH}
        if after is not None:
            condition += " AND created_sort < :after"
            values[":after"] = after
        # Status is a function of the dates and today, so it is filtered here, not stored. A
        # signal's match records sort just before it (newest first) and pass the filter.
        filters = ["#ttl >= :kept"]  # delete_after >= today
        if status is not None:
            values[":today"] = today.isoformat()
        if status is SignalStatus.ACTIVE:
            filters.append("active_until >= :today AND attribute_not_exists(archived_on)")
        elif status is SignalStatus.ARCHIVED:
            filters.append("(active_until < :today OR attribute_exists(archived_on))")
        # The index projects the keys and what the filter reads; the page's items are then fetched.
        entries: list[Item] = []
        signals = 0
        for entry in self._table.query(
            condition,
            values,
            IndexName=keys.BY_ORGANISATION,
            FilterExpression=f"item_type = :match OR ({' AND '.join(filters)})",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ScanIndexForward=False,
            Limit=limit + 1,
        ):
            entries.append(entry)
            if entry.get("item_type") == keys.SIGNAL:
                signals += 1
                if signals > limit:
                    break
        found: list[Signal] = []
        matches: dict[str, list[Match]] = {}
        for item in self._table.fetch(entries):
            if item.get("item_type") == keys.MATCH:
                match = item_to_match(item)
                matches.setdefault(match.signal_id, []).append(match)
            else:
                found.append(item_to_signal(item))
        page = [SignalWithMatches.of(s, matches.get(s.id, [])) for s in found[:limit]]
        last = page[-1].signal if len(found) > limit else None
        return SignalPage(page, keys.created_sort(last.created_at, last.id) if last else None)

    # Changes: each stored as the next version of the one read ------------------------------------

    def archive(self, read: SignalWithMatches, archived: Signal, log: LogEntry) -> None:
        signal = read.signal
        stored = replace(archived, version=signal.version + 1)
        # Archived after its active period (the nightly job): its guard has expired already.
        expired = archived.archived_on is not None and signal.active_until < archived.archived_on
        guard = [] if expired else self._release_guard(signal)
        self._change([self._versioned_put(signal, stored), *guard, self._logbook.put(log)])
        self._matches.refresh_counterparts(read.changed(stored))

    def replace_professional(self, read: SignalWithMatches, professional: Professional, log: LogEntry) -> None:
        signal = read.signal
        condition, values = _version_condition(signal)
        update = self._table.update(
            keys.signal_key(signal.child_pseudonym.value, signal.id),
            "SET pro = :professional, version = :next",
            condition,
            values | {":professional": professional_to_map(professional), ":next": signal.version + 1},
            refused=_gone_or_changed,
        )
        self._change([update, self._logbook.put(log)])
        self._matches.refresh_counterparts(
            read.changed(replace(signal, professional=professional, version=signal.version + 1))
        )

    def replace_signals(self, updated: Sequence[SignalWithMatches], log: LogEntry) -> list[SignalWithMatches]:
        """Rewrite a child's signals (a correction of the child's data, a recheck) and log it, all at
        once, with their parent links: a recheck's verification brings the parents, and a corrected
        birth date moves the links' TTL with the signal's. No change ever drops a parent."""
        stored = [read.changed(replace(read.signal, version=read.signal.version + 1)) for read in updated]
        writes: list[Write] = []
        for old, new in zip(updated, stored, strict=True):
            writes.append(self._versioned_put(old.signal, new.signal))
            writes += [self._table.put(link) for link in parent_link_items(new.signal)]
        self._change([*writes, self._logbook.put(log)])
        for read in stored:
            self._matches.refresh_counterparts(read)
        return stored

    def delete(self, read: SignalWithMatches, log: LogEntry) -> None:
        """Delete the signal, its guard and log line at once, then everything derived from it.

        The derived items (match records on both sides, e-mail ledger entries) go second: a
        failure there leaves records that name a signal which no longer exists, never a signal
        without its log line; they carry a TTL as the backstop and a retry removes them.
        """
        signal = read.signal
        delete = self._table.delete(
            keys.signal_key(signal.child_pseudonym.value, signal.id),
            "attribute_exists(pk)",
            refused=lambda _: NotFound("no such signal"),
        )
        links = [
            self._table.delete(keys.parent_link_key(signal.child_pseudonym.value, signal.id, parent.value))
            for parent in signal.parent_pseudonyms
        ]
        self._change([delete, *links, *self._release_guard(signal), self._logbook.put(log)])
        self._matches.delete_derived(read)
        if signal.idempotency_key is not None:
            self._idempotency.delete(signal.organisation.id, signal.idempotency_key)

    def _change(self, writes: list[Write]) -> None:
        """Any other write of the transaction refused, or lost to another one: ``Conflict``."""
        self._table.transact(writes, busy=CHANGED_MEANWHILE)

    def _versioned_put(self, signal: Signal, stored: Signal) -> Write:
        """Put ``stored`` in place of ``signal``, if ``signal`` is still the version stored."""
        condition, values = _version_condition(signal)
        return self._table.put(signal_to_item(stored), condition, values, refused=_gone_or_changed)

    def _release_guard(self, signal: Signal) -> list[Write]:
        """Delete the guard only if it still belongs to this signal (a newer one may own it).

        A guard taken over by a newer signal (after this one's active period) is left out of the
        transaction: a failing condition would cancel the whole write, so an expired signal could
        never be archived or deleted. Signal ids are unique, so such a guard never becomes this
        signal's again; one that changes hands after this read fails the condition (``Conflict``).
        """
        key = keys.guard_key(signal.child_pseudonym.value, signal.organisation.id)
        current = self._table.get(key)
        if current is None or current.get("held_by") != signal.id:
            return []
        return [self._table.delete(key, "held_by = :id", {":id": signal.id})]

    def due_signals(self, today: date) -> list[Signal]:
        """Signals the lifecycle job must act on by ``today``, missed days included.

        One Query per shard of the due-date index (keys only), then the signals it names: the cost
        follows the number of items due, not the size of the table.
        """
        found: list[Item] = []
        for shard in keys.due_shards():
            found += self._table.query(
                "due_shard = :shard AND due_key < :upper",
                {":shard": shard, ":upper": keys.due_after(today)},
                IndexName=keys.BY_DUE,
            )
        return [item_to_signal(item) for item in self._table.fetch(found)]


def _with_matches(items: Iterable[Item]) -> SignalWithMatches | None:
    signal = None
    matches = []
    for item in items:
        if item.get("item_type") == keys.SIGNAL:
            signal = item_to_signal(item)
        elif item.get("item_type") == keys.MATCH:
            matches.append(item_to_match(item))
    return SignalWithMatches.of(signal, matches) if signal is not None else None


def _version_condition(signal: Signal) -> tuple[str, Item]:
    """The condition that ``signal`` is stored in the version it was read in, and its values."""
    if signal.version == 0:
        return "attribute_exists(pk) AND attribute_not_exists(version)", {}
    return "version = :version", {":version": signal.version}


def _gone_or_changed(stored: Item | None) -> Exception:
    return Conflict(CHANGED_MEANWHILE) if stored else NotFound("no such signal")
