"""One contract for the regievoerder's records and their reminders (the MunicipalMatches and
ReminderStore ports), held against the in-memory fake and DynamoDB on moto."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import FollowUp, MunicipalMatch
from tests import builders
from tests.fakes import InMemoryLogbook, InMemoryMatchStore, InMemoryMunicipalMatches, InMemoryNotificationLedger
from tests.integration.test_match_store_contract import Stores
from tests.integration.test_signal_store_contract import OTHER_ORG, START, log_for

DUE = date(2026, 12, 12)  # 14 days after the match arose


def followed_up(at: datetime = START) -> LogEntry:
    return LogEntry(id=new_id(at), at=at, action=Action.MATCH_FOLLOWED_UP, client_id="gm0344")


class MunicipalMatchesContract:
    @pytest.fixture
    def stores(self) -> Stores:
        raise NotImplementedError

    @pytest.fixture
    def match(self, stores: Stores) -> MunicipalMatch:
        earlier = stores.add(builders.domain_signal(seed=1))
        new = stores.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        stores.match(earlier, new)
        [match] = stores.municipal.for_municipality("0344", None)
        return match

    def test_a_municipality_lists_its_matches_newest_first(self, stores: Stores, match: MunicipalMatch) -> None:
        later = stores.add(builders.domain_signal(seed=2, created_at=START + timedelta(days=1)))
        other = stores.add(
            builders.domain_signal(seed=2, org=OTHER_ORG, created_at=START + timedelta(days=1, minutes=1))
        )
        stores.match(later, other)

        listed = stores.municipal.for_municipality("0344", None)

        assert [m.since for m in listed] == [START + timedelta(days=1, minutes=1), match.since]
        assert [m.id for m in stores.municipal.for_municipality("0344", date(2026, 11, 29))] == [listed[0].id]
        assert stores.municipal.for_municipality("0363", None) == []

    def test_a_match_is_read_only_by_its_municipality(self, stores: Stores, match: MunicipalMatch) -> None:
        assert stores.municipal.get("0344", match.id) == match
        assert stores.municipal.get("0363", match.id) is None

    def test_a_follow_up_is_recorded_with_its_log_line(self, stores: Stores, match: MunicipalMatch) -> None:
        entry = followed_up()
        stores.municipal.record_follow_up(match, FollowUp.CONTACT_MADE, "overleg", START, entry)

        stored = stores.municipal.get("0344", match.id)
        assert (stored.follow_up, stored.follow_up_at, stored.note_code) == (FollowUp.CONTACT_MADE, START, "overleg")

    def test_a_follow_up_of_a_match_that_is_gone_is_not_found(self, stores: Stores, match: MunicipalMatch) -> None:
        [side] = [s for s in match.sides if s.organisation.id == OTHER_ORG.id]
        gone = stores.signals.get(side.signal_id)
        stores.signals.delete(gone, log_for(gone.signal, Action.SIGNAL_DELETED, START + timedelta(minutes=5)))

        with pytest.raises(NotFound):
            stores.municipal.record_follow_up(match, FollowUp.CONTACT_MADE, None, START, followed_up())

    def test_reopening_a_match_reminded_since_it_was_read_is_a_conflict(
        self, stores: Stores, match: MunicipalMatch
    ) -> None:
        stores.municipal.mark_reminded(match, 0)

        with pytest.raises(Conflict):
            stores.municipal.record_follow_up(match, FollowUp.OPEN, None, START, followed_up())
        assert stores.municipal.get("0344", match.id).reminded == (True, False)

    def test_an_open_match_is_due_for_reminders_from_its_14th_day(self, stores: Stores, match: MunicipalMatch) -> None:
        assert stores.municipal.due_reminders(DUE - timedelta(days=1)) == []
        assert [m.id for m in stores.municipal.due_reminders(DUE)] == [match.id]
        assert [m.id for m in stores.municipal.due_reminders(DUE + timedelta(days=30))] == [match.id]

    def test_a_match_leaves_the_reminders_once_both_sides_were_reminded(
        self, stores: Stores, match: MunicipalMatch
    ) -> None:
        stores.municipal.mark_reminded(match, 1)
        assert [m.reminded for m in stores.municipal.due_reminders(DUE)] == [(False, True)]
        stores.municipal.mark_reminded(match, 0)  # as read before the other side was marked
        stores.municipal.mark_reminded(match, 0)

        assert stores.municipal.due_reminders(DUE) == []
        assert stores.municipal.get("0344", match.id).reminded == (True, True)

    def test_a_followed_up_match_is_not_due_and_reopening_it_makes_it_due_again(
        self, stores: Stores, match: MunicipalMatch
    ) -> None:
        stores.municipal.record_follow_up(match, FollowUp.NO_CONTACT_NEEDED, None, START, followed_up())
        assert stores.municipal.due_reminders(DUE) == []

        closed = stores.municipal.get("0344", match.id)
        stores.municipal.record_follow_up(closed, FollowUp.OPEN, None, START, followed_up())
        assert [m.id for m in stores.municipal.due_reminders(DUE)] == [match.id]

    def test_marking_a_match_that_went_with_its_signal_does_nothing(
        self, stores: Stores, match: MunicipalMatch
    ) -> None:
        gone = stores.signals.get(match.sides[0].signal_id)
        stores.signals.delete(gone, log_for(gone.signal, Action.SIGNAL_DELETED, START + timedelta(minutes=5)))

        stores.municipal.mark_reminded(match, 0)

        assert stores.municipal.get("0344", match.id) is None


class TestInMemoryMunicipalMatches(MunicipalMatchesContract):
    @pytest.fixture
    def stores(self) -> Stores:
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        return Stores(store, store, InMemoryMunicipalMatches(store), ledger)


class TestDynamoDBMunicipalMatches(MunicipalMatchesContract):
    @pytest.fixture
    def stores(self, container: bootstrap.Container) -> Stores:
        return Stores(
            container.signal_store, container.match_store, container.municipal_matches, container.notification_ledger
        )
