"""Following children through the BRP Update API, on fakes: a verified new signal follows its child
until the last day any of its signals may exist (never shorter), a pending one does not, a failing
Update API loses no signal; each night the changed children are followed up 20 at a time and the
cursor moves only after that, only from the day read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.domain.model import Principal, Signal, Verification
from chalicelib.domain.population import RegisteredAddress, RegisterUnavailable
from chalicelib.services.audit import Audit
from chalicelib.services.register_updates import NightlyFollow, NightlyOutcome, RegisterSubscriptions
from chalicelib.services.signals import SignalService
from tests import builders
from tests.fake_population import ALEXANDER, ZOEY, InMemoryFollowCursor, InMemoryPopulationRegister
from tests.unit.test_population import BUURTTEAM, GGD, child
from tests.worlds import REGIE_UTRECHT, Surroundings

START = builders.START
TODAY = START.date()


class World(Surroundings):
    def __init__(self) -> None:
        super().__init__(START)
        self.register = InMemoryPopulationRegister(today=TODAY)
        self.updates = InMemoryPopulationRegister(today=TODAY)  # the Update API, failing on its own
        self.updates.persons_by_bsn = self.register.persons_by_bsn
        self.updates.changes = self.register.changes
        self.signals = SignalService(
            self.store,
            self.logbook,
            builders.pseudonymiser,
            Audit(self.clock, new_id),
            register=self.register,
            subscriptions=RegisterSubscriptions(self.updates, self.store),
        )
        self.cursor = InMemoryFollowCursor()
        self.nightly = NightlyFollow(self.updates, self.cursor, self.follow(self.register), self.audit)

    def signal(self, bsn: str, principal: Principal = GGD, **request: Any) -> Signal:
        typed = child(bsn, given_names="Alexander")
        return self.signals.register(principal, builders.new_signal(child=typed, **request), None).signal

    def night(self, days: int = 1) -> NightlyOutcome:
        self.clock.set(self.clock.now() + timedelta(days=days))
        return self.nightly.run()


@pytest.fixture
def world() -> World:
    return World()


def test_a_verified_signal_follows_its_child_until_its_last_day(world: World) -> None:
    signal = world.signal(ZOEY)
    assert signal.verification is Verification.VERIFIED
    assert world.updates.followed == {ZOEY: signal.delete_after}
    assert world.updates.update_requests == 1


def test_a_second_signal_never_shortens_the_following_the_first_needs(world: World) -> None:
    first = world.signal(ALEXANDER)
    second = world.signal(ALEXANDER, BUURTTEAM, end_date=(TODAY + timedelta(days=30)).isoformat())
    assert second.delete_after < first.delete_after
    assert world.updates.followed == {ALEXANDER: first.delete_after}


def test_a_pending_signal_is_not_followed_and_a_failing_update_api_loses_no_signal(world: World) -> None:
    world.register.unavailable = True
    pending = world.signal(ZOEY)
    assert pending.verification is Verification.PENDING and world.updates.followed == {}
    world.register.unavailable, world.updates.unavailable = False, True
    kept = world.signal(ALEXANDER)
    assert kept.verification is Verification.VERIFIED and kept.id in world.store.signals
    assert world.updates.followed == {}


def test_the_night_after_a_move_and_a_death_tells_everyone_once_and_moves_the_cursor(world: World) -> None:
    zoey, alexander = world.signal(ZOEY), world.signal(ALEXANDER, BUURTTEAM)
    world.register.today = world.updates.today = TODAY
    world.register.move(ALEXANDER, builders_address(), "0344")
    world.register.record_death(ZOEY, TODAY)

    outcome = world.night()

    assert (outcome.changed, outcome.batches, outcome.moved, outcome.deceased, outcome.deleted) == (2, 1, 1, 1, 1)
    assert sorted(world.mailer.recipients) == sorted(
        [zoey.professional.email, alexander.professional.email, REGIE_UTRECHT]
    )
    assert world.cursor.day == TODAY + timedelta(days=1) and outcome.advanced
    assert world.store.get(zoey.id) is None
    world.cursor.day = None  # the same night run again: the same changes, no mail twice
    again = world.night(0)
    assert (again.changed, again.notified) == (2, 0)
    assert world.night().changed == 0


def test_a_night_the_update_api_fails_leaves_the_cursor_for_the_next(world: World) -> None:
    world.cursor.day = TODAY
    world.updates.unavailable = True
    with pytest.raises(RegisterUnavailable):
        world.night()
    assert world.cursor.day == TODAY


def test_the_changed_children_are_asked_twenty_at_a_time(world: World) -> None:
    for n in range(45):
        world.updates.subscribe(builders.bsn(n), TODAY + timedelta(days=365))
        world.updates.changes.append((builders.bsn(n), TODAY))
    outcome = world.night()
    assert (outcome.changed, outcome.batches, world.register.requests) == (45, 3, 3)


def test_of_two_runs_at_once_only_one_moves_the_cursor(world: World) -> None:
    world.cursor.day = TODAY - timedelta(days=3)
    real = world.cursor.advance

    def raced(previous: date | None, to: date) -> bool:
        real(previous, to - timedelta(days=1))  # the other run got there first
        return real(previous, to)

    world.cursor.advance = raced  # type: ignore[method-assign]
    assert world.night().advanced is False
    assert world.cursor.day == TODAY


def builders_address() -> RegisteredAddress:
    return RegisteredAddress(postcode="3512JE", house_number=7)
