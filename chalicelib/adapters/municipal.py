"""The regievoerder's match records (``MUNI#<code>`` partitions of the signals table)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.adapters import items
from chalicelib.adapters.dynamodb import BY_DUE_INDEX, DynamoDBLogbook, query_all
from chalicelib.domain.errors import NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import FollowUp, MunicipalMatch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBMunicipalMatches:
    def __init__(self, client: DynamoDBClient, signals_table: str, logbook: DynamoDBLogbook) -> None:
        self._client = client
        self._table = signals_table
        self._logbook = logbook

    def _query(self, kwargs: dict[str, Any]) -> list[items.Item]:
        return query_all(self._client, kwargs)

    def for_municipality(self, municipality_code: str, since: date | None) -> list[MunicipalMatch]:
        values: dict[str, Any] = {":pk": {"S": f"MUNI#{municipality_code}"}, ":prefix": {"S": "MATCH#"}}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": values,
        }
        if since is not None:
            kwargs["FilterExpression"] = "since >= :since"
            values[":since"] = {"S": since.isoformat()}
        found = [items.item_to_municipal_match(item) for item in self._query(kwargs)]
        return sorted(found, key=lambda match: (match.since, match.id), reverse=True)

    def get(self, municipality_code: str, match_id: str) -> MunicipalMatch | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=items.serialise(items.municipal_match_key(municipality_code, match_id)),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return items.item_to_municipal_match(items.deserialise(raw)) if raw else None

    def record_follow_up(
        self, match: MunicipalMatch, status: FollowUp, note_code: str | None, at: datetime, log: LogEntry
    ) -> None:
        update = "SET follow_up = :status, follow_up_at = :at"
        values: dict[str, Any] = {":status": status.value, ":at": items.iso_instant(at)}
        if note_code is not None:
            update += ", note_code = :note"
            values[":note"] = note_code
        else:
            update += " REMOVE note_code"
        if status is not FollowUp.OPEN:
            # Followed up: no reminder any more, so out of the job's index.
            update += (", " if note_code is None else " REMOVE ") + "due_shard, due_key"
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": items.serialise(items.municipal_match_key(match.municipality_code, match.id)),
                            "UpdateExpression": update,
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": items.serialise(values),
                        }
                    },
                    self._logbook.put_request(log),
                ]
            )
        except self._client.exceptions.TransactionCanceledException as exc:
            raise NotFound("no such match") from exc

    def due_reminders(self, today: date) -> list[MunicipalMatch]:
        upper = (today + timedelta(days=1)).isoformat()
        return [
            items.item_to_municipal_match(item)
            for item in self._query(
                {
                    "TableName": self._table,
                    "IndexName": BY_DUE_INDEX,
                    "KeyConditionExpression": "due_shard = :shard AND due_key < :upper",
                    "ExpressionAttributeValues": {
                        ":shard": {"S": items.REMINDER_SHARD},
                        ":upper": {"S": upper},
                    },
                }
            )
        ]

    def mark_reminded(self, match: MunicipalMatch, side: int, log: LogEntry) -> None:
        """Record that one side's professional was reminded; the last one leaves the job's index."""
        reminded = list(match.reminded)
        reminded[side] = True
        update = "SET reminded = :reminded"
        if all(reminded):
            update += " REMOVE due_shard, due_key"
        self._client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.serialise(items.municipal_match_key(match.municipality_code, match.id)),
                        "UpdateExpression": update,
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": items.serialise({":reminded": reminded}),
                    }
                },
                self._logbook.put_request(log),
            ]
        )
