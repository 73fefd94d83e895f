"""No acknowledged change is lost when another change of the same signal lands in between.

Each test lets a rival change land between the read a use case made and its write (``RivalFirst``
around the store), and runs against the in-memory fakes and against DynamoDB on moto: both must
end with both changes stored, in the signal itself, in the other side's copy of it and in the
regievoerder's record.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb.municipal import DynamoDBMunicipalMatches
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import FollowUp, MatchedParty, MatchKind, MatchSide, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import CloseReason, Professional, Signal
from chalicelib.domain.notifications import archived_notice
from chalicelib.services.audit import Audit
from chalicelib.services.follow_up import FollowUpService
from chalicelib.services.lifecycle import LifecycleService
from chalicelib.services.matching import MatchService
from chalicelib.services.signals import SignalService
from chalicelib.services.subjects import ChildCorrection, SubjectService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    RecordingMailer,
    RivalFirst,
    signal_in,
)

START = builders.START
TODAY = date(2026, 11, 28)
GGD_ORG = builders.organisation()
BUURTTEAM_ORG = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
GGD = builders.organisation_principal(GGD_ORG)
BUURTTEAM = builders.organisation_principal(BUURTTEAM_ORG)
UTRECHT = builders.municipality_principal("0344")
BSN = builders.bsn(1)
JANSEN = Professional(**builders.professional())
BAKKER = Professional("K. Bakker", "Buurtwerker", "k.bakker@buurtteam.example.nl", "020 555 0101")
SMIT = Professional("A. Smit", "Jeugdverpleegkundige", "a.smit@ggd.example.nl", "+31 30 765 4321")
DE_BOER = Professional("Q. de Boer", "Wijkverpleegkundige", "q.deboer@ggd.example.nl", "+31 30 111 2222")


@dataclass
class World:
    store: Any
    """The signal store (on DynamoDB: ``DynamoDBSignalStore``)."""
    matches: Any
    """The match store, which keeps the copies a match holds of a signal (``DynamoDBMatchStore``)."""
    municipal: Any
    logbook: Any
    ledger: Any
    registry: Any
    mailer: RecordingMailer
    clock: FixedClock

    def __post_init__(self) -> None:
        ids = MonotonicUlids()
        self.audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))

    def signals(self, store: Any = None) -> SignalService:
        return SignalService(store or self.store, self.logbook, builders.pseudonymiser, self.audit)

    def subjects(self, store: Any = None) -> SubjectService:
        return SubjectService(
            store or self.store,
            self.matches,
            self.logbook,
            self.registry,
            self.ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
        )

    def follow_ups(self, matches: Any = None) -> FollowUpService:
        return FollowUpService(matches or self.municipal, self.logbook, self.audit)

    def lifecycle(self, store: Any = None) -> LifecycleService:
        return LifecycleService(store or self.store, self.ledger, self.mailer, self.audit, self.municipal)

    def matching(self) -> MatchService:
        return MatchService(self.matches, self.registry, self.ledger, self.mailer, self.audit)

    def copy_of(self, signal: Signal, held_by: Signal) -> MatchedParty:
        """``signal`` as the other side of the match keeps it."""
        holder = self.store.get(held_by.id)
        [match] = [m for m in holder.matches if m.other.signal_id == signal.id]
        return match.other

    def regievoerder_side(self, signal: Signal) -> MatchSide:
        [match] = self.municipal.for_municipality("0344", None)
        [side] = [side for side in match.sides if side.signal_id == signal.id]
        return side

    def actions(self, signal: Signal) -> list[Action]:
        """What was done to ``signal``, mails left out."""
        entries = self.logbook.entries_for_child(signal.child_pseudonym.value)
        return [e.action for e in entries if e.signal_id == signal.id and e.action is not Action.NOTIFICATION_SENT]


@pytest.fixture(params=["in-memory", "dynamodb"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> World:
    if request.param == "in-memory":
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        registry = InMemoryRegistry()
        municipal = InMemoryMunicipalMatches(store)
        built = World(store, store, municipal, logbook, ledger, registry, RecordingMailer(), clock)
    else:
        container: bootstrap.Container = request.getfixturevalue("container")
        built = World(
            container.signal_store,
            container.match_store,
            container.municipal_matches,
            container.logbook,
            container.notification_ledger,
            container.registry,
            RecordingMailer(),
            clock,
        )
    built.registry.put_municipality("0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", START)
    return built


def register(world: World, principal: Any, professional: Professional, **overrides: Any) -> Signal:
    body = {"child": builders.child(bsn=BSN), "professional": asdict(professional)}
    return world.signals().register(principal, builders.new_signal(**(body | overrides)), None).signal


def close(world: World, signal: Signal) -> Signal | None:
    return world.signals().close(GGD, signal.id, CloseReason.RISK_RESOLVED)


@pytest.fixture
def matched(world: World) -> tuple[Signal, Signal]:
    """The GGD's signal for the child and, a minute later, the Buurtteam's: matched on both sides."""
    first = register(world, GGD, JANSEN)
    world.clock.set(START + timedelta(minutes=1))
    second = register(world, BUURTTEAM, BAKKER)
    assert world.matching().process(second).matches == 1
    world.clock.set(START + timedelta(minutes=2))
    world.mailer.sent.clear()
    return first, second


# The reproductions


def test_a_hand_over_landing_during_a_close_is_kept_everywhere(world: World, matched: tuple[Signal, Signal]) -> None:
    first, second = matched
    rival = RivalFirst(world.store, "archive", lambda: world.signals().hand_over(GGD, first.id, SMIT))

    closed = world.signals(rival).close(GGD, first.id, CloseReason.RISK_RESOLVED)

    assert closed is not None and closed.signal.professional == SMIT
    stored = signal_in(world.store, first.id)
    assert (stored.professional, stored.archived_on, stored.close_reason) == (SMIT, TODAY, CloseReason.RISK_RESOLVED)
    copy = world.copy_of(first, held_by=second)
    assert (copy.professional, copy.archived_on, copy.delete_after) == (SMIT, TODAY, stored.delete_after)
    assert world.regievoerder_side(first).professional == SMIT
    assert world.actions(first) == [Action.SIGNAL_CREATED, Action.SIGNAL_HANDED_OVER, Action.SIGNAL_ARCHIVED]


def test_a_close_landing_during_a_hand_over_is_kept_everywhere(world: World, matched: tuple[Signal, Signal]) -> None:
    first, second = matched
    rival = RivalFirst(world.store, "replace_professional", lambda: close(world, first))

    handed_over = world.signals(rival).hand_over(GGD, first.id, SMIT).signal

    assert (handed_over.professional, handed_over.archived_on) == (SMIT, TODAY)
    stored = signal_in(world.store, first.id)
    assert (stored.professional, stored.archived_on) == (SMIT, TODAY)
    copy = world.copy_of(first, held_by=second)
    assert (copy.professional, copy.archived_on) == (SMIT, TODAY)
    assert world.regievoerder_side(first).professional == SMIT


def test_a_hand_over_landing_during_a_rectification_is_kept(world: World, matched: tuple[Signal, Signal]) -> None:
    first, second = matched
    rival = RivalFirst(world.store, "replace_signals", lambda: world.signals().hand_over(GGD, first.id, SMIT))

    result = world.subjects(rival).rectify(UTRECHT, BSN, ChildCorrection(family_name="de Wit"))

    assert result.signals_updated == 2
    for signal in (first, second):
        assert signal_in(world.store, signal.id).child.family_name == "de Wit"
    assert signal_in(world.store, first.id).professional == SMIT
    assert world.copy_of(first, held_by=second).professional == SMIT
    assert world.regievoerder_side(first).professional == SMIT


def test_a_rectification_landing_during_a_hand_over_is_kept(world: World, matched: tuple[Signal, Signal]) -> None:
    first, second = matched
    correcting = ChildCorrection(family_name="de Wit")
    rival = RivalFirst(world.store, "replace_professional", lambda: world.subjects().rectify(UTRECHT, BSN, correcting))

    world.signals(rival).hand_over(GGD, first.id, SMIT)

    stored = signal_in(world.store, first.id)
    assert (stored.professional, stored.child.family_name) == (SMIT, "de Wit")
    assert signal_in(world.store, second.id).child.family_name == "de Wit"
    assert world.copy_of(first, held_by=second).professional == SMIT


class Overtaken:
    """A store on which another change lands before every write of ``method``."""

    def __init__(self, store: Any, method: str, rival: Any) -> None:
        self._store = store
        self._method = method
        self._rival = rival

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name != self._method:
            return attribute

        def overtaken(*args: Any) -> Any:
            self._rival()
            return attribute(*args)

        return overtaken


def test_a_close_overtaken_on_every_attempt_gives_up_with_a_conflict_and_stores_nothing(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first, _ = matched
    professionals = iter([SMIT, DE_BOER, JANSEN])
    store = Overtaken(world.store, "archive", lambda: world.signals().hand_over(GGD, first.id, next(professionals)))

    with pytest.raises(Conflict):
        world.signals(store).close(GGD, first.id, CloseReason.RISK_RESOLVED)

    stored = signal_in(world.store, first.id)
    assert (stored.professional, stored.archived_on) == (JANSEN, None)
    assert world.actions(first).count(Action.SIGNAL_HANDED_OVER) == 3
    assert Action.SIGNAL_ARCHIVED not in world.actions(first)


def test_a_close_landing_during_a_close_archives_once(world: World, matched: tuple[Signal, Signal]) -> None:
    first, _ = matched
    rival = RivalFirst(world.store, "archive", lambda: close(world, first))

    again = world.signals(rival).close(GGD, first.id, CloseReason.RISK_RESOLVED)

    assert again == rival.rival_result == world.store.get(first.id)
    assert world.actions(first).count(Action.SIGNAL_ARCHIVED) == 1


def test_the_second_of_two_hand_overs_is_the_professional_everywhere(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first, second = matched
    rival = RivalFirst(world.store, "replace_professional", lambda: world.signals().hand_over(GGD, first.id, SMIT))

    world.signals(rival).hand_over(GGD, first.id, DE_BOER)

    assert signal_in(world.store, first.id).professional == DE_BOER
    assert world.copy_of(first, held_by=second).professional == DE_BOER
    assert world.regievoerder_side(first).professional == DE_BOER
    assert world.actions(first).count(Action.SIGNAL_HANDED_OVER) == 2


def test_a_late_refresh_of_an_older_change_leaves_the_newer_copy_in_place(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first, second = matched
    signals = world.signals()
    signals.hand_over(GGD, first.id, SMIT)
    older = world.store.get(first.id)
    assert older is not None
    signals.hand_over(GGD, first.id, DE_BOER)

    # The first hand-over's refresh of the copies, held up until after the second one's.
    world.matches.refresh_counterparts(older)

    assert world.copy_of(first, held_by=second).professional == DE_BOER
    assert world.regievoerder_side(first).professional == DE_BOER


def test_a_hand_over_before_the_match_function_reaches_the_signal_is_in_the_other_sides_copy(
    world: World,
) -> None:
    first = register(world, GGD, JANSEN)
    world.clock.set(START + timedelta(minutes=1))
    second = register(world, BUURTTEAM, BAKKER)
    world.signals().hand_over(BUURTTEAM, second.id, SMIT)

    world.matching().process(second)  # the stream's image still names Bakker

    assert world.copy_of(second, held_by=first).professional == SMIT
    assert world.regievoerder_side(second).professional == SMIT
    assert SMIT.email in world.mailer.recipients and BAKKER.email not in world.mailer.recipients


# The nightly job


@pytest.fixture
def expiring(world: World) -> Signal:
    """The GGD's signal, active until tomorrow: the job archives it the day after."""
    return register(world, GGD, JANSEN, end_date=(TODAY + timedelta(days=1)).isoformat())


def test_a_hand_over_landing_during_the_nightly_archive_is_kept(world: World, expiring: Signal) -> None:
    world.clock.set(START + timedelta(days=2))
    rival = RivalFirst(world.store, "archive", lambda: world.signals().hand_over(GGD, expiring.id, SMIT))

    report = world.lifecycle(rival).run()

    assert report.archived == [expiring.id]
    stored = signal_in(world.store, expiring.id)
    assert (stored.professional, stored.archived_on) == (SMIT, TODAY + timedelta(days=2))
    assert len(world.mailer.sent) == 1


def test_a_signal_deleted_during_the_nightly_archive_is_left_deleted_and_fails_nothing(
    world: World, expiring: Signal
) -> None:
    world.clock.set(START + timedelta(days=2))
    rival = RivalFirst(world.store, "archive", lambda: world.signals().close(GGD, expiring.id, CloseReason.UNJUSTIFIED))

    report = world.lifecycle(rival).run()

    assert (report.archived, report.failed) == ([], [])
    assert world.store.get(expiring.id) is None
    assert Action.SIGNAL_ARCHIVED not in world.actions(expiring)


# The regievoerder's record


def test_a_match_set_back_to_open_is_due_for_its_reminder_again(world: World, matched: tuple[Signal, Signal]) -> None:
    [match] = world.municipal.for_municipality("0344", None)
    follow_ups = world.follow_ups()
    follow_ups.follow_up(UTRECHT, match.id, FollowUp.CONTACT_MADE, "TEL")
    due_day = match.reminder_due()
    assert world.municipal.due_reminders(due_day) == []

    reopened = follow_ups.follow_up(UTRECHT, match.id, FollowUp.OPEN, None)

    assert reopened.follow_up is FollowUp.OPEN
    assert [m.id for m in world.municipal.due_reminders(due_day)] == [match.id]


def test_reopening_a_match_whose_reminders_went_meanwhile_leaves_it_out_of_the_job(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    [match] = world.municipal.for_municipality("0344", None)
    world.follow_ups().follow_up(UTRECHT, match.id, FollowUp.CONTACT_MADE, None)

    def remind_both() -> None:
        world.municipal.mark_reminded(match, 0)
        world.municipal.mark_reminded(match, 1)

    rival = RivalFirst(world.municipal, "record_follow_up", remind_both)
    reopened = world.follow_ups(rival).follow_up(UTRECHT, match.id, FollowUp.OPEN, None)

    assert reopened.reminded == (True, True)
    assert world.municipal.get("0344", match.id).reminded == (True, True)
    assert world.municipal.due_reminders(match.reminder_due() + timedelta(days=30)) == []


def test_a_reminder_recorded_by_two_runs_at_once_leaves_the_job_once_both_sides_are_reminded(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    [match] = world.municipal.for_municipality("0344", None)
    rival = RivalFirst(world.municipal, "mark_reminded", lambda: world.municipal.mark_reminded(match, 1))

    rival.mark_reminded(match, 0)

    assert world.municipal.get("0344", match.id).reminded == (True, True)
    assert world.municipal.due_reminders(match.reminder_due()) == []


# A lost race is a conflict, never "not found"


def transaction_conflict(stubber: Stubber, actions: int) -> None:
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] + [
        {"Code": "None"}
    ] * (actions - 1)
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={"CancellationReasons": reasons},
    )


def test_a_follow_up_that_loses_a_transaction_race_is_a_conflict_not_a_404(container: bootstrap.Container) -> None:
    side = MatchSide(
        signal_id="s1",
        child_pseudonym="p",
        key_version="1",
        organisation=GGD_ORG,
        professional=JANSEN,
        case_reference=None,
        signal_created_at=START,
        delete_after=date(2031, 11, 28),
    )
    match = MunicipalMatch(id="mt_1", municipality_code="0344", kind=MatchKind.CHILD, since=START, sides=(side, side))
    matches = DynamoDBMunicipalMatches(Table(container.dynamodb, container.settings.signals_table), container.logbook)
    log = LogEntry(id=container.new_id(START), at=START, action=Action.MATCH_FOLLOWED_UP, client_id="gm0344")
    with Stubber(container.dynamodb) as stubber:
        transaction_conflict(stubber, actions=2)
        with pytest.raises(Conflict):
            matches.record_follow_up(match, FollowUp.CONTACT_MADE, None, START, log)


def test_a_change_of_a_signal_that_loses_a_transaction_race_is_a_conflict(container: bootstrap.Container) -> None:
    signal = builders.domain_signal()
    log = LogEntry(id=container.new_id(START), at=START, action=Action.SIGNAL_HANDED_OVER, client_id=GGD_ORG.id)
    with Stubber(container.dynamodb) as stubber:
        transaction_conflict(stubber, actions=2)
        with pytest.raises(Conflict):
            container.signal_store.replace_professional(SignalWithMatches(signal=signal), SMIT, log)


def test_a_sent_mark_refused_while_a_transaction_held_the_item_is_made_again(container: bootstrap.Container) -> None:
    notice = archived_notice(builders.domain_signal())
    log = LogEntry(id=container.new_id(START), at=START, action=Action.NOTIFICATION_SENT, client_id="test")
    with Stubber(container.dynamodb) as stubber:
        # The log line, then the mark: refused once because a transaction held the entry, then made.
        stubber.add_response("put_item", {})
        stubber.add_client_error("update_item", "TransactionConflictException", http_status_code=400)
        stubber.add_response("update_item", {})
        container.notification_ledger.mark_sent(notice, "message-1", log)
        stubber.assert_no_pending_responses()
