"""A signal accepted while the register was down, verified later by a recheck, matches as if it had
been verified at its POST: family and registered-address matches arise then, each mailed once, and a
match its registration made already is neither made nor mailed again. On fakes: the recheck's write,
then the match function's round for it (what the stream's ``pending`` to ``verified`` record does)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.matching import MatchKind, match_id
from chalicelib.domain.model import Professional, Signal, Verification
from chalicelib.domain.recheck import Recheck
from chalicelib.services.matching import MatchService
from chalicelib.services.recheck import Rechecked, RecheckService
from tests import builders
from tests.fake_population import ALEXANDER, GERRIT, WILMA, ZOEY, InMemoryPopulationRegister
from tests.fakes import (
    MailRefused,
)
from tests.worlds import REGIE_UTRECHT, Surroundings

START = builders.START
POSTED = START
RECHECKED = START + timedelta(minutes=15)
KEYS = builders.pseudonymiser()
HOME = KEYS.address_parts("1014AW", 14, "H", None)
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs")
JANSEN = Professional("P. Jansen", "Jeugdverpleegkundige", "p.jansen@ggd.example.nl", "+31 30 123 4567")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31 20 555 0101")
DE_WIT = Professional("M. de Wit", "Intern begeleider", "m.dewit@linde.example.nl", "+31 30 222 3333")


class World(Surroundings):
    def __init__(self) -> None:
        super().__init__(RECHECKED)
        self.rechecks = RecheckService(
            InMemoryPopulationRegister(today=START.date()),
            self.store,
            self.ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
        )
        self.matching = MatchService(self.store, self.registry, self.ledger, self.mailer, self.audit)

    def add(self, signal: Signal) -> Signal:
        self.store.put(signal)
        return signal

    def zoey_pending(self) -> Signal:
        """Zoey as typed at a POST while the register was down: her typed address, no parents."""
        signal = builders.domain_signal(
            seed=1,
            org=GGD,
            created_at=POSTED,
            professional=JANSEN,
            child_pseudonym=KEYS.child(ZOEY),
            verification=Verification.PENDING,
            birth_date=datetime(2018, 11, 14).date(),
        )
        child = replace(signal.child, family_name_prefix="den", family_name="Braber")
        return self.add(replace(signal, child=child))

    def alexander(self, created_at: datetime, org: Any = BUURTTEAM, professional: Professional = BAKKER) -> Signal:
        """Her brother, verified at his POST: registered address and both parents."""
        return self.add(
            builders.domain_signal(
                seed=2,
                org=org,
                created_at=created_at,
                professional=professional,
                child_pseudonym=KEYS.child(ALEXANDER),
                address_pseudonym=HOME,
                parent_pseudonyms=(KEYS.child(WILMA), KEYS.child(GERRIT)),
                verification=Verification.VERIFIED,
            )
        )

    def recheck(self, signal: Signal) -> Signal:
        assert self.rechecks.recheck(Recheck(signal.id, signal.child_pseudonym.value, ZOEY)) is Rechecked.VERIFIED
        return self.stored(signal)

    def stored(self, signal: Signal) -> Signal:
        read = self.store.get(signal.id)
        assert read is not None
        return read.signal

    def mails_to(self, address: str) -> list[Any]:
        return [mail for mail in self.mailer.sent if mail.to == address]


@pytest.fixture
def world() -> World:
    return World()


def test_the_recheck_stores_the_parents_and_when_it_verified(world: World) -> None:
    zoey = world.recheck(world.zoey_pending())
    assert zoey.parent_pseudonyms == (KEYS.child(WILMA), KEYS.child(GERRIT))
    assert zoey.rechecked_at == RECHECKED and zoey.address_pseudonym == HOME
    assert [s.id for s in world.store.signals_with_parent(KEYS.child(GERRIT).value)] == [zoey.id]


def test_a_brother_signalled_before_makes_a_family_match_once_the_recheck_verified_her(world: World) -> None:
    brother = world.alexander(POSTED - timedelta(days=3))
    zoey = world.zoey_pending()
    # Her registration: typed address, no parents, so no match yet.
    assert world.matching.process(zoey).matches == 0

    zoey = world.recheck(zoey)
    outcome = world.matching.process(zoey)
    assert (outcome.matches, outcome.sent) == (1, 3)
    [own] = world.mails_to(JANSEN.email)
    assert "zelfde gezin (ouder)" in own.text and BAKKER.name in own.text
    assert len(world.mails_to(BAKKER.email)) == 1 and len(world.mails_to(REGIE_UTRECHT)) == 1
    [match] = world.store.get(zoey.id).matches  # type: ignore[union-attr]
    assert match.kind is MatchKind.PARENT and match.since == RECHECKED
    assert match.id == match_id(zoey.id, brother.id)

    # The stream delivers the record again: nothing is made or mailed twice.
    again = world.matching.process(zoey)
    assert (again.sent, again.already_sent) == (0, 3)
    assert len(world.mailer.sent) == 3


def test_a_match_her_registration_made_is_not_made_or_mailed_again(world: World) -> None:
    school = world.add(
        builders.domain_signal(
            seed=3,
            org=SCHOOL,
            created_at=POSTED - timedelta(days=1),
            professional=DE_WIT,
            child_pseudonym=KEYS.child(ZOEY),
        )
    )
    world.alexander(POSTED - timedelta(days=3))
    zoey = world.zoey_pending()
    assert world.matching.process(zoey).matches == 1  # the same child, at her registration
    assert len(world.mails_to(DE_WIT.email)) == 1 and len(world.mails_to(JANSEN.email)) == 1

    zoey = world.recheck(zoey)
    assert world.matching.process(zoey).matches == 1  # only her brother's, now
    assert len(world.mails_to(DE_WIT.email)) == 1
    first, second = world.mails_to(JANSEN.email)
    assert DE_WIT.name in first.text and BAKKER.name not in first.text
    assert BAKKER.name in second.text and DE_WIT.name not in second.text
    kinds = {m.other.signal_id: (m.kind, m.since) for m in world.store.get(zoey.id).matches}  # type: ignore[union-attr]
    assert kinds[school.id] == (MatchKind.CHILD, POSTED)


def test_a_brother_signalled_while_she_was_pending_is_matched_by_her_recheck_and_once(world: World) -> None:
    zoey = world.zoey_pending()
    brother = world.alexander(POSTED + timedelta(minutes=5))
    assert world.matching.process(zoey).matches == 0
    # His registration cannot see her as family yet: she has no parents until the recheck.
    assert world.matching.process(brother).matches == 0

    zoey = world.recheck(zoey)
    assert world.matching.process(zoey).matches == 1
    assert world.matching.process(brother).sent == 0  # his record again: still nothing of his own
    assert len(world.mails_to(BAKKER.email)) == 1 and len(world.mails_to(JANSEN.email)) == 1


def test_a_brother_signalled_after_her_recheck_makes_the_match_himself(world: World) -> None:
    zoey = world.recheck(world.zoey_pending())
    brother = world.alexander(RECHECKED + timedelta(minutes=5))
    world.clock.set(RECHECKED + timedelta(minutes=10))
    assert world.matching.process(brother).matches == 1
    # Her recheck's record, even when the stream reaches it only now, leaves that match to him.
    assert world.matching.process(zoey).matches == 0
    assert len(world.mails_to(JANSEN.email)) == 1 and len(world.mails_to(BAKKER.email)) == 1


def test_a_mail_that_failed_in_the_late_round_is_sent_on_the_retry_and_no_other(world: World) -> None:
    world.alexander(POSTED - timedelta(days=3))
    zoey = world.recheck(world.zoey_pending())
    world.mailer.fail_for(BAKKER.email)
    with pytest.raises(MailRefused):
        world.matching.process(zoey)
    outcome = world.matching.process(zoey)
    assert outcome.sent >= 1
    assert len(world.mails_to(BAKKER.email)) == 1 and len(world.mails_to(JANSEN.email)) == 1
    assert len(world.mails_to(REGIE_UTRECHT)) == 1
