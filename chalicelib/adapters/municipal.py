"""The regievoerder's match records (``MUNI#<code>`` partitions of the signals table)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from chalicelib.adapters import items
from chalicelib.adapters.dynamodb import BY_DUE_INDEX, DynamoDBLogbook, again_after_transaction_conflicts, query_all
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import FollowUp, MunicipalMatch
from chalicelib.ports import WRITE_ATTEMPTS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBMunicipalMatches:
    """Each writer sets only the attributes it changes, with a condition on what it read of the
    others: the follow-up (status, note) and the reminders (``reminded``, and the due-index keys,
    which depend on both) never overwrite each other, and the professionals on the sides are
    refreshed by the signal store, version by version."""

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
        """Set the follow-up; ``Conflict`` when a reminder was recorded since ``match`` was read."""
        sets = ["follow_up = :status", "follow_up_at = :at"]
        removes: list[str] = []
        values: dict[str, Any] = {":status": status.value, ":at": items.iso_instant(at)}
        if note_code is not None:
            sets.append("note_code = :note")
            values[":note"] = note_code
        else:
            removes.append("note_code")
        condition = "attribute_exists(pk)"
        if status is FollowUp.OPEN and not all(match.reminded):
            # Back in the job's index while a reminder is still due, which depends on the flags read.
            sets += ["due_shard = :shard", "due_key = :due"]
            values |= {
                ":shard": items.REMINDER_SHARD,
                ":due": f"{match.reminder_due().isoformat()}#{match.id}",
                ":first": match.reminded[0],
                ":second": match.reminded[1],
            }
            condition = "reminded[0] = :first AND reminded[1] = :second"
        else:
            removes += ["due_shard", "due_key"]
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": items.serialise(items.municipal_match_key(match.municipality_code, match.id)),
                            "UpdateExpression": update,
                            "ConditionExpression": condition,
                            "ExpressionAttributeValues": items.serialise(values),
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    self._logbook.put_request(log),
                ]
            )
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed" and not reasons[0].get("Item"):
                raise NotFound("no such match") from exc
            raise Conflict("the match was changed meanwhile; retry") from exc

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

    def mark_reminded(self, match: MunicipalMatch, side: int) -> None:
        """Record that one side's professional was reminded; the last one leaves the job's index.

        Sets only this side's flag, on condition that the other one is still as read; when it is
        not, the write is made again with the flag as it is now.
        """
        other = 1 - side
        other_reminded = match.reminded[other]
        for _ in range(WRITE_ATTEMPTS):
            update = f"SET reminded[{side}] = :yes"
            if other_reminded:
                update += " REMOVE due_shard, due_key"
            try:
                again_after_transaction_conflicts(
                    partial(
                        self._client.update_item,
                        TableName=self._table,
                        Key=items.serialise(items.municipal_match_key(match.municipality_code, match.id)),
                        UpdateExpression=update,
                        ConditionExpression=f"reminded[{other}] = :other",
                        ExpressionAttributeValues=items.serialise({":yes": True, ":other": other_reminded}),
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old: Any = exc.response.get("Item")
                if old is None:
                    return  # deleted with one of its signals: nobody to remind any more
                other_reminded = bool(items.deserialise(old)["reminded"][other])
                continue
            return
        raise Conflict("the match was changed meanwhile; retry")
