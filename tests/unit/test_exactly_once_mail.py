"""Every kind of mail goes out once, however many runs try to send it at the same time.

Each test lets a second run happen at the worst moment (``RivalFirst``): while the first run's
mail is out, or between its read and its write. The kinds: the match overview to the new signal's
professional, the mail to each matched owner, the regievoerder's match notice, the archive notice,
the 14-day reminder, the removal notice on erasure and the moved-in notice.
"""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import Address, CloseReason, Professional, Signal
from chalicelib.domain.notifications import Notification, archived_notice
from chalicelib.ports import ChildPartition
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import CLAIM_LEASE, Delivery, send_once
from chalicelib.services.lifecycle import LifecycleIncomplete, LifecycleService
from chalicelib.services.matching import MatchService, NotificationInFlight
from chalicelib.services.signals import SignalService
from chalicelib.services.subjects import ChildCorrection, NothingStored, SubjectService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    FAILED,
    SENT,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    MailRefused,
    RecordingMailer,
    RivalFirst,
)

START = builders.START
TODAY = date(2026, 11, 28)
GGD = builders.organisation_principal()
BUURTTEAM = builders.organisation_principal(
    builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam", region="amsterdam")
)
UTRECHT = builders.municipality_principal("0344")
BSN = builders.bsn(1)
JANSEN = Professional(**builders.professional())
BAKKER = Professional("K. Bakker", "Buurtwerker", "k.bakker@buurtteam.example.nl", "020 555 0101")
REGIE_UTRECHT = "regie@utrecht.example.nl"
REGIE_AMSTERDAM = "regie@amsterdam.example.nl"
AMSTERDAM_ADDRESS = Address(
    street="Kerkstraat", house_number=5, postcode="1017GA", city="Amsterdam", municipality_code="0363"
)


class World:
    def __init__(self) -> None:
        self.logbook = InMemoryLogbook()
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.municipal = InMemoryMunicipalMatches(self.store)
        self.registry = InMemoryRegistry()
        self.registry.put_municipality("0344", "Utrecht", "utrecht", REGIE_UTRECHT, START)
        self.registry.put_municipality("0363", "Amsterdam", "amsterdam", REGIE_AMSTERDAM, START)
        self.mailer = RecordingMailer()
        self.clock = FixedClock(START)
        ids = MonotonicUlids()
        self.audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))

    def signals(self) -> SignalService:
        return SignalService(self.store, self.logbook, builders.pseudonymiser, self.audit)

    def matching(self, mailer: Any = None) -> MatchService:
        return MatchService(self.store, self.registry, self.ledger, mailer or self.mailer, self.audit)

    def lifecycle(self, mailer: Any = None, reminders: Any = None) -> LifecycleService:
        return LifecycleService(self.store, self.ledger, mailer or self.mailer, self.audit, reminders or self.municipal)

    def subjects(self, mailer: Any = None, store: Any = None, ledger: Any = None) -> SubjectService:
        return SubjectService(
            store or self.store,
            self.store,
            self.logbook,
            self.registry,
            ledger or self.ledger,
            mailer or self.mailer,
            builders.pseudonymiser,
            self.audit,
        )

    def register(self, principal: Any, professional: Professional, **overrides: Any) -> Signal:
        body = {"child": builders.child(bsn=BSN), "professional": asdict(professional)}
        return self.signals().register(principal, builders.new_signal(**(body | overrides)), None).signal

    def subjects_of(self, subject: str) -> list[str]:
        return [message.to for message in self.mailer.sent if message.subject.endswith(subject)]

    def partition(self) -> ChildPartition:
        """Everything stored about the child ``BSN``: signals, match records, mails filed under them."""
        return self.store.child_partition(builders.pseudonymiser().child(BSN).value)

    def sent_log(self) -> list[LogEntry]:
        return [entry for entry in self.logbook.entries if entry.action is Action.NOTIFICATION_SENT]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def matched(world: World) -> tuple[Signal, Signal]:
    """The GGD's signal for the child and, a minute later, the Buurtteam's, not yet matched."""
    first = world.register(GGD, JANSEN)
    world.clock.set(START + timedelta(minutes=1))
    second = world.register(BUURTTEAM, BAKKER)
    return first, second


def log_for(notification: Notification, world: World) -> LogEntry:
    now = world.clock.now()
    return LogEntry(id=world.audit.new_id(now), at=now, action=Action.NOTIFICATION_SENT, client_id="test")


# The one mechanism


def test_a_notification_goes_once_and_is_logged_once(world: World, matched: tuple[Signal, Signal]) -> None:
    notice = archived_notice(matched[0])
    now = world.clock.now()

    first = send_once(world.ledger, world.mailer, notice, now, log_for(notice, world))
    again = send_once(world.ledger, world.mailer, notice, now, log_for(notice, world))

    assert (first, again) == (Delivery.SENT, Delivery.ALREADY_SENT)
    assert world.mailer.recipients == [JANSEN.email]
    assert len(world.sent_log()) == 1
    assert world.ledger.status(notice) == SENT


def test_a_notification_claimed_by_another_run_is_left_to_it_until_its_lease_runs_out(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    notice = archived_notice(matched[0])
    now = world.clock.now()
    world.ledger.claim(notice, now, now + CLAIM_LEASE)

    assert send_once(world.ledger, world.mailer, notice, now, log_for(notice, world)) is Delivery.IN_FLIGHT
    later = now + CLAIM_LEASE + timedelta(seconds=1)
    assert send_once(world.ledger, world.mailer, notice, later, log_for(notice, world)) is Delivery.SENT
    assert world.mailer.recipients == [JANSEN.email]


def test_a_failed_send_releases_the_claim_so_the_next_run_sends_it(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    notice = archived_notice(matched[0])
    world.mailer.fail_for(JANSEN.email)
    now = world.clock.now()

    with pytest.raises(MailRefused):
        send_once(world.ledger, world.mailer, notice, now, log_for(notice, world))
    assert world.ledger.status(notice) == FAILED
    assert send_once(world.ledger, world.mailer, notice, now, log_for(notice, world)) is Delivery.SENT
    assert world.mailer.recipients == [JANSEN.email]


def test_nothing_is_sent_about_a_signal_that_is_gone(world: World, matched: tuple[Signal, Signal]) -> None:
    first, _ = matched
    notice = archived_notice(first)
    world.signals().close(GGD, first.id, CloseReason.UNJUSTIFIED)

    assert send_once(world.ledger, world.mailer, notice, world.clock.now(), log_for(notice, world)) is Delivery.GONE
    assert world.mailer.sent == []


def test_a_mail_out_while_its_signal_is_deleted_is_logged_and_leaves_no_ledger_entry(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first, _ = matched
    notice = archived_notice(first)
    unmatched = SignalWithMatches(signal=first)
    deleting = RivalFirst(world.mailer, "send", lambda: world.store.delete(unmatched, log_for(notice, world)))

    assert send_once(world.ledger, deleting, notice, world.clock.now(), log_for(notice, world)) is Delivery.SENT

    assert world.ledger.status(notice) is None
    assert len(world.sent_log()) == 2  # the rival's deletion line (as "test") and the mail's


# Each kind of mail, with two runs at once


def test_match_mails_go_once_when_the_record_is_processed_twice_at_once(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    _, second = matched
    overlapping = RivalFirst(world.mailer, "send", lambda: world.matching().process(second))

    outcome = world.matching(overlapping).process(second)
    redelivered = world.matching().process(second)

    assert isinstance(overlapping.rival_result, NotificationInFlight)
    assert (outcome.sent, redelivered.sent, redelivered.already_sent) == (3, 0, 3)
    assert sorted(world.mailer.recipients) == sorted([BAKKER.email, JANSEN.email, REGIE_UTRECHT])


def run_lifecycle_twice_at_once(world: World) -> tuple[Any, Any]:
    """A second run (an operator's, or a redelivered schedule) while the first one's mail is out."""
    overlapping = RivalFirst(world.mailer, "send", lambda: world.lifecycle().run())
    first = world.lifecycle(overlapping).run()
    return first, overlapping.rival_result


def test_the_archive_notice_goes_once_when_two_nightly_runs_overlap(world: World) -> None:
    expiring = world.register(GGD, JANSEN, end_date=(TODAY + timedelta(days=1)).isoformat())
    world.clock.set(START + timedelta(days=2))

    first, second = run_lifecycle_twice_at_once(world)

    assert world.subjects_of("gearchiveerd") == [JANSEN.email]
    assert (first.notices_sent, second.notices_sent) == (1, 0)
    assert sorted(first.archived + second.archived) == [expiring.id]
    archived = [e for e in world.logbook.entries if e.action is Action.SIGNAL_ARCHIVED]
    assert [e.signal_id for e in archived] == [expiring.id]
    assert world.lifecycle().run().notices_sent == 0


def test_each_reminder_goes_once_when_two_nightly_runs_overlap(world: World, matched: tuple[Signal, Signal]) -> None:
    world.matching().process(matched[1])
    world.mailer.sent.clear()
    world.clock.set(START + timedelta(days=14))

    first, second = run_lifecycle_twice_at_once(world)

    assert sorted(world.subjects_of("herinnering aan een open match")) == sorted([JANSEN.email, BAKKER.email])
    assert first.reminders_sent + second.reminders_sent == 2
    [match] = world.municipal.for_municipality("0344", None)
    assert match.reminded == (True, True)
    assert world.lifecycle().run().reminders_sent == 0


def test_a_reminder_sent_by_a_run_that_stopped_before_recording_it_is_not_sent_again(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    world.matching().process(matched[1])
    world.mailer.sent.clear()
    world.clock.set(START + timedelta(days=14))

    class StopsBeforeRecording(InMemoryMunicipalMatches):
        def mark_reminded(self, match: Any, side: int) -> None:
            raise ConnectionError("run stopped")

    with pytest.raises(LifecycleIncomplete):
        world.lifecycle(reminders=StopsBeforeRecording(world.store)).run()
    world.clock.set(START + timedelta(days=15))
    report = world.lifecycle().run()

    assert report.reminders_sent == 1  # the side the stopped run never reached
    assert sorted(world.subjects_of("herinnering aan een open match")) == sorted([JANSEN.email, BAKKER.email])
    assert world.municipal.for_municipality("0344", None)[0].reminded == (True, True)


def test_removal_notices_go_once_when_a_second_erasure_arrives_while_they_are_out(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    overlapping = RivalFirst(world.mailer, "send", lambda: world.subjects().erase(UTRECHT, BSN, "objection"))

    erased = world.subjects(overlapping).erase(UTRECHT, BSN, "objection")

    assert isinstance(overlapping.rival_result, Conflict)
    assert (erased.signals_erased, erased.professionals_notified) == (2, 2)
    assert sorted(world.subjects_of("verwijderd")) == sorted([JANSEN.email, BAKKER.email])
    assert world.partition() == ChildPartition([], [], {})
    with pytest.raises(NothingStored):
        world.subjects().erase(UTRECHT, BSN, "objection")


def test_removal_notices_go_once_when_two_erasures_read_the_child_at_the_same_time(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    # The second erasure has read the child's signals; the first one runs entirely before it goes on.
    earlier = RivalFirst(world.ledger, "claim", lambda: world.subjects().erase(UTRECHT, BSN, "objection"))

    late = world.subjects(ledger=earlier).erase(UTRECHT, BSN, "objection")

    assert earlier.rival_result.professionals_notified == 2  # type: ignore[attr-defined]
    assert (late.signals_erased, late.professionals_notified) == (2, 0)
    assert sorted(world.subjects_of("verwijderd")) == sorted([JANSEN.email, BAKKER.email])
    assert world.partition() == ChildPartition([], [], {})


def test_the_moved_in_notice_goes_once_when_three_rectifications_of_one_move_run_at_once(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    move = ChildCorrection(address=AMSTERDAM_ADDRESS)

    def two_more() -> list[Any]:
        return [world.subjects().rectify(UTRECHT, BSN, move) for _ in range(2)]

    rivals = RivalFirst(world.store, "replace_signals", two_more)
    result = world.subjects(store=rivals).rectify(UTRECHT, BSN, move)

    assert world.subjects_of("woont nu in uw gemeente") == [REGIE_AMSTERDAM]
    told = [r.new_municipality_notified for r in [*rivals.rival_result, result]]  # type: ignore[misc]
    assert told == [True, False, False]
    assert {s.child.address for s in world.partition().signals} == {AMSTERDAM_ADDRESS}


def test_the_moved_in_notice_goes_once_when_a_rectification_arrives_while_it_is_out(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    move = ChildCorrection(address=AMSTERDAM_ADDRESS)
    overlapping = RivalFirst(world.mailer, "send", lambda: world.subjects().rectify(UTRECHT, BSN, move))

    result = world.subjects(overlapping).rectify(UTRECHT, BSN, move)

    assert result.new_municipality_notified is True
    assert overlapping.rival_result.new_municipality_notified is False  # type: ignore[attr-defined]
    assert world.subjects_of("woont nu in uw gemeente") == [REGIE_AMSTERDAM]


def test_a_child_moving_back_and_in_again_is_a_new_move_each_time(world: World, matched: tuple[Signal, Signal]) -> None:
    subjects = world.subjects()
    utrecht = matched[0].child.address

    subjects.rectify(UTRECHT, BSN, ChildCorrection(address=AMSTERDAM_ADDRESS))
    subjects.rectify(UTRECHT, BSN, ChildCorrection(address=replace(utrecht)))
    subjects.rectify(UTRECHT, BSN, ChildCorrection(address=AMSTERDAM_ADDRESS))

    assert world.subjects_of("woont nu in uw gemeente") == [REGIE_AMSTERDAM, REGIE_UTRECHT, REGIE_AMSTERDAM]
