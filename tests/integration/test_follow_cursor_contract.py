"""The nightly follow-up's cursor (``FollowCursor``), held against the fake and the DynamoDB adapter
on moto: it starts empty, moves from the day read only, and a second run that read the same day
cannot move it too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb.follow_cursor import DynamoDBFollowCursor
from tests.fake_population import InMemoryFollowCursor

MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)


class FollowCursorContract:
    @pytest.fixture
    def cursor(self) -> Any:
        raise NotImplementedError

    def test_it_starts_empty_and_moves_from_the_day_read(self, cursor: Any) -> None:
        assert cursor.last_run() is None
        assert cursor.advance(None, MONDAY) is True
        assert cursor.advance(MONDAY, TUESDAY) is True
        assert cursor.last_run() == TUESDAY

    def test_of_two_runs_that_read_the_same_day_only_one_moves_it(self, cursor: Any) -> None:
        assert cursor.advance(None, MONDAY) is True
        assert cursor.advance(None, TUESDAY) is False
        assert cursor.advance(MONDAY, TUESDAY) is True
        assert cursor.advance(MONDAY, WEDNESDAY) is False
        assert cursor.last_run() == TUESDAY


class TestInMemoryFollowCursor(FollowCursorContract):
    @pytest.fixture
    def cursor(self) -> InMemoryFollowCursor:
        return InMemoryFollowCursor()


class TestDynamoDBFollowCursor(FollowCursorContract):
    @pytest.fixture
    def cursor(self, container: bootstrap.Container) -> DynamoDBFollowCursor:
        return DynamoDBFollowCursor(container.dynamodb, container.settings.registry_table)
