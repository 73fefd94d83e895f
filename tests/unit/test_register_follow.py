"""Moves and deaths from the population register applied to the children with signals, on fakes:
a death deletes every signal of the child at once with one removal mail per professional, a move
re-keys address matching and tells the professional and the new municipality's regievoerder once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Professional, Signal
from chalicelib.domain.population import RegisteredAddress
from tests import builders
from tests.fake_population import ALEXANDER, PAOLO, ZOEY, InMemoryPopulationRegister
from tests.worlds import REGIE_UTRECHT, Surroundings

START = builders.START
KEYS = builders.pseudonymiser()
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31 20 555 0101")
NEW_HOME = RegisteredAddress(postcode="3512JE", house_number=7, house_letter="B")


class World(Surroundings):
    def __init__(self) -> None:
        super().__init__(START + timedelta(days=1))
        self.register = InMemoryPopulationRegister()
        self.service = self.follow(self.register)

    def signal(self, bsn: str, org: object = GGD, **overrides: object) -> Signal:
        signal = builders.domain_signal(
            seed=int(bsn) % 1000,
            org=org,
            child_pseudonym=KEYS.child(bsn),
            address_pseudonym=KEYS.address_parts("1014AW", 14, "H", None),
            **overrides,
        )
        self.store.put(signal)
        return signal


@pytest.fixture
def world() -> World:
    return World()


def test_a_death_deletes_every_signal_of_the_child_at_once_with_one_mail_each(world: World) -> None:
    mine = world.signal(ZOEY)
    theirs = world.signal(ZOEY, BUURTTEAM, professional=BAKKER)
    sibling = _in_municipality(world.signal(ALEXANDER), "0363")  # where the register has him: no move
    world.store.put(sibling)
    world.register.record_death(ZOEY, date(2026, 11, 28))

    outcome = world.service.follow([ZOEY, ALEXANDER])
    again = world.service.follow([ZOEY, ALEXANDER])

    assert (outcome.deceased, outcome.deleted, outcome.notified) == (1, 2, 2)
    assert (again.deleted, again.notified) == (0, 0)
    assert set(world.store.signals) == {sibling.id}
    assert sorted(world.mailer.recipients) == sorted([mine.professional.email, theirs.professional.email])
    assert world.store.get(mine.id) is None and world.store.get(theirs.id) is None
    erased = [e for e in world.logbook.entries if e.action is Action.SUBJECT_ERASED]
    assert [e.detail for e in erased] == ["death (BRP); 2 signal(s)"]
    assert ZOEY not in repr(world.logbook.entries) + repr(world.mailer.sent)


def test_a_move_rekeys_address_matching_and_tells_the_professional_and_the_new_municipality_once(world: World) -> None:
    signal = _in_municipality(world.signal(ALEXANDER), "0363")
    world.store.put(signal)
    world.register.move(ALEXANDER, NEW_HOME, "0344")

    outcome = world.service.follow([ALEXANDER])
    again = world.service.follow([ALEXANDER])

    assert (outcome.moved, outcome.notified) == (1, 2)
    assert (again.moved, again.notified) == (0, 0)
    stored = world.store.get(signal.id)
    assert stored is not None
    assert stored.signal.address_pseudonym == KEYS.address_parts("3512JE", 7, "B", None)
    assert stored.signal.child.address.municipality_code == "0344"
    assert sorted(world.mailer.recipients) == sorted([signal.professional.email, REGIE_UTRECHT])
    told = next(m for m in world.mailer.sent if m.to == signal.professional.email)
    assert told.subject == "Verwijsindex: het kind van uw melding is verhuisd" and "0344" in told.text
    assert ALEXANDER not in repr(world.mailer.sent) and "3512" not in repr(world.mailer.sent)


def test_nothing_changes_for_a_child_the_register_still_has_at_the_same_address(world: World) -> None:
    signal = _in_municipality(world.signal(ZOEY), "0363")
    world.store.put(signal)
    outcome = world.service.follow([ZOEY, PAOLO, builders.bsn(4)])
    assert (outcome.asked, outcome.moved, outcome.deceased) == (3, 0, 0)
    assert world.mailer.sent == [] and world.register.requests == 1


def _in_municipality(signal: Signal, code: str) -> Signal:
    from dataclasses import replace

    return replace(signal, child=replace(signal.child, address=replace(signal.child.address, municipality_code=code)))
