"""The child a console session looked up, in DynamoDB beside the session.

An item of its own (``lookup#<session key>``) rather than a field of the session: the session is
written back on every request to restart its idle timer, and a request that read it before a
look-up would write the old child back. The item holds the pseudonym, never the BSN, and expires
with the session at the latest; reads check the expiry themselves, as TTL deletes late.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.console.ports import LookedUpChild
from chalicelib.domain.model import Pseudonym

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PREFIX = "lookup#"


class DynamoDBChildLookups:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, session_key: str, child: LookedUpChild, expires_at: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": PREFIX + session_key},
                "expires_at": {"N": str(int(expires_at.timestamp()))},
                "reference": {"S": child.reference},
                "child_pseudonym": {"S": child.pseudonym.value},
                "key_version": {"S": child.pseudonym.key_version},
            },
        )

    def get(self, session_key: str, now: datetime) -> LookedUpChild | None:
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": PREFIX + session_key}}, ConsistentRead=True
        ).get("Item")
        if item is None or int(item["expires_at"]["N"]) <= now.timestamp():
            return None
        pseudonym = Pseudonym(item["child_pseudonym"]["S"], item["key_version"]["S"])
        return LookedUpChild(item["reference"]["S"], pseudonym)

    def delete(self, session_key: str) -> None:
        self._client.delete_item(TableName=self._table, Key={"pk": {"S": PREFIX + session_key}})
