"""The child a console session looked up (``ChildLookups``): the in-memory fake and DynamoDB alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.console.lookups import DynamoDBChildLookups
from chalicelib.console.ports import ChildLookups, LookedUpChild
from chalicelib.domain.model import Pseudonym
from infra.tables import TableNames
from tests.fakes import InMemoryChildLookups

NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
SESSION = "a" * 64
CHILD = LookedUpChild("ref-1", Pseudonym("p" * 64, "1"))


class ChildLookupsContract:
    def test_the_child_comes_back_until_it_expires(self, lookups: ChildLookups) -> None:
        lookups.put(SESSION, CHILD, NOW + timedelta(hours=10))
        assert lookups.get(SESSION, NOW) == CHILD
        assert lookups.get(SESSION, NOW + timedelta(hours=10)) is None
        assert lookups.get("b" * 64, NOW) is None

    def test_a_new_look_up_replaces_the_old_and_delete_forgets_it(self, lookups: ChildLookups) -> None:
        lookups.put(SESSION, CHILD, NOW + timedelta(hours=10))
        other = LookedUpChild("ref-2", Pseudonym("q" * 64, "2"))
        lookups.put(SESSION, other, NOW + timedelta(hours=10))
        assert lookups.get(SESSION, NOW) == other
        lookups.delete(SESSION)
        assert lookups.get(SESSION, NOW) is None
        lookups.delete(SESSION)


class TestInMemoryChildLookups(ChildLookupsContract):
    @pytest.fixture
    def lookups(self) -> InMemoryChildLookups:
        return InMemoryChildLookups()


class TestDynamoDBChildLookups(ChildLookupsContract):
    @pytest.fixture
    def lookups(self, settings: Any, table_names: TableNames) -> DynamoDBChildLookups:
        return DynamoDBChildLookups(boto3.client("dynamodb"), table_names.idempotency)

    def test_the_item_holds_the_pseudonym_and_the_ttl_beside_the_session(
        self, lookups: DynamoDBChildLookups, table_names: TableNames
    ) -> None:
        lookups.put(SESSION, CHILD, NOW + timedelta(hours=10))
        item = boto3.client("dynamodb").get_item(
            TableName=table_names.idempotency, Key={"pk": {"S": "lookup#" + SESSION}}
        )
        assert item["Item"]["expires_at"] == {"N": str(int((NOW + timedelta(hours=10)).timestamp()))}
        assert item["Item"]["child_pseudonym"] == {"S": "p" * 64}
