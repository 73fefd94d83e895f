"""The signal use cases on in-memory fakes, with a clock that only moves when told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import (
    DuplicateActiveSignal,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
)
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import (
    CloseReason,
    InformParty,
    Organisation,
    Principal,
    PrincipalKind,
    Professional,
    Signal,
    SignalStatus,
)
from chalicelib.services.audit import Audit
from chalicelib.services.signals import NewSignal, SignalService
from local.clock import FixedClock
from tests import builders
from tests.fakes import InMemoryLogbook, InMemorySignalStore, signal_in

START = builders.START
TODAY = date(2026, 11, 28)
ORG = builders.organisation()
OTHER_ORG = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
GGD = builders.organisation_principal(ORG)
BUURTTEAM = builders.organisation_principal(OTHER_ORG)
MUNICIPALITY = builders.municipality_principal("0344")
ADMIN = Principal(client_id="admin_beheer", kind=PrincipalKind.ADMIN)
KEYS = builders.pseudonymiser()
NEW_PROFESSIONAL = Professional("Q. de Boer", "Wijkverpleegkundige", "q.deboer@ggd.example.nl", "+31 30 765 4321")


def request(seed: int = 1, **overrides: Any) -> NewSignal:
    """A request for the child ``bsn(seed)``."""
    child = builders.child(bsn=builders.bsn(seed)) | overrides.pop("child", {})
    return builders.new_signal(child=child, **overrides)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def logbook() -> InMemoryLogbook:
    return InMemoryLogbook()


@pytest.fixture
def store(logbook: InMemoryLogbook) -> InMemorySignalStore:
    return InMemorySignalStore(logbook)


@pytest.fixture
def service(store: InMemorySignalStore, logbook: InMemoryLogbook, clock: FixedClock) -> SignalService:
    return SignalService(store, logbook, builders.pseudonymiser, Audit(clock, new_id))


def stored_ids(store: InMemorySignalStore, organisation: Organisation = ORG) -> list[str]:
    """The organisation's signals the store holds, newest first, read through the port."""
    page = store.list_for_organisation(organisation.id, None, START.date(), 100, None)
    return [read.signal.id for read in page.signals]


def advance(clock: FixedClock, **delta: float) -> None:
    clock.set(clock.now() + timedelta(**delta))


def register(service: SignalService, principal: Principal = GGD, seed: int = 1, **overrides: Any) -> Signal:
    result = service.register(principal, request(seed, **overrides), None)
    assert not result.replayed
    return result.signal


# Registering


def test_registered_signal_is_stored_active_with_its_dates(service: SignalService, store: InMemorySignalStore) -> None:
    signal = register(service)
    assert signal_in(store, signal.id) == signal
    assert service.status(signal) is SignalStatus.ACTIVE
    assert signal.created_at == START
    assert signal.active_until == date(2028, 11, 28)
    assert signal.delete_after == date(2033, 11, 28)
    assert signal.organisation == ORG
    assert signal.case_reference == "JGZ-2026-0042"
    assert signal.family_informed is True


def test_registered_signal_holds_the_child_pseudonym_and_never_the_bsn(
    service: SignalService, store: InMemorySignalStore
) -> None:
    signal = register(service, seed=7)
    assert signal.child_pseudonym == KEYS.child(builders.bsn(7))
    assert signal.address_pseudonym == KEYS.address(signal.child.address)
    assert builders.bsn(7) not in repr(store.get(signal.id))
    assert builders.bsn(7) not in repr(store.list_for_organisation(ORG.id, None, START.date(), 10, None))


def test_registration_time_is_kept_to_the_second(service: SignalService, clock: FixedClock) -> None:
    clock.set(START + timedelta(microseconds=654321))
    assert register(service).created_at == START


def test_registered_signal_says_whom_to_inform(service: SignalService) -> None:
    twelve = register(service, seed=1, child={"birth_date": "2014-05-01"})
    eleven = register(service, seed=2, child={"birth_date": "2014-11-29"})
    sixteen = register(service, seed=3, child={"birth_date": "2010-11-28"})
    assert twelve.inform == (InformParty.PARENTS, InformParty.CHILD)
    assert eleven.inform == (InformParty.PARENTS,)
    assert sixteen.inform == (InformParty.CHILD,)


def test_earlier_end_date_shortens_the_active_period(service: SignalService) -> None:
    signal = register(service, end_date="2027-06-01")
    assert signal.active_until == date(2027, 6, 1)
    assert signal.delete_after == date(2032, 6, 1)


def test_end_date_in_the_past_is_refused_and_nothing_is_stored(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    with pytest.raises(InvalidInput) as raised:
        register(service, end_date="2026-11-27")
    assert [error.field for error in raised.value.errors] == ["end_date"]
    assert stored_ids(store) == []
    assert logbook.entries == []


def test_child_of_23_is_refused_and_nothing_is_stored(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    with pytest.raises(InvalidInput) as raised:
        register(service, child={"birth_date": "2003-11-28"})
    assert [error.field for error in raised.value.errors] == ["child.birth_date"]
    assert stored_ids(store) == []
    assert logbook.entries == []


def test_child_may_be_signalled_on_the_day_before_the_23rd_birthday(service: SignalService) -> None:
    signal = register(service, child={"birth_date": "2003-11-29"})
    assert signal.active_until == date(2026, 11, 28)
    assert signal.delete_after == date(2026, 11, 28)


def test_age_rule_uses_the_dutch_date_not_the_utc_date(service: SignalService, clock: FixedClock) -> None:
    """23:30 UTC on 28 November is already 29 November in the Netherlands."""
    clock.set(datetime(2026, 11, 28, 22, 59, tzinfo=UTC))
    register(service, seed=1, child={"birth_date": "2003-11-29"})
    clock.set(datetime(2026, 11, 28, 23, 30, tzinfo=UTC))
    with pytest.raises(InvalidInput):
        register(service, seed=2, child={"birth_date": "2003-11-29"})


def test_birth_date_in_the_future_is_refused(service: SignalService) -> None:
    with pytest.raises(InvalidInput):
        register(service, child={"birth_date": "2026-11-29"})


# One active signal per organisation per child


def test_second_signal_of_the_same_organisation_for_the_same_child_is_refused_with_the_first_id(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook, clock: FixedClock
) -> None:
    first = register(service)
    advance(clock, minutes=5)
    with pytest.raises(DuplicateActiveSignal) as raised:
        register(service, professional=builders.professional(name="Q. de Boer"))
    assert raised.value.signal_id == first.id
    assert stored_ids(store) == [first.id]
    assert [entry.action for entry in logbook.entries] == [Action.SIGNAL_CREATED]


def test_same_child_spelled_differently_is_still_the_same_child(service: SignalService) -> None:
    first = register(service, child={"given_names": "Sanne Maria", "address": builders.address(house_number=14)})
    with pytest.raises(DuplicateActiveSignal) as raised:
        register(service)
    assert raised.value.signal_id == first.id


def test_another_organisation_may_signal_the_same_child(service: SignalService, store: InMemorySignalStore) -> None:
    first = register(service, GGD)
    second = register(service, BUURTTEAM)
    assert first.child_pseudonym == second.child_pseudonym
    assert stored_ids(store, ORG) == [first.id]
    assert stored_ids(store, OTHER_ORG) == [second.id]


def test_same_organisation_may_signal_another_child(service: SignalService) -> None:
    first = register(service, seed=1)
    second = register(service, seed=2)
    assert first.child_pseudonym != second.child_pseudonym


def test_new_signal_is_allowed_once_the_active_period_has_ended(service: SignalService, clock: FixedClock) -> None:
    first = register(service, end_date="2026-12-10")
    clock.set(datetime(2026, 12, 10, 12, tzinfo=UTC))
    with pytest.raises(DuplicateActiveSignal):
        register(service)
    clock.set(datetime(2026, 12, 11, 9, tzinfo=UTC))
    second = register(service)
    assert second.id != first.id
    assert service.status(first) is SignalStatus.ARCHIVED
    assert service.status(second) is SignalStatus.ACTIVE
    with pytest.raises(DuplicateActiveSignal) as raised:
        register(service)
    assert raised.value.signal_id == second.id


# Idempotency


def test_retry_with_the_same_key_and_body_returns_the_first_signal_and_creates_nothing(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook, clock: FixedClock
) -> None:
    first = service.register(GGD, request(), "key-1")
    advance(clock, minutes=3)
    retry = service.register(GGD, request(), "key-1")
    assert not first.replayed
    assert retry.replayed
    assert retry.signal == first.signal
    assert stored_ids(store) == [first.signal.id]
    assert len(logbook.entries) == 1


def test_same_key_with_another_body_is_refused(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    first = service.register(GGD, request(seed=1), "key-1")
    with pytest.raises(IdempotencyKeyReused):
        service.register(GGD, request(seed=2), "key-1")
    with pytest.raises(IdempotencyKeyReused):
        service.register(GGD, request(seed=1, case_reference="OTHER"), "key-1")
    assert stored_ids(store) == [first.signal.id]
    assert len(logbook.entries) == 1


def test_retry_of_a_duplicate_with_the_first_key_is_a_replay_not_a_conflict(service: SignalService) -> None:
    first = service.register(GGD, request(), "key-1")
    assert service.register(GGD, request(), "key-1").signal.id == first.signal.id
    with pytest.raises(DuplicateActiveSignal):
        service.register(GGD, request(), "key-2")


def test_idempotency_keys_of_different_organisations_do_not_meet(service: SignalService) -> None:
    mine = service.register(GGD, request(), "key-1")
    theirs = service.register(BUURTTEAM, request(), "key-1")
    assert not theirs.replayed
    assert theirs.signal.id != mine.signal.id
    assert theirs.signal.organisation == OTHER_ORG


def test_idempotency_key_may_be_reused_after_24_hours(service: SignalService, clock: FixedClock) -> None:
    service.register(GGD, request(seed=1), "key-1")
    advance(clock, hours=23, minutes=59)
    with pytest.raises(IdempotencyKeyReused):
        service.register(GGD, request(seed=2), "key-1")
    advance(clock, minutes=2)
    later = service.register(GGD, request(seed=2), "key-1")
    assert not later.replayed
    assert later.signal.child_pseudonym == KEYS.child(builders.bsn(2))


def test_replay_of_a_deleted_signal_is_not_found(service: SignalService) -> None:
    first = service.register(GGD, request(), "key-1")
    service.close(GGD, first.signal.id, CloseReason.UNJUSTIFIED)
    with pytest.raises(NotFound):
        service.register(GGD, request(), "key-1")


@pytest.mark.parametrize("key", ["", "with space", "x" * 129, "ключ", "a/b"])
def test_malformed_idempotency_key_is_refused(service: SignalService, store: InMemorySignalStore, key: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        service.register(GGD, request(), key)
    assert [error.field for error in raised.value.errors] == ["Idempotency-Key"]
    assert stored_ids(store) == []


# Reading, closing and handing over: only the owner


def test_owner_reads_its_signal(service: SignalService, logbook: InMemoryLogbook) -> None:
    signal = register(service)
    assert service.get(GGD, signal.id).signal == signal
    assert [entry.action for entry in logbook.entries] == [Action.SIGNAL_CREATED, Action.SIGNAL_READ]


def test_signal_of_another_organisation_is_not_found(service: SignalService, logbook: InMemoryLogbook) -> None:
    signal = register(service, GGD)
    with pytest.raises(NotFound):
        service.get(BUURTTEAM, signal.id)
    with pytest.raises(NotFound):
        service.get(GGD, "01JD4B9Q2M7V3X8K5N6P0R1S2T")
    assert len(logbook.entries) == 1


def test_other_organisation_cannot_close_or_hand_over(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    signal = register(service, GGD)
    for reason in CloseReason:
        with pytest.raises(NotFound):
            service.close(BUURTTEAM, signal.id, reason)
    with pytest.raises(NotFound):
        service.hand_over(BUURTTEAM, signal.id, NEW_PROFESSIONAL)
    current = signal_in(store, signal.id)
    assert current == signal
    assert current is not None
    assert current.professional == signal.professional
    assert len(logbook.entries) == 1


def test_signal_past_its_delete_day_is_not_found(service: SignalService, clock: FixedClock) -> None:
    signal = register(service, end_date="2026-12-31")
    clock.set(datetime(2031, 12, 31, 12, tzinfo=UTC))
    assert service.get(GGD, signal.id).signal.id == signal.id
    clock.set(datetime(2032, 1, 1, 12, tzinfo=UTC))
    with pytest.raises(NotFound):
        service.get(GGD, signal.id)
    with pytest.raises(NotFound):
        service.close(GGD, signal.id, CloseReason.UNJUSTIFIED)


@pytest.mark.parametrize("principal", [MUNICIPALITY, ADMIN], ids=["municipality", "admin"])
def test_signal_endpoints_are_forbidden_to_anyone_but_an_organisation(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook, principal: Principal
) -> None:
    signal = register(service)
    with pytest.raises(Forbidden):
        service.register(principal, request(seed=2), None)
    with pytest.raises(Forbidden):
        service.get(principal, signal.id)
    with pytest.raises(Forbidden):
        service.list(principal, None, 10, None)
    with pytest.raises(Forbidden):
        service.close(principal, signal.id, CloseReason.UNJUSTIFIED)
    with pytest.raises(Forbidden):
        service.hand_over(principal, signal.id, NEW_PROFESSIONAL)
    assert stored_ids(store) == [signal.id]
    assert len(logbook.entries) == 1


def test_closing_with_risk_resolved_archives_from_today(
    service: SignalService, store: InMemorySignalStore, clock: FixedClock
) -> None:
    signal = register(service)
    clock.set(datetime(2027, 3, 1, 9, tzinfo=UTC))
    closed = service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    assert closed is not None
    archived = closed.signal
    assert archived.archived_on == date(2027, 3, 1)
    assert archived.close_reason is CloseReason.RISK_RESOLVED
    assert archived.delete_after == date(2032, 3, 1)
    assert archived.active_until == signal.active_until
    assert signal_in(store, signal.id) == archived
    assert service.status(archived) is SignalStatus.ARCHIVED


def test_closing_near_the_23rd_birthday_deletes_on_the_day_before_it(service: SignalService) -> None:
    signal = register(service, child={"birth_date": "2005-06-15"})
    closed = service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    assert closed is not None
    assert closed.signal.delete_after == date(2028, 6, 14)


def test_archived_signal_frees_the_organisation_to_signal_the_child_again(service: SignalService) -> None:
    signal = register(service)
    service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    again = register(service)
    assert again.id != signal.id


def test_closing_an_archived_signal_again_changes_nothing_but_is_logged(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook, clock: FixedClock
) -> None:
    signal = register(service)
    first = service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    advance(clock, days=3)
    second = service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    assert second == first
    assert store.get(signal.id) == first
    assert [entry.action for entry in logbook.entries] == [
        Action.SIGNAL_CREATED,
        Action.SIGNAL_ARCHIVED,
        Action.SIGNAL_READ,
    ]


def test_closing_as_unjustified_deletes_at_once(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    signal = register(service)
    assert service.close(GGD, signal.id, CloseReason.UNJUSTIFIED) is None
    assert store.get(signal.id) is None
    with pytest.raises(NotFound):
        service.get(GGD, signal.id)
    assert [entry.action for entry in logbook.entries] == [Action.SIGNAL_CREATED, Action.SIGNAL_DELETED]
    assert register(service).id != signal.id


def test_archived_signal_can_still_be_deleted_as_unjustified(
    service: SignalService, store: InMemorySignalStore
) -> None:
    signal = register(service)
    service.close(GGD, signal.id, CloseReason.RISK_RESOLVED)
    assert service.close(GGD, signal.id, CloseReason.UNJUSTIFIED) is None
    assert store.get(signal.id) is None


def test_deleting_an_expired_signal_keeps_the_guard_of_its_successor(
    service: SignalService, store: InMemorySignalStore, clock: FixedClock
) -> None:
    old = register(service, end_date="2026-12-10")
    clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
    new = register(service)
    assert service.close(GGD, old.id, CloseReason.UNJUSTIFIED) is None
    assert store.get(old.id) is None
    assert signal_in(store, new.id) == new
    with pytest.raises(DuplicateActiveSignal) as raised:
        register(service)
    assert raised.value.signal_id == new.id


def test_hand_over_replaces_only_the_professional(
    service: SignalService, store: InMemorySignalStore, logbook: InMemoryLogbook
) -> None:
    signal = register(service)
    handed = service.hand_over(GGD, signal.id, NEW_PROFESSIONAL)
    assert handed.signal == replace(signal, professional=NEW_PROFESSIONAL)
    assert store.get(signal.id) == handed
    assert logbook.entries[-1].action is Action.SIGNAL_HANDED_OVER


# Listing


def test_list_pages_through_the_organisations_signals_newest_first(service: SignalService, clock: FixedClock) -> None:
    created = []
    for seed in range(1, 6):
        created.append(register(service, seed=seed))
        advance(clock, minutes=1)
    register(service, BUURTTEAM, seed=9)
    first = service.list(GGD, None, 2, None)
    second = service.list(GGD, None, 2, first.next_after)
    third = service.list(GGD, None, 2, second.next_after)
    newest_first = [s.id for s in reversed(created)]
    assert [s.signal.id for s in first.signals] == newest_first[:2]
    assert [s.signal.id for s in second.signals] == newest_first[2:4]
    assert [s.signal.id for s in third.signals] == newest_first[4:]
    assert third.next_after is None


def test_list_of_exactly_one_full_page_has_no_next_page(service: SignalService, clock: FixedClock) -> None:
    for seed in range(1, 3):
        register(service, seed=seed)
        advance(clock, seconds=1)
    page = service.list(GGD, None, 2, None)
    assert len(page.signals) == 2
    assert page.next_after is None


def test_list_filters_by_status_on_the_current_date(service: SignalService, clock: FixedClock) -> None:
    expiring = register(service, seed=1, end_date="2026-12-10")
    advance(clock, minutes=1)
    closed = register(service, seed=2)
    advance(clock, minutes=1)
    active = register(service, seed=3)
    service.close(GGD, closed.id, CloseReason.RISK_RESOLVED)

    def ids(status: SignalStatus | None) -> list[str]:
        return [s.signal.id for s in service.list(GGD, status, 10, None).signals]

    assert ids(SignalStatus.ACTIVE) == [active.id, expiring.id]
    assert ids(SignalStatus.ARCHIVED) == [closed.id]
    clock.set(datetime(2026, 12, 11, 9, tzinfo=UTC))
    assert ids(SignalStatus.ACTIVE) == [active.id]
    assert ids(SignalStatus.ARCHIVED) == [closed.id, expiring.id]
    assert ids(None) == [active.id, closed.id, expiring.id]


def test_list_leaves_out_signals_past_their_delete_day(service: SignalService, clock: FixedClock) -> None:
    register(service, seed=1, end_date="2026-12-10")
    advance(clock, minutes=1)
    kept = register(service, seed=2)
    clock.set(datetime(2031, 12, 11, 9, tzinfo=UTC))
    assert [s.signal.id for s in service.list(GGD, None, 10, None).signals] == [kept.id]


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_list_limit_must_lie_between_1_and_100(service: SignalService, logbook: InMemoryLogbook, limit: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        service.list(GGD, None, limit, None)
    assert [error.field for error in raised.value.errors] == ["limit"]
    assert logbook.entries == []


# The logbook


def test_every_action_writes_exactly_one_log_entry_with_the_child_pseudonym(
    service: SignalService, logbook: InMemoryLogbook, clock: FixedClock
) -> None:
    signal = register(service, seed=3)
    pseudonym = KEYS.child(builders.bsn(3))
    actions: list[Callable[[], object]] = [
        lambda: service.get(GGD, signal.id),
        lambda: service.hand_over(GGD, signal.id, NEW_PROFESSIONAL),
        lambda: service.close(GGD, signal.id, CloseReason.RISK_RESOLVED),
        lambda: service.close(GGD, signal.id, CloseReason.UNJUSTIFIED),
    ]
    for action in actions:
        advance(clock, minutes=1)
        before = len(logbook.entries)
        action()
        assert len(logbook.entries) == before + 1
    assert [entry.action for entry in logbook.entries] == [
        Action.SIGNAL_CREATED,
        Action.SIGNAL_READ,
        Action.SIGNAL_HANDED_OVER,
        Action.SIGNAL_ARCHIVED,
        Action.SIGNAL_DELETED,
    ]
    for entry in logbook.entries:
        assert entry.child_pseudonym == pseudonym.value
        assert entry.key_version == pseudonym.key_version
        assert entry.signal_id == signal.id
        assert entry.client_id == GGD.client_id
        assert entry.organisation_id == ORG.id
    assert [entry.at for entry in logbook.entries] == [START + timedelta(minutes=m) for m in range(5)]
    assert logbook.entries_for_child(pseudonym.value) == logbook.entries
    assert builders.bsn(3) not in repr(logbook.entries)


def test_listing_writes_one_log_entry_without_a_child(service: SignalService, logbook: InMemoryLogbook) -> None:
    register(service)
    service.list(GGD, None, 10, None)
    entry = logbook.entries[-1]
    assert len(logbook.entries) == 2
    assert entry.action is Action.SIGNALS_LISTED
    assert entry.child_pseudonym is None
    assert entry.signal_id is None
    assert entry.organisation_id == ORG.id


def test_refused_actions_write_nothing_to_the_logbook(service: SignalService, logbook: InMemoryLogbook) -> None:
    signal = register(service)
    with pytest.raises(DuplicateActiveSignal):
        register(service)
    with pytest.raises(NotFound):
        service.get(BUURTTEAM, signal.id)
    with pytest.raises(Forbidden):
        service.get(MUNICIPALITY, signal.id)
    assert len(logbook.entries) == 1
