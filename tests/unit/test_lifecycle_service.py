"""The nightly lifecycle job on in-memory fakes, and the due dates it follows."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import DuplicateActiveSignal
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.lifecycle import Transition, due_transition, next_due
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import both_sides, find_matches
from chalicelib.domain.model import CloseReason, Professional, Signal, SignalStatus
from chalicelib.domain.notifications import archived_notice
from chalicelib.services.audit import Audit
from chalicelib.services.lifecycle import CLIENT_ID, LifecycleIncomplete, LifecycleService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    FAILED,
    SENT,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    RecordingMailer,
    signal_in,
)

DAY = timedelta(days=1)
START = builders.START
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs")
JANSEN = Professional("P. Jansen", "Jeugdverpleegkundige", "p.jansen@ggd.example.nl", "+31 30 123 4567")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31 20 555 0101")
DE_WIT = Professional("M. de Wit", "Intern begeleider", "m.dewit@linde.example.nl", "+31 30 222 3333")
ACTIVE_UNTIL = date(2027, 1, 31)
DELETE_AFTER = date(2032, 1, 31)


def signal(seed: int = 1, org: Any = GGD, professional: Professional = JANSEN, **overrides: Any) -> Signal:
    values: dict[str, Any] = {"active_until": ACTIVE_UNTIL, "delete_after": DELETE_AFTER} | overrides
    return builders.domain_signal(seed=seed, org=org, professional=professional, **values)


def at_night(day: date) -> datetime:
    """01:30 UTC, when the schedule runs: 02:30 or 03:30 on ``day`` in the Netherlands."""
    return datetime(day.year, day.month, day.day, 1, 30, tzinfo=UTC)


# The due dates (domain)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_active_signal_is_due_for_archiving_the_day_after_its_active_period() -> None:
    active = signal()

    assert next_due(active) == ACTIVE_UNTIL + DAY
    assert due_transition(active, ACTIVE_UNTIL) is None
    assert due_transition(active, ACTIVE_UNTIL + DAY) is Transition.ARCHIVE


def test_archived_signal_is_due_for_deletion_the_day_after_delete_after() -> None:
    archived = replace(signal(), archived_on=ACTIVE_UNTIL + DAY)

    assert next_due(archived) == DELETE_AFTER + DAY
    assert due_transition(archived, ACTIVE_UNTIL + DAY) is None
    assert due_transition(archived, DELETE_AFTER) is None
    assert due_transition(archived, DELETE_AFTER + DAY) is Transition.DELETE


def test_child_turning_23_while_active_is_deleted_never_archived() -> None:
    birth = date(2005, 3, 10)  # 23 on 2028-03-10, within two years of the signal
    active = builders.domain_signal(birth_date=birth)
    assert active.active_until == active.delete_after == date(2028, 3, 9)

    assert next_due(active) == date(2028, 3, 10)
    assert all(due_transition(active, day) is None for day in days_between(START.date(), date(2028, 3, 9)))
    assert due_transition(active, date(2028, 3, 10)) is Transition.DELETE


def test_closed_risk_resolved_signal_is_never_archived_again_and_deleted_after_its_delete_day() -> None:
    closed_on = date(2027, 1, 5)
    active = signal(active_until=date(2028, 11, 28))
    closed = replace(
        active,
        archived_on=closed_on,
        close_reason=CloseReason.RISK_RESOLVED,
        delete_after=lifecycle.delete_after(closed_on, active.child.birth_date),
    )
    assert closed.delete_after == date(2032, 1, 5)

    assert next_due(closed) == date(2032, 1, 6)
    assert due_transition(closed, date(2028, 11, 29)) is None
    assert due_transition(closed, date(2032, 1, 5)) is None
    assert due_transition(closed, date(2032, 1, 6)) is Transition.DELETE


def test_a_missed_archive_day_is_still_an_archive_later() -> None:
    assert due_transition(signal(), ACTIVE_UNTIL + 300 * DAY) is Transition.ARCHIVE


def test_a_signal_never_archived_past_its_delete_day_is_deleted() -> None:
    assert due_transition(signal(), DELETE_AFTER + DAY) is Transition.DELETE


# The job on fakes


class World:
    def __init__(self, today: date) -> None:
        self.logbook = InMemoryLogbook()
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.mailer = RecordingMailer()
        self.clock = FixedClock(at_night(today))
        ids = MonotonicUlids()
        self.service = LifecycleService(
            self.store, self.ledger, self.mailer, Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))
        )

    def on(self, day: date) -> World:
        self.clock.set(at_night(day))
        return self

    def run(self) -> Any:
        return self.service.run()

    def created(self, signal: Signal) -> LogEntry:
        return LogEntry(id=os.urandom(13).hex(), at=signal.created_at, action=Action.SIGNAL_CREATED, client_id=GGD.id)

    def log(self, action: Action) -> list[LogEntry]:
        return [entry for entry in self.logbook.entries if entry.action is action]


@pytest.fixture
def world() -> World:
    return World(ACTIVE_UNTIL)


def test_nothing_happens_on_the_last_active_day(world: World) -> None:
    world.store.put(active := signal())

    report = world.run()

    assert (report.archived, report.deleted, report.notices_sent) == ([], [], 0)
    assert signal_in(world.store, active.id) == active
    assert world.mailer.sent == []
    assert world.logbook.entries == []


def test_expired_signal_is_archived_the_next_day(world: World) -> None:
    world.store.put(expired := signal())

    report = world.on(ACTIVE_UNTIL + DAY).run()

    assert report.archived == [expired.id]
    stored = signal_in(world.store, expired.id)
    assert stored is not None
    assert stored.archived_on == ACTIVE_UNTIL + DAY
    assert lifecycle.status_on(stored, ACTIVE_UNTIL + DAY) is SignalStatus.ARCHIVED
    assert world.store.due_signals(ACTIVE_UNTIL + DAY) == []


def test_owner_of_an_archived_signal_is_told_once(world: World) -> None:
    world.store.put(expired := signal(case_reference="JGZ-1"))

    first = world.on(ACTIVE_UNTIL + DAY).run()
    again = world.run()
    later = world.on(ACTIVE_UNTIL + 30 * DAY).run()

    assert (first.notices_sent, again.notices_sent, later.notices_sent) == (1, 0, 0)
    [notice] = world.mailer.sent
    assert notice.to == JANSEN.email
    assert notice.subject == "Verwijsindex: uw melding is gearchiveerd"
    assert expired.id in notice.text and "JGZ-1" in notice.text
    assert world.ledger.status(archived_notice(expired)) == SENT


def test_archiving_releases_the_active_signal_guard(world: World) -> None:
    world.store.put(signal())
    # Registered on the last active day, when an unreleased guard would still hold.
    successor = signal(created_at=at_night(ACTIVE_UNTIL))
    with pytest.raises(DuplicateActiveSignal):
        world.store.add(successor, ACTIVE_UNTIL, None, world.created(successor))

    world.on(ACTIVE_UNTIL + DAY).run()

    world.store.add(successor, ACTIVE_UNTIL, None, world.created(successor))
    assert signal_in(world.store, successor.id) == successor


def test_archiving_and_its_notice_are_logged(world: World) -> None:
    world.store.put(expired := signal())

    world.on(ACTIVE_UNTIL + DAY).run()

    [archived] = world.log(Action.SIGNAL_ARCHIVED)
    [notified] = world.log(Action.NOTIFICATION_SENT)
    for entry in (archived, notified):
        assert entry.client_id == CLIENT_ID
        assert entry.organisation_id == GGD.id
        assert entry.signal_id == expired.id
        assert entry.child_pseudonym == expired.child_pseudonym.value
        assert entry.key_version == expired.child_pseudonym.key_version
        assert entry.at == at_night(ACTIVE_UNTIL + DAY)
    assert archived.id != notified.id
    assert world.logbook.entries_for_child(expired.child_pseudonym.value) == sorted(
        [archived, notified], key=lambda e: e.id
    )


def test_signal_past_delete_after_is_deleted_without_mail(world: World) -> None:
    archived = replace(signal(), archived_on=ACTIVE_UNTIL + DAY)
    world.store.put(archived)

    before = world.on(DELETE_AFTER).run()
    report = world.on(DELETE_AFTER + DAY).run()

    assert before.deleted == []
    assert report.deleted == [archived.id]
    assert world.store.get(archived.id) is None
    assert world.mailer.sent == []
    [deleted] = world.log(Action.SIGNAL_DELETED)
    assert (deleted.signal_id, deleted.child_pseudonym, deleted.client_id) == (
        archived.id,
        archived.child_pseudonym.value,
        CLIENT_ID,
    )


def test_deleting_a_signal_takes_its_match_records_along(world: World) -> None:
    old = replace(signal(), archived_on=ACTIVE_UNTIL + DAY)
    newer = builders.domain_signal(org=BUURTTEAM, professional=BAKKER, created_at=START + timedelta(days=40))
    world.store.put(old, newer)
    world.store.save_matches(newer.id, both_sides(newer, find_matches(newer, [old], [], False, date(2027, 1, 7))))
    assert len(world.store.child_partition(old.child_pseudonym.value).matches) == 2

    world.on(DELETE_AFTER + DAY).run()

    assert world.store.get(old.id) is None
    assert world.store.child_partition(old.child_pseudonym.value).matches == []
    kept = world.store.get(newer.id)
    assert kept is not None and kept.matches == ()


def test_signal_of_a_child_turning_23_while_active_is_deleted_not_archived(world: World) -> None:
    young_adult = builders.domain_signal(birth_date=date(2005, 3, 10))
    world.store.put(young_adult)

    report = world.on(date(2028, 3, 10)).run()

    assert (report.archived, report.deleted) == ([], [young_adult.id])
    assert world.mailer.sent == []
    assert world.log(Action.SIGNAL_ARCHIVED) == []
    assert world.store.get(young_adult.id) is None


def test_closed_signal_is_left_alone_until_its_delete_day(world: World) -> None:
    closed = signal(archived_on=date(2027, 1, 5), close_reason=CloseReason.RISK_RESOLVED)
    world.store.put(closed)

    report = world.on(ACTIVE_UNTIL + DAY).run()

    assert (report.archived, report.deleted, report.notices_sent) == ([], [], 0)
    assert signal_in(world.store, closed.id) == closed
    assert world.on(DELETE_AFTER + DAY).run().deleted == [closed.id]


# Failures


def test_mail_failure_leaves_the_signal_due_and_the_run_fails_after_handling_the_others(world: World) -> None:
    refused = signal(1, GGD, JANSEN)
    archivable = signal(2, BUURTTEAM, BAKKER)
    deletable = replace(signal(3, SCHOOL, DE_WIT, delete_after=ACTIVE_UNTIL), archived_on=date(2026, 12, 1))
    world.store.put(refused, archivable, deletable)
    world.mailer.fail_for(JANSEN.email)

    with pytest.raises(LifecycleIncomplete) as raised:
        world.on(ACTIVE_UNTIL + DAY).run()

    report = raised.value.report
    assert report.failed == [refused.id]
    assert report.archived == [archivable.id]
    assert report.deleted == [deletable.id]
    assert report.notices_sent == 1
    stored = signal_in(world.store, refused.id)
    assert stored is not None and stored.archived_on is None
    assert world.store.due_signals(ACTIVE_UNTIL + DAY) == [stored]
    assert world.ledger.status(archived_notice(refused)) == FAILED
    assert world.log(Action.SIGNAL_ARCHIVED)[0].signal_id == archivable.id


def test_next_run_archives_what_failed_and_sends_its_notice_once(world: World) -> None:
    world.store.put(refused := signal(1, GGD, JANSEN), other := signal(2, BUURTTEAM, BAKKER))
    world.mailer.fail_for(JANSEN.email)
    with pytest.raises(LifecycleIncomplete):
        world.on(ACTIVE_UNTIL + DAY).run()

    report = world.on(ACTIVE_UNTIL + 2 * DAY).run()

    assert report.archived == [refused.id]
    assert report.failed == []
    assert world.mailer.recipients.count(JANSEN.email) == 1
    assert world.mailer.recipients.count(BAKKER.email) == 1
    stored = signal_in(world.store, refused.id)
    assert stored is not None and stored.archived_on == ACTIVE_UNTIL + DAY
    assert signal_in(world.store, other.id).archived_on == ACTIVE_UNTIL + DAY  # type: ignore[union-attr]


class ArchiveFailsOnce(InMemoryMatchStore):
    """A store whose first archive write is lost, after the notice went out."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.failures = 1

    def archive(self, signal: Signal, archived: Signal, log: LogEntry) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("write lost")
        super().archive(signal, archived, log)


def test_notice_already_sent_is_not_sent_again_when_only_the_archive_write_failed() -> None:
    world = World(ACTIVE_UNTIL + DAY)
    world.store = ArchiveFailsOnce(world.logbook, world.ledger)
    world.service = LifecycleService(
        world.store, world.ledger, world.mailer, Audit(world.clock, lambda at: os.urandom(13).hex())
    )
    world.store.put(expired := signal())

    with pytest.raises(LifecycleIncomplete):
        world.run()
    report = world.run()

    assert report.archived == [expired.id]
    assert report.notices_sent == 0
    assert world.mailer.recipients == [JANSEN.email]
    assert len(world.log(Action.NOTIFICATION_SENT)) == 1
    assert len(world.log(Action.SIGNAL_ARCHIVED)) == 1


# Catching up


def test_run_after_skipped_days_handles_everything_that_fell_due_meanwhile(world: World) -> None:
    first = signal(1, GGD, JANSEN, active_until=date(2027, 1, 20))
    second = signal(2, BUURTTEAM, BAKKER, active_until=date(2027, 1, 25))
    gone = signal(3, SCHOOL, DE_WIT, active_until=date(2026, 12, 1), delete_after=date(2027, 1, 22))
    gone = replace(gone, archived_on=date(2026, 12, 2))
    not_yet = signal(4, GGD, JANSEN, active_until=date(2027, 2, 15))
    world.store.put(first, second, gone, not_yet)

    report = world.on(date(2027, 1, 31)).run()

    assert sorted(report.archived) == sorted([first.id, second.id])
    assert report.deleted == [gone.id]
    assert report.notices_sent == 2
    # Archived from the day after their own active period, not from the day the job caught up.
    assert signal_in(world.store, first.id).archived_on == date(2027, 1, 21)  # type: ignore[union-attr]
    assert signal_in(world.store, second.id).archived_on == date(2027, 1, 26)  # type: ignore[union-attr]
    assert signal_in(world.store, not_yet.id).archived_on is None  # type: ignore[union-attr]


def test_active_signal_missed_past_its_delete_day_is_deleted_without_notice(world: World) -> None:
    missed = signal(active_until=date(2027, 1, 10), delete_after=date(2027, 1, 20))
    world.store.put(missed)

    report = world.on(date(2027, 1, 31)).run()

    assert (report.archived, report.deleted) == ([], [missed.id])
    assert world.mailer.sent == []


def test_the_dutch_date_decides_what_is_due() -> None:
    world = World(ACTIVE_UNTIL)
    world.store.put(expired := signal())
    # 23:30 UTC on the last active day is already the next day in the Netherlands.
    world.clock.set(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))

    assert world.run().archived == [expired.id]
