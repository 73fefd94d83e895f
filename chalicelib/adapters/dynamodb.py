"""DynamoDB adapters for signals and the logbook."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from chalicelib.adapters import items
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import Match, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Professional, Signal, SignalStatus
from chalicelib.domain.notifications import Notification
from chalicelib.domain.reports import SignalFacts
from chalicelib.ports import (
    WRITE_ATTEMPTS,
    ChildPartition,
    ClaimOutcome,
    IdempotencyRecord,
    IdempotencyReplay,
    SignalPage,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

BY_ID_INDEX = "by-id"
BY_ORGANISATION_INDEX = "by-organisation"
BY_ADDRESS_INDEX = "by-address"
BY_DUE_INDEX = "by-due"
BY_MUNICIPALITY_INDEX = "by-municipality"
LEDGER_BACKSTOP = timedelta(days=7 * 366 + 1)
CHANGED_MEANWHILE = "the signal was changed meanwhile; retry"


_Written = TypeVar("_Written")


def again_after_transaction_conflicts(write: Callable[[], _Written]) -> _Written:
    """``write``, made again when DynamoDB refused it because a transaction was busy with the same
    item at that moment (botocore does not retry that): for writes that must not be dropped and
    that write the same whatever happened meanwhile."""
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return write()
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            busy = exc.response["Error"]["Code"] == "TransactionConflictException" or any(
                reason.get("Code") == "TransactionConflict" for reason in reasons
            )
            if not busy:
                raise
    return write()


def query_all(client: DynamoDBClient, kwargs: dict[str, Any]) -> list[items.Item]:
    """Every item a Query returns, following its pages."""
    found: list[items.Item] = []
    while True:
        response = client.query(**kwargs)
        found.extend(items.deserialise(i) for i in response["Items"])
        if "LastEvaluatedKey" not in response:
            return found
        kwargs = {**kwargs, "ExclusiveStartKey": response["LastEvaluatedKey"]}


class DynamoDBLogbook:
    """Append-only: every entry is a conditional put that can never overwrite another."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put_request(self, entry: LogEntry) -> TransactWriteItemTypeDef:
        """The entry as one action of a transaction, so a change and its log line land together."""
        return {
            "Put": {
                "TableName": self._table,
                "Item": items.serialise(items.log_entry_to_item(entry)),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def append(self, entry: LogEntry) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=items.serialise(items.log_entry_to_item(entry)),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def entries_for_child(self, child_pseudonym: str) -> list[LogEntry]:
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": items.CHILD_PREFIX + child_pseudonym}},
        }
        return [items.item_to_log_entry(item) for item in query_all(self._client, query)]


class DynamoDBSignalStore:
    """Signals partitioned by child pseudonym, so one Query reads everything about a child."""

    def __init__(
        self,
        client: DynamoDBClient,
        signals_table: str,
        idempotency_table: str,
        logbook: DynamoDBLogbook,
    ) -> None:
        self._client = client
        self._table = signals_table
        self._idempotency_table = idempotency_table
        self._logbook = logbook

    def add(self, signal: Signal, today: date, idempotency: IdempotencyRecord | None, log: LogEntry) -> None:
        guard_put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": items.serialise(items.guard_to_item(signal)),
                # An expired guard (active period over) may be taken over by the new signal.
                "ConditionExpression": "attribute_not_exists(pk) OR active_until < :today",
                "ExpressionAttributeValues": {":today": {"S": today.isoformat()}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        actions: list[TransactWriteItemTypeDef] = [
            guard_put,
            {
                "Put": {
                    "TableName": self._table,
                    "Item": items.serialise(items.signal_to_item(signal)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            self._logbook.put_request(log),
        ]
        if idempotency is not None:
            actions.append(
                {
                    "Put": {
                        "TableName": self._idempotency_table,
                        "Item": items.serialise(_idempotency_to_item(idempotency)),
                        "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                        "ExpressionAttributeValues": {":now": {"N": str(int(log.at.timestamp()))}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=actions)
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            codes = [reason.get("Code", "None") for reason in reasons]
            if idempotency is not None and len(codes) == len(actions) and codes[-1] == "ConditionalCheckFailed":
                old = reasons[-1].get("Item")
                if old is None:
                    raise Conflict("concurrent request with the same Idempotency-Key") from exc
                raise IdempotencyReplay(_item_to_idempotency(items.deserialise(old))) from exc
            if codes and codes[0] == "ConditionalCheckFailed":
                old_guard = reasons[0].get("Item")
                signal_id = items.deserialise(old_guard)["signal_id"] if old_guard else ""
                raise DuplicateActiveSignal(signal_id) from exc
            if "TransactionConflict" in codes:
                raise Conflict("a concurrent request changed this child's signals; retry") from exc
            raise

    def get(self, signal_id: str) -> SignalWithMatches | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=BY_ID_INDEX,
            KeyConditionExpression="signal_id = :id",
            ExpressionAttributeValues={":id": {"S": signal_id}},
        )
        signal = None
        matches = []
        for raw in response["Items"]:
            item = items.deserialise(raw)
            if item.get("item_type") == "signal":
                signal = items.item_to_signal(item)
            elif item.get("item_type") == "match":
                matches.append(items.item_to_match(item))
        if signal is None:
            return None
        return SignalWithMatches.of(signal, matches)

    def reload(self, signal: Signal) -> SignalWithMatches | None:
        """One strongly consistent Query of the child's partition, where the by-id index may lag."""
        found = self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "FilterExpression": "signal_id = :id AND item_type IN (:signal, :match)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": items.CHILD_PREFIX + signal.child_pseudonym.value},
                    ":id": {"S": signal.id},
                    ":signal": {"S": "signal"},
                    ":match": {"S": "match"},
                },
                "ConsistentRead": True,
            }
        )
        stored = [items.item_to_signal(item) for item in found if item["item_type"] == "signal"]
        if not stored:
            return None
        return SignalWithMatches.of(
            stored[0], (items.item_to_match(item) for item in found if item["item_type"] == "match")
        )

    # Matching ------------------------------------------------------------------------------------

    def child_partition(self, child_pseudonym: str) -> ChildPartition:
        signals: list[Signal] = []
        matches: list[Match] = []
        sent: dict[tuple[str, str], str] = {}
        for item in self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": items.CHILD_PREFIX + child_pseudonym}},
                "ConsistentRead": True,
            }
        ):
            kind = item.get("item_type")
            if kind == "signal":
                signals.append(items.item_to_signal(item))
            elif kind == "match":
                matches.append(items.item_to_match(item))
            elif kind == "notification":
                sent[(item["new_signal_id"], item["recipient_key"])] = item["status"]
        return ChildPartition(signals, matches, sent)

    def signals_at_address(self, address_pseudonym: str) -> list[Signal]:
        return [
            items.item_to_signal(item)
            for item in self._query_all(
                {
                    "TableName": self._table,
                    "IndexName": BY_ADDRESS_INDEX,
                    "KeyConditionExpression": "address_pseudonym = :address",
                    "ExpressionAttributeValues": {":address": {"S": address_pseudonym}},
                }
            )
        ]

    def save_matches(self, new_signal_id: str, records: list[Match], municipal: Sequence[MunicipalMatch] = ()) -> None:
        """Idempotent puts, in two batches: the counterparts' records and the municipality's
        follow-up records first, then the records shown with the new signal. The match function
        takes the presence of the latter as proof that the former landed, so a batch cut short
        (unprocessed items, a crash) is written again on redelivery, and a complete one never is.
        """
        first = [m for m in records if m.signal_id != new_signal_id]
        last = [m for m in records if m.signal_id == new_signal_id]
        self._batch_write(
            [{"PutRequest": {"Item": items.serialise(items.match_to_item(m))}} for m in first]
            + [{"PutRequest": {"Item": items.serialise(items.municipal_match_to_item(m))}} for m in municipal]
        )
        self._batch_write([{"PutRequest": {"Item": items.serialise(items.match_to_item(m))}} for m in last])

    def _batch_write(self, requests: list[Any]) -> None:
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self._table: requests[start : start + 25]}
            for attempt in range(8):
                response = self._client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise Conflict("DynamoDB left items unprocessed; retry")

    def _query_all(self, kwargs: dict[str, Any]) -> list[items.Item]:
        return query_all(self._client, kwargs)

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None:
        response = self._client.get_item(
            TableName=self._idempotency_table,
            Key={"pk": {"S": _idempotency_pk(organisation_id, key)}},
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return _item_to_idempotency(items.deserialise(raw)) if raw else None

    def list_for_organisation(
        self,
        organisation_id: str,
        status: SignalStatus | None,
        today: date,
        limit: int,
        after: str | None,
    ) -> SignalPage:
        condition = "org_id = :org"
        values: dict[str, Any] = {":org": {"S": organisation_id}, ":today": {"S": today.isoformat()}}
        if after is not None:
            condition += " AND created_sort < :after"
            values[":after"] = {"S": after}
        # Status is a function of the dates and today, so it is filtered here, not stored. A
        # signal's match records sort just before it (newest first) and pass the filter.
        filters = ["delete_after >= :today"]
        if status is SignalStatus.ACTIVE:
            filters.append("active_until >= :today AND attribute_not_exists(archived_on)")
        elif status is SignalStatus.ARCHIVED:
            filters.append("(active_until < :today OR attribute_exists(archived_on))")
        values[":match"] = {"S": "match"}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_ORGANISATION_INDEX,
            "KeyConditionExpression": condition,
            "FilterExpression": f"item_type = :match OR ({' AND '.join(filters)})",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        found: list[Signal] = []
        matches: dict[str, list[Match]] = {}
        while len(found) <= limit:
            response = self._client.query(**kwargs)
            for raw in response["Items"]:
                item = items.deserialise(raw)
                if item.get("item_type") == "match":
                    match = items.item_to_match(item)
                    matches.setdefault(match.signal_id, []).append(match)
                else:
                    found.append(items.item_to_signal(item))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        page = [SignalWithMatches.of(s, matches.get(s.id, [])) for s in found[:limit]]
        return SignalPage(page, items.created_sort(page[-1].signal) if len(found) > limit else None)

    def archive(self, read: SignalWithMatches, archived: Signal, log: LogEntry) -> None:
        signal = read.signal
        stored = replace(archived, version=signal.version + 1)
        self._write([self._versioned_put(signal, stored), *self._release_guard(signal), self._logbook.put_request(log)])
        self.refresh_counterparts(read.changed(stored))

    def delete(self, read: SignalWithMatches, log: LogEntry) -> None:
        """Delete the signal, its guard and log line at once, then everything derived from it.

        The derived items (match records on both sides, e-mail ledger entries) go second: a
        failure there leaves records that name a signal which no longer exists, never a signal
        without its log line; they carry a TTL as the backstop and a retry removes them.
        """
        signal = read.signal
        self._write(
            [
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": items.serialise(items.signal_key(signal.child_pseudonym.value, signal.id)),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                *self._release_guard(signal),
                self._logbook.put_request(log),
            ]
        )
        self.delete_derived(read)

    def delete_derived(self, read: SignalWithMatches) -> None:
        signal = read.signal
        owner_pk = items.CHILD_PREFIX + signal.child_pseudonym.value
        keys: list[dict[str, str]] = []
        for match in read.matches:
            other_pk = items.CHILD_PREFIX + match.other.child_pseudonym
            keys.append({"pk": owner_pk, "sk": items.match_sort_key(signal.id, match.id)})
            keys.append({"pk": other_pk, "sk": items.match_sort_key(match.other.signal_id, match.id)})
            # The other signal's record of having mailed this signal's professional (if it did).
            keys.append(
                {"pk": other_pk, "sk": items.notification_sort_key(match.other.signal_id, f"signal:{signal.id}")}
            )
            if match.municipality_code:
                keys.append(items.municipal_match_key(match.municipality_code, match.id))
        for item in self._query_all(
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": owner_pk},
                    ":prefix": {"S": f"{items.NOTIFY_PREFIX}{signal.id}#"},
                },
                "ProjectionExpression": "pk, sk",
            }
        ):
            keys.append({"pk": item["pk"], "sk": item["sk"]})
        self._batch_write([{"DeleteRequest": {"Key": items.serialise(key)}} for key in keys])
        if signal.idempotency_key is not None:
            self._client.delete_item(
                TableName=self._idempotency_table,
                Key={"pk": {"S": _idempotency_pk(signal.organisation.id, signal.idempotency_key)}},
            )

    # Reports ---------------------------------------------------------------------------------------

    def signal_facts(self, municipality_code: str, start: datetime, end: datetime) -> list[SignalFacts]:
        """Sector and informing of the signals created in [start, end) for children living in the
        municipality, from an index that projects nothing else."""
        return [
            SignalFacts(sector=item["org_sector"], family_informed=bool(item["family_informed"]))
            for item in self._query_all(
                {
                    "TableName": self._table,
                    "IndexName": BY_MUNICIPALITY_INDEX,
                    "KeyConditionExpression": "municipality_code = :code AND created_sort BETWEEN :start AND :end",
                    "ExpressionAttributeValues": {
                        ":code": {"S": municipality_code},
                        ":start": {"S": items.iso_instant(start)},
                        ":end": {"S": items.iso_instant(end)},
                    },
                }
            )
        ]

    # Lifecycle -------------------------------------------------------------------------------------

    def due_signals(self, today: date) -> list[Signal]:
        """Signals the lifecycle job must act on by ``today``, missed days included.

        One Query per shard of the due-date index: the cost follows the number of items due, not
        the size of the table.
        """
        upper = (today + timedelta(days=1)).isoformat()
        found: list[Signal] = []
        for shard in range(items.DUE_SHARDS):
            found.extend(
                items.item_to_signal(item)
                for item in self._query_all(
                    {
                        "TableName": self._table,
                        "IndexName": BY_DUE_INDEX,
                        "KeyConditionExpression": "due_shard = :shard AND due_key < :upper",
                        "ExpressionAttributeValues": {
                            ":shard": {"S": f"DUE#{shard}"},
                            ":upper": {"S": upper},
                        },
                    }
                )
            )
        return found

    def replace_signals(self, updated: Sequence[SignalWithMatches], log: LogEntry) -> list[SignalWithMatches]:
        """Rewrite a child's signals (a correction of the child's data) and log it, all at once.

        Each is written as the next version of the one read (``Conflict`` if any changed meanwhile);
        returns them as stored.
        """
        stored = [read.changed(replace(read.signal, version=read.signal.version + 1)) for read in updated]
        actions = [self._versioned_put(old.signal, new.signal) for old, new in zip(updated, stored, strict=True)]
        self._write([*actions, self._logbook.put_request(log)])
        for read in stored:
            self.refresh_counterparts(read)
        return stored

    def replace_professional(self, read: SignalWithMatches, professional: Professional, log: LogEntry) -> None:
        signal = read.signal
        condition, values = _version_condition(signal)
        self._write(
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.serialise(items.signal_key(signal.child_pseudonym.value, signal.id)),
                        "UpdateExpression": "SET professional = :professional, version = :next",
                        "ConditionExpression": condition,
                        "ExpressionAttributeValues": items.serialise(
                            values
                            | {":professional": items.professional_to_map(professional), ":next": signal.version + 1}
                        ),
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                self._logbook.put_request(log),
            ]
        )
        self.refresh_counterparts(read.changed(replace(signal, professional=professional, version=signal.version + 1)))

    def _versioned_put(self, signal: Signal, stored: Signal) -> TransactWriteItemTypeDef:
        """Put ``stored`` in place of ``signal``, if ``signal`` is still the version stored."""
        condition, values = _version_condition(signal)
        put: Any = {
            "TableName": self._table,
            "Item": items.serialise(items.signal_to_item(stored)),
            "ConditionExpression": condition,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if values:
            put["ExpressionAttributeValues"] = items.serialise(values)
        return {"Put": put}

    def refresh_counterparts(self, read: SignalWithMatches) -> None:
        """Bring the other side's snapshot of ``signal`` up to date: its professional and dates.

        Best effort after the change itself. Each snapshot carries the version it was taken from
        and is only ever replaced by a newer one, so when two changes of the signal refresh at the
        same time the later change wins, whichever refresh lands last. A counterpart deleted
        meanwhile is simply skipped.
        """
        signal = read.signal
        for match in read.matches:
            values: dict[str, Any] = {
                ":professional": items.professional_to_map(signal.professional),
                ":active_until": signal.active_until.isoformat(),
                ":delete_after": signal.delete_after.isoformat(),
                ":version": signal.version,
            }
            update = (
                "SET other_professional = :professional, other_active_until = :active_until, "
                "other_delete_after = :delete_after, other_version = :version"
            )
            if signal.archived_on is not None:
                update += ", other_archived_on = :archived_on"
                values[":archived_on"] = signal.archived_on.isoformat()
            key = {
                "pk": items.CHILD_PREFIX + match.other.child_pseudonym,
                "sk": items.match_sort_key(match.other.signal_id, match.id),
            }
            with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
                again_after_transaction_conflicts(
                    partial(
                        self._client.update_item,
                        TableName=self._table,
                        Key=items.serialise(key),
                        UpdateExpression=update,
                        ConditionExpression="attribute_exists(pk) AND "
                        "(attribute_not_exists(other_version) OR other_version < :version)",
                        ExpressionAttributeValues=items.serialise(values),
                    )
                )
            if match.municipality_code:
                self._refresh_municipal_side(match.municipality_code, match.id, signal)

    def _refresh_municipal_side(self, municipality_code: str, match_id: str, signal: Signal) -> None:
        """The regievoerder's record names the professionals too: keep this signal's current,
        never replacing a newer version's professional with an older one's."""
        key = items.serialise(items.municipal_match_key(municipality_code, match_id))
        raw = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        if raw is None:
            return
        sides = items.deserialise(raw)["sides"]
        for index, side in enumerate(sides):
            if side["signal_id"] != signal.id:
                continue
            path = f"sides[{index}]"
            with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
                again_after_transaction_conflicts(
                    partial(
                        self._client.update_item,
                        TableName=self._table,
                        Key=key,
                        UpdateExpression=f"SET {path}.professional = :professional, {path}.version = :version",
                        ConditionExpression=f"{path}.signal_id = :id AND "
                        f"(attribute_not_exists({path}.version) OR {path}.version < :version)",
                        ExpressionAttributeValues=items.serialise(
                            {
                                ":professional": items.professional_to_map(signal.professional),
                                ":version": signal.version,
                                ":id": signal.id,
                            }
                        ),
                    )
                )

    def _release_guard(self, signal: Signal) -> list[TransactWriteItemTypeDef]:
        """Delete the guard only if it still belongs to this signal (a newer one may own it).

        A guard taken over by a newer signal (after this one's active period) is left out of the
        transaction: a failing condition would cancel the whole write, so an expired signal could
        never be archived or deleted. Signal ids are unique, so such a guard never becomes this
        signal's again; one that changes hands after this read fails the condition (``Conflict``).
        """
        key = items.serialise(items.guard_key(signal.child_pseudonym.value, signal.organisation.id))
        current = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        if current is None or items.deserialise(current).get("signal_id") != signal.id:
            return []
        return [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": key,
                    "ConditionExpression": "signal_id = :id",
                    "ExpressionAttributeValues": {":id": {"S": signal.id}},
                }
            }
        ]

    def _write(self, actions: list[TransactWriteItemTypeDef]) -> None:
        """Run a transaction whose first action writes the signal.

        A failed condition there means ``NotFound`` when the signal is gone and ``Conflict`` when it
        is stored in another version; anything that lost a race with another write is ``Conflict``.
        """
        try:
            self._client.transact_write_items(TransactItems=actions)
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed" and not reasons[0].get("Item"):
                raise NotFound("no such signal") from exc
            raise Conflict(CHANGED_MEANWHILE) from exc
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionConflictException":
                raise Conflict(CHANGED_MEANWHILE) from exc
            raise


def _version_condition(signal: Signal) -> tuple[str, dict[str, Any]]:
    """The condition that ``signal`` is stored in the version it was read in, and its values."""
    if signal.version == 0:
        return "attribute_exists(pk) AND attribute_not_exists(version)", {}
    return "version = :version", {":version": signal.version}


def _idempotency_pk(organisation_id: str, key: str) -> str:
    return f"{organisation_id}#{key}"


def _idempotency_to_item(record: IdempotencyRecord) -> items.Item:
    return {
        "pk": _idempotency_pk(record.organisation_id, record.key),
        "organisation_id": record.organisation_id,
        "idempotency_key": record.key,
        "fingerprint": record.fingerprint,
        "signal_id": record.signal_id,
        "expires_at": int(record.expires_at.timestamp()),
    }


def _item_to_idempotency(item: items.Item) -> IdempotencyRecord:
    from datetime import UTC, datetime

    return IdempotencyRecord(
        organisation_id=item["organisation_id"],
        key=item["idempotency_key"],
        fingerprint=item["fingerprint"],
        signal_id=item["signal_id"],
        expires_at=datetime.fromtimestamp(int(item["expires_at"]), tz=UTC),
    )


class DynamoDBNotificationLedger:
    """One item per (event, recipient) beside the signal it is filed under: ``sending``, ``sent``,
    ``failed``; deleted with that signal (``DynamoDBSignalStore.delete_derived``)."""

    def __init__(self, client: DynamoDBClient, signals_table: str, logbook: DynamoDBLogbook) -> None:
        self._client = client
        self._table = signals_table
        self._logbook = logbook

    def claim(self, notification: Notification, now: datetime, lease_until: datetime) -> ClaimOutcome:
        item = items.notification_key(notification) | {
            "item_type": "notification",
            "new_signal_id": notification.filed_under_signal_id,
            "recipient_key": notification.key,
            "status": "sending",
            "lease_until": int(lease_until.timestamp()),
            "claimed_at": items.iso_instant(now),
            # Backstop only: the entry goes with its signal; no signal outlives 7 years.
            "ttl": int((now + LEDGER_BACKSTOP).timestamp()),
        }
        signal = items.signal_key(notification.filed_under_child_pseudonym, notification.filed_under_signal_id)
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": items.serialise(item),
                            "ConditionExpression": "attribute_not_exists(pk) OR #status = :failed "
                            "OR (#status = :sending AND lease_until < :now)",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":failed": {"S": "failed"},
                                ":sending": {"S": "sending"},
                                ":now": {"N": str(int(now.timestamp()))},
                            },
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {
                        "ConditionCheck": {
                            "TableName": self._table,
                            "Key": items.serialise(signal),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            codes = [reason.get("Code", "None") for reason in reasons]
            if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
                return ClaimOutcome.GONE
            if codes and codes[0] == "ConditionalCheckFailed":
                old: Any = reasons[0].get("Item")
                status = items.deserialise(old).get("status") if old else None
                return ClaimOutcome.ALREADY_SENT if status == "sent" else ClaimOutcome.IN_FLIGHT
            if "TransactionConflict" in codes:
                # Another claim of the same mail is being written right now.
                return ClaimOutcome.IN_FLIGHT
            raise
        return ClaimOutcome.CLAIMED

    def release(self, notification: Notification) -> None:
        again_after_transaction_conflicts(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=items.serialise(items.notification_key(notification)),
                UpdateExpression="SET #status = :failed",
                ConditionExpression="#status = :sending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":failed": {"S": "failed"}, ":sending": {"S": "sending"}},
            )
        )

    def mark_sent(self, notification: Notification, message_id: str, log: LogEntry) -> None:
        """A mark lost to a busy item is made again: unmarked, the mail would go again once the
        claim's lease ran out."""
        try:
            again_after_transaction_conflicts(
                lambda: self._client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": self._table,
                                "Key": items.serialise(items.notification_key(notification)),
                                "UpdateExpression": "SET #status = :sent, message_id = :message",
                                # Deleted with its signal while the mail was out: not written back.
                                "ConditionExpression": "attribute_exists(pk)",
                                "ExpressionAttributeNames": {"#status": "status"},
                                "ExpressionAttributeValues": {":sent": {"S": "sent"}, ":message": {"S": message_id}},
                            }
                        },
                        self._logbook.put_request(log),
                    ]
                )
            )
        except self._client.exceptions.TransactionCanceledException as exc:
            codes = [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]
            if codes[:1] != ["ConditionalCheckFailed"]:
                raise
            self._logbook.append(log)
