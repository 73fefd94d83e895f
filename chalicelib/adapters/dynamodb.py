"""DynamoDB adapters for signals and the logbook."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.adapters import items
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.model import Professional, Signal, SignalStatus
from chalicelib.services.ports import IdempotencyRecord, IdempotencyReplay, SignalPage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

BY_ID_INDEX = "by-id"
BY_ORGANISATION_INDEX = "by-organisation"
BY_ADDRESS_INDEX = "by-address"


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
        found: list[LogEntry] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": items.CHILD_PREFIX + child_pseudonym}},
        }
        while True:
            response = self._client.query(**kwargs)
            found.extend(items.item_to_log_entry(items.deserialise(i)) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


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

    def get(self, signal_id: str) -> Signal | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=BY_ID_INDEX,
            KeyConditionExpression="signal_id = :id",
            ExpressionAttributeValues={":id": {"S": signal_id}},
        )
        for raw in response["Items"]:
            item = items.deserialise(raw)
            if item.get("item_type") == "signal":
                return items.item_to_signal(item)
        return None

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
        # Status is a function of the dates and today, so it is filtered here, not stored.
        filters = ["delete_after >= :today"]
        if status is SignalStatus.ACTIVE:
            filters.append("active_until >= :today AND attribute_not_exists(archived_on)")
        elif status is SignalStatus.ARCHIVED:
            filters.append("(active_until < :today OR attribute_exists(archived_on))")
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_ORGANISATION_INDEX,
            "KeyConditionExpression": condition,
            "FilterExpression": " AND ".join(filters),
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        found: list[Signal] = []
        while len(found) <= limit:
            response = self._client.query(**kwargs)
            found.extend(items.item_to_signal(items.deserialise(i)) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if len(found) > limit:
            page = found[:limit]
            return SignalPage(page, items.created_sort(page[-1]))
        return SignalPage(found, None)

    def archive(self, signal: Signal, archived: Signal, log: LogEntry) -> None:
        self._write(
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": items.serialise(items.signal_to_item(archived)),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                self._release_guard(signal),
                self._logbook.put_request(log),
            ]
        )

    def delete(self, signal: Signal, log: LogEntry) -> None:
        self._write(
            [
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": items.serialise(items.signal_key(signal.child_pseudonym.value, signal.id)),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                self._release_guard(signal),
                self._logbook.put_request(log),
            ]
        )

    def replace_professional(self, signal: Signal, professional: Professional, log: LogEntry) -> None:
        self._write(
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.serialise(items.signal_key(signal.child_pseudonym.value, signal.id)),
                        "UpdateExpression": "SET professional = :professional",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": items.serialise(
                            {":professional": items.professional_to_map(professional)}
                        ),
                    }
                },
                self._logbook.put_request(log),
            ]
        )

    def _release_guard(self, signal: Signal) -> TransactWriteItemTypeDef:
        """Delete the guard only if it still belongs to this signal (a newer one may own it)."""
        return {
            "Delete": {
                "TableName": self._table,
                "Key": items.serialise(items.guard_key(signal.child_pseudonym.value, signal.organisation.id)),
                "ConditionExpression": "attribute_not_exists(pk) OR signal_id = :id",
                "ExpressionAttributeValues": {":id": {"S": signal.id}},
            }
        }

    def _write(self, actions: list[TransactWriteItemTypeDef]) -> None:
        try:
            self._client.transact_write_items(TransactItems=actions)
        except self._client.exceptions.TransactionCanceledException as exc:
            codes = [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise NotFound("no such signal") from exc
            raise Conflict("a concurrent request changed this signal; retry") from exc
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionConflictException":
                raise Conflict("a concurrent request changed this signal; retry") from exc
            raise


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
