"""The nightly follow-up's cursor: one item in the registry table, moved by a conditional write.

``{"pk": "BRPFOLLOW", "sk": "CURSOR", "last_run": "YYYY-MM-DD"}``. Two runs at once may both read
the same day and both ask the register (the follow-up is idempotent), but only one moves the day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class _Moved(Exception):
    pass


class DynamoDBFollowCursor:
    def __init__(self, client: DynamoDBClient, registry_table: str) -> None:
        self._table = Table(client, registry_table)

    def last_run(self) -> date | None:
        item = self._table.get(keys.FOLLOW_CURSOR)
        return date.fromisoformat(item["last_run"]) if item else None

    def advance(self, previous: date | None, to: date) -> bool:
        item = {**keys.FOLLOW_CURSOR, "last_run": to.isoformat()}
        if previous is None:
            put = self._table.put(item, "attribute_not_exists(pk)", refused=lambda _: _Moved())
        else:
            put = self._table.put(
                item, "last_run = :previous", {":previous": previous.isoformat()}, refused=lambda _: _Moved()
            )
        try:
            self._table.write(put)
        except _Moved:
            return False
        return True
