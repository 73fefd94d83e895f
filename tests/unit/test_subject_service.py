"""The family's rights (SubjectService) and the regievoerder's follow-up (FollowUpService) on in-memory fakes."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import Address, Principal, PrincipalKind, Professional, Signal, SignalStatus
from chalicelib.services.audit import Audit
from chalicelib.services.follow_up import FollowUpService
from chalicelib.services.matching import MatchService
from chalicelib.services.signals import SignalService
from chalicelib.services.subjects import ChildCorrection, NothingStored, SubjectService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    RecordingMailer,
)

START = builders.START
BSN = builders.bsn(1)
PSEUDONYM = builders.pseudonymiser().child(BSN)
GGD = builders.organisation_principal()
BUURTTEAM = builders.organisation_principal(
    builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam", region="amsterdam")
)
UTRECHT = builders.municipality_principal("0344", "utrecht")
AMSTERDAM = builders.municipality_principal("0363", "amsterdam")
GRONINGEN = builders.municipality_principal("0014", "groningen")
ADMIN = Principal(client_id="admin_ops", kind=PrincipalKind.ADMIN)
JANSEN = Professional(**builders.professional())
BAKKER = Professional("K. Bakker", "Buurtwerker", "k.bakker@buurtteam.example.nl", "+31 20 555 0101")
REGIE_AMSTERDAM = "regie@amsterdam.example.nl"
KERKSTRAAT = Address(street="Kerkstraat", house_number=5, postcode="1017GA", city="Amsterdam", municipality_code="0363")


class World:
    def __init__(self) -> None:
        self.logbook = InMemoryLogbook()
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.municipal = InMemoryMunicipalMatches(self.store)
        self.registry = InMemoryRegistry()
        self.registry.put_municipality("0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", START)
        self.registry.put_municipality("0363", "Amsterdam", "amsterdam", REGIE_AMSTERDAM, START)
        self.mailer = RecordingMailer()
        self.clock = FixedClock(START)
        ids = MonotonicUlids()
        self.audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))
        self.service = SubjectService(
            self.store,
            self.store,
            self.logbook,
            self.registry,
            self.ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
        )
        self.follow_ups = FollowUpService(self.municipal, self.logbook, self.audit)

    def register(self, principal: Any, professional: Professional, seed: int = 1, **child: Any) -> Signal:
        self.clock.set(self.clock.now() + timedelta(minutes=1))
        body = {"child": builders.child(bsn=builders.bsn(seed), **child), "professional": asdict(professional)}
        signals = SignalService(self.store, self.logbook, builders.pseudonymiser, self.audit)
        signal = signals.register(principal, builders.new_signal(**body), None).signal
        MatchService(self.store, self.registry, self.ledger, self.mailer, self.audit).process(signal)
        return signal

    def logged(self, action: Action) -> list[LogEntry]:
        return [entry for entry in self.logbook.entries_for_child(PSEUDONYM.value) if entry.action is action]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def matched(world: World) -> tuple[Signal, Signal]:
    """The GGD (region Utrecht) signals the child at its Utrecht address; the Buurtteam follows."""
    return world.register(GGD, JANSEN), world.register(BUURTTEAM, BAKKER)


# Who may ask


@pytest.mark.parametrize("principal", [GGD, ADMIN], ids=["organisation", "administrator"])
def test_only_a_municipality_may_exercise_the_familys_rights(world: World, principal: Any) -> None:
    with pytest.raises(Forbidden):
        world.service.access(principal, BSN)
    with pytest.raises(Forbidden):
        world.follow_ups.matches(principal, None)


def test_a_municipality_where_the_child_lives_or_of_the_signalling_region_may_see_it(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    assert len(world.service.access(UTRECHT, BSN).signals) == 2
    assert len(world.service.access(AMSTERDAM, BSN).signals) == 2  # the Buurtteam is of its region


def test_any_other_municipality_hears_that_nothing_is_stored_and_leaves_no_trace(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    before = len(world.logbook.entries)
    with pytest.raises(NothingStored):
        world.service.access(GRONINGEN, BSN)
    with pytest.raises(NothingStored):
        world.service.erase(GRONINGEN, BSN, "objection")
    assert len(world.logbook.entries) == before
    assert isinstance(NothingStored("x"), NotFound)  # the same 404 as an unknown child


def test_signals_past_their_delete_day_are_not_stored_as_far_as_anyone_can_tell(world: World) -> None:
    world.register(GGD, JANSEN)
    world.clock.set(datetime(2034, 1, 1, 9, tzinfo=UTC))
    with pytest.raises(NothingStored):
        world.service.access(UTRECHT, BSN)


# Access


def test_access_shows_every_signal_its_matches_and_the_log_and_logs_the_access(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first, second = matched

    record = world.service.access(UTRECHT, BSN)

    assert [read.signal.id for read in record.signals] == [first.id, second.id]
    assert [len(read.matches) for read in record.signals] == [1, 1]
    assert record.child == second.child
    assert record.status(record.signals[0]) is SignalStatus.ACTIVE
    [accessed] = world.logged(Action.SUBJECT_ACCESSED)
    assert (accessed.client_id, accessed.municipality_code, accessed.key_version) == ("gm0344", "0344", "1")
    assert record.log[-1] == accessed
    assert BSN not in repr(record)


# Rectification


def test_a_correction_is_made_in_every_signal(world: World, matched: tuple[Signal, Signal]) -> None:
    result = world.service.rectify(UTRECHT, BSN, ChildCorrection(family_name="de Wit", clear_family_name_prefix=True))

    assert (result.signals_updated, result.new_municipality_notified) == (2, False)
    assert (result.child.family_name, result.child.family_name_prefix) == ("de Wit", None)
    stored = [read.signal for read in world.service.access(UTRECHT, BSN).signals]
    assert {(s.child.family_name, s.child.family_name_prefix, s.version) for s in stored} == {("de Wit", None, 1)}
    assert len(world.logged(Action.SUBJECT_RECTIFIED)) == 1


def test_a_later_birth_date_shortens_every_period_to_the_day_before_the_23rd_birthday(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    world.service.rectify(UTRECHT, BSN, ChildCorrection(birth_date=date(2005, 1, 10)))

    for read in world.service.access(UTRECHT, BSN).signals:
        assert read.signal.active_until <= date(2028, 1, 9)
        assert read.signal.delete_after == date(2028, 1, 9)


def test_a_birth_date_that_makes_the_child_23_is_refused_and_changes_nothing(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        world.service.rectify(UTRECHT, BSN, ChildCorrection(birth_date=date(2003, 11, 1)))

    assert [error.field for error in raised.value.errors] == ["child.birth_date"]
    assert world.logged(Action.SUBJECT_RECTIFIED) == []


def test_a_move_tells_the_regievoerder_of_the_new_municipality_once(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    first = world.service.rectify(UTRECHT, BSN, ChildCorrection(address=KERKSTRAAT))
    again = world.service.rectify(UTRECHT, BSN, ChildCorrection(address=replace(KERKSTRAAT, house_number=7)))

    assert (first.new_municipality_notified, again.new_municipality_notified) == (True, False)
    assert world.mailer.recipients.count(REGIE_AMSTERDAM) == 1
    [moved] = [mail for mail in world.mailer.to(REGIE_AMSTERDAM)]
    assert BSN not in moved.text and "Kerkstraat" not in moved.text


# Erasure


def test_erasure_deletes_every_signal_tells_each_professional_and_keeps_only_the_fact(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    sent_before = len(world.mailer.sent)

    erased = world.service.erase(UTRECHT, BSN, "objection")

    assert (erased.signals_erased, erased.professionals_notified) == (2, 2)
    assert sorted(m.to for m in world.mailer.sent[sent_before:]) == sorted([JANSEN.email, BAKKER.email])
    assert world.store.child_partition(PSEUDONYM.value).signals == []
    [fact] = world.logged(Action.SUBJECT_ERASED)
    assert (fact.signal_id, fact.detail) == (None, "2 signal(s)")
    assert len(world.logged(Action.SIGNAL_DELETED)) == 2
    with pytest.raises(NothingStored):
        world.service.access(UTRECHT, BSN)


# The regievoerder


def test_the_regievoerder_lists_the_municipalitys_matches_and_the_listing_is_logged(
    world: World, matched: tuple[Signal, Signal]
) -> None:
    [match] = world.follow_ups.matches(UTRECHT, None)

    assert {side.signal_id for side in match.sides} == {s.id for s in matched}
    assert world.follow_ups.matches(AMSTERDAM, None) == []
    listed = [e for e in world.logbook.entries if e.action is Action.MATCHES_LISTED]
    assert [(e.client_id, e.municipality_code, e.child_pseudonym) for e in listed] == [
        ("gm0344", "0344", None),
        ("gm0363", "0363", None),
    ]


def test_a_follow_up_is_recorded_and_logged_under_the_child(world: World, matched: tuple[Signal, Signal]) -> None:
    [match] = world.follow_ups.matches(UTRECHT, None)

    followed = world.follow_ups.follow_up(UTRECHT, match.id, FollowUp.CONTACT_MADE, "OVERLEG")

    assert (followed.follow_up, followed.note_code) == (FollowUp.CONTACT_MADE, "OVERLEG")
    assert world.municipal.get("0344", match.id) == followed
    [logged] = world.logged(Action.MATCH_FOLLOWED_UP)
    assert logged.detail == f"{match.id}: contact_made"


def test_a_follow_up_of_another_municipalitys_match_is_not_found(world: World, matched: tuple[Signal, Signal]) -> None:
    [match] = world.follow_ups.matches(UTRECHT, None)
    with pytest.raises(NotFound):
        world.follow_ups.follow_up(AMSTERDAM, match.id, FollowUp.CONTACT_MADE, None)


def test_a_follow_up_takes_only_a_note_code_from_the_list(world: World, matched: tuple[Signal, Signal]) -> None:
    [match] = world.follow_ups.matches(UTRECHT, None)
    with pytest.raises(InvalidInput):
        world.follow_ups.follow_up(UTRECHT, match.id, FollowUp.CONTACT_MADE, "overleg")
    assert world.municipal.get("0344", match.id) == match
