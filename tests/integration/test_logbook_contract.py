"""The logbook's contract, held against its test double and the DynamoDB adapter on moto: append-only,
a child's lines read back whole, the person who acted kept beside the organisation or municipality."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Principal, PrincipalKind, Pseudonym
from chalicelib.domain.people import Person, Role
from chalicelib.services.audit import Audit
from local.clock import FixedClock
from tests.conftest import START
from tests.fakes import InMemoryLogbook

CHILD = Pseudonym("c" * 64, "1")
ANNA = Person(
    id="5e0f6c1a-0000-4000-8000-000000000001",
    username="anna",
    display_name="Anna de Vries",
    roles=frozenset({Role.PRIVACY_OFFICER}),
    municipality_code="0344",
)


def new_id(at: Any) -> str:
    new_id.count = getattr(new_id, "count", 0) + 1  # type: ignore[attr-defined]
    return f"{at:%Y%m%d%H%M%S}-{new_id.count:04d}"  # type: ignore[attr-defined]


AUDIT = Audit(FixedClock(START), new_id)


def by(principal: Principal, action: Action, minutes: int = 0) -> LogEntry:
    return AUDIT.by(principal, START + timedelta(minutes=minutes), action, child=CHILD)


class LogbookContract:
    @pytest.fixture
    def logbook(self) -> Any:
        raise NotImplementedError

    def test_a_person_s_line_names_them_and_their_municipality(self, logbook: Any) -> None:
        principal = Principal("gm0344", PrincipalKind.MUNICIPALITY, municipality_code="0344", person=ANNA)
        logbook.append(by(principal, Action.SUBJECT_ACCESSED))

        [entry] = logbook.entries_for_child(CHILD.value)
        assert (entry.person_id, entry.person_name) == (ANNA.id, "Anna de Vries")
        assert (entry.municipality_code, entry.client_id, entry.action) == ("0344", "gm0344", Action.SUBJECT_ACCESSED)

    def test_a_case_system_s_line_names_no_person(self, logbook: Any) -> None:
        logbook.append(
            by(Principal("gm0344", PrincipalKind.MUNICIPALITY, municipality_code="0344"), Action.SUBJECT_ACCESSED)
        )

        [entry] = logbook.entries_for_child(CHILD.value)
        assert (entry.person_id, entry.person_name) == (None, None)

    def test_lines_come_back_in_order_and_none_is_overwritten(self, logbook: Any) -> None:
        principal = Principal("gm0344", PrincipalKind.MUNICIPALITY, municipality_code="0344", person=ANNA)
        first, second = by(principal, Action.SUBJECT_ACCESSED), by(principal, Action.SUBJECT_ACCESSED, minutes=5)
        logbook.append(second)
        logbook.append(first)

        assert [entry.id for entry in logbook.entries_for_child(CHILD.value)] == [first.id, second.id]
        with pytest.raises(Exception):  # noqa: B017 (each store raises its own conflict)
            logbook.append(first)
        assert len(logbook.entries_for_child(CHILD.value)) == 2


class TestInMemoryLogbook(LogbookContract):
    @pytest.fixture
    def logbook(self) -> InMemoryLogbook:
        return InMemoryLogbook()


class TestDynamoDBLogbook(LogbookContract):
    @pytest.fixture
    def logbook(self, container: bootstrap.Container) -> Any:
        return container.logbook
