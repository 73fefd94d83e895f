"""The registry table's one adapter base: reads and conditional writes the token and directory parts share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Item, Table, Write
from chalicelib.domain.errors import Conflict
from chalicelib.ports_registry import AlreadyRegistered

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ACTIVE = "active"
REVOKED = "revoked"
SUSPENDED = "suspended"

# Issuing and suspending re-read and retry when the other changed the organisation's tokens meanwhile.
TOKEN_WRITE_ATTEMPTS = 5


class RegistryTable:
    """The registry table and the writes its two halves share: a new item never overwrites one."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._registry = Table(client, table_name)

    def _get(self, key: keys.Key) -> Item | None:
        return self._registry.get(key)

    def _put(self, item: Item) -> None:
        what = item["pk"].split("#")[0].lower()
        put = self._registry.put(
            item, "attribute_not_exists(pk)", refused=lambda _: AlreadyRegistered(f"{what} already registered")
        )
        self._registry.write(put)

    def _set_status(self, key: keys.Key, status: str) -> None:
        update = self._registry.update(
            key, "SET #status = :status", "attribute_exists(pk)", {":status": status}, {"#status": "status"}
        )
        self._registry.write(update)

    def _new_item(self, item: Item) -> Write:
        return self._registry.put(item, "attribute_not_exists(pk)")

    def _transact(self, writes: list[Write], what: str) -> None:
        try:
            self._registry.transact(writes)
        except Conflict as exc:
            raise AlreadyRegistered(f"{what} already registered") from exc

    def _transact_if_unchanged(self, writes: list[Write]) -> bool:
        """Run a transaction whose conditions hold what was read before it.

        ``False`` when a condition failed or another transaction got in the way: read again.
        """
        try:
            self._registry.transact(writes)
        except Conflict:
            return False
        return True
