"""A signal accepted while the register was down is checked again from the recheck queue, on fakes:
verified when the register agrees (registered address, followed), its professional told exactly once
when it does not, nothing at all for a signal gone or checked already, and a retry while it is down."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.model import Signal, Verification
from chalicelib.domain.population import RegisterUnavailable
from chalicelib.domain.recheck import MalformedRecheck, Recheck
from chalicelib.recheck_work import handle_rechecks
from chalicelib.services.audit import Audit
from chalicelib.services.recheck import Rechecked, RecheckService
from chalicelib.services.register_updates import RegisterSubscriptions
from chalicelib.services.signals import SignalService
from local.clock import FixedClock
from tests import builders
from tests.fake_population import ZOEY, InMemoryPopulationRegister, InMemoryRecheckQueue
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemorySignalStore,
    MailRefused,
    RecordingMailer,
)
from tests.worlds import Surroundings

START = builders.START
KEYS = builders.pseudonymiser()
REGISTERED_HOME = KEYS.address_parts("1014AW", 14, "H", None)


class World(Surroundings):
    def __init__(self) -> None:
        super().__init__(START + timedelta(minutes=15))
        self.register = InMemoryPopulationRegister(today=START.date())
        self.service = RecheckService(
            self.register,
            self.store,
            self.ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
            RegisterSubscriptions(self.register, self.store),
        )

    def pending(self, family_name: str = "Braber", birth_date: date = date(2018, 11, 14)) -> Signal:
        signal = builders.domain_signal(
            seed=7,
            child_pseudonym=KEYS.child(ZOEY),
            verification=Verification.PENDING,
            birth_date=birth_date,
            case_reference="GGD-2026-117",
        )
        signal = replace(signal, child=replace(signal.child, family_name_prefix="den", family_name=family_name))
        self.store.put(signal)
        return signal

    def stored(self, signal: Signal) -> Signal:
        read = self.store.get(signal.id)
        assert read is not None
        return read.signal


@pytest.fixture
def world() -> World:
    return World()


def message(signal: Signal) -> Recheck:
    return Recheck(signal.id, signal.child_pseudonym.value, ZOEY)


def test_the_register_agreeing_verifies_the_signal_on_its_registered_address_and_follows_the_child(
    world: World,
) -> None:
    signal = world.pending()
    assert world.service.recheck(message(signal)) is Rechecked.VERIFIED
    stored = world.stored(signal)
    assert stored.verification is Verification.VERIFIED
    assert stored.version == signal.version + 1
    assert stored.address_pseudonym == REGISTERED_HOME != signal.address_pseudonym
    assert world.register.followed == {ZOEY: stored.delete_after}
    assert world.mailer.sent == []


def test_a_redelivered_message_changes_nothing_the_second_time(world: World) -> None:
    signal = world.pending()
    world.service.recheck(message(signal))
    # Verified already: the child is followed once more (an idempotent PUT), nothing else happens.
    assert world.service.recheck(message(signal)) is Rechecked.FOLLOWED
    assert world.stored(signal).version == signal.version + 1
    assert world.register.requests == 1
    assert world.register.followed == {ZOEY: signal.delete_after}
    assert world.mailer.sent == []


def test_a_signal_gone_meanwhile_mismatched_or_never_checked_is_left_alone(world: World) -> None:
    signal = world.pending()
    for seed, verification in ((8, Verification.MISMATCHED), (9, Verification.NOT_CHECKED)):
        other = replace(signal, id=builders.domain_signal(seed=seed).id, verification=verification)
        world.store.put(other)
        assert world.service.recheck(message(other)) is Rechecked.SKIPPED
    assert world.service.recheck(Recheck("01JGONE0000000000000000000", signal.child_pseudonym.value, ZOEY)) is (
        Rechecked.SKIPPED
    )
    assert world.service.recheck(Recheck(signal.id, "another-child", ZOEY)) is Rechecked.SKIPPED
    assert world.register.requests == 0
    assert world.register.followed == {}


def test_a_subscription_that_fails_after_the_recheck_verified_comes_back_and_follows_the_child(
    world: World,
) -> None:
    updates = InMemoryPopulationRegister(today=START.date())
    updates.unavailable = True
    world.service = replace_subscriptions(world, RegisterSubscriptions(updates, world.store))
    signal = world.pending()
    with pytest.raises(RegisterUnavailable):
        world.service.recheck(message(signal))
    # Verified and stored all the same: the stream matches it; the message comes back for the rest.
    assert world.stored(signal).verification is Verification.VERIFIED
    with pytest.raises(RegisterUnavailable):
        world.service.recheck(message(signal))
    updates.unavailable = False
    assert world.service.recheck(message(signal)) is Rechecked.FOLLOWED
    assert updates.followed == {ZOEY: signal.delete_after}
    assert world.register.requests == 1 and world.stored(signal).version == signal.version + 1


def replace_subscriptions(world: World, subscriptions: RegisterSubscriptions) -> RecheckService:
    return RecheckService(
        world.register,
        world.store,
        world.ledger,
        world.mailer,
        builders.pseudonymiser,
        Audit(FixedClock(START + timedelta(minutes=15)), lambda at: MonotonicUlids().next(at, os.urandom(10))),
        subscriptions,
    )


def test_a_verified_post_whose_subscription_failed_queues_a_retry_the_consumer_follows_through() -> None:
    register, queue, store = (
        InMemoryPopulationRegister(),
        InMemoryRecheckQueue(),
        InMemoryMatchStore(InMemoryLogbook(), InMemoryNotificationLedger(InMemoryLogbook())),
    )
    updates = InMemoryPopulationRegister(today=START.date())
    updates.unavailable = True
    subscriptions = RegisterSubscriptions(updates, store, retries=queue)
    signal = post(register, queue, store, subscriptions)
    assert signal.verification is Verification.VERIFIED and updates.followed == {}
    assert queue.sent == [Recheck(signal.id, KEYS.child(ZOEY).value, ZOEY)]

    consumer = RecheckService(
        register,
        store,
        InMemoryNotificationLedger(InMemoryLogbook()),
        RecordingMailer(),
        builders.pseudonymiser,
        Audit(FixedClock(START + timedelta(minutes=15)), lambda at: MonotonicUlids().next(at, os.urandom(10))),
        RegisterSubscriptions(updates, store),  # the consumer raises instead: SQS delivers again
    )
    bodies = [recheck.to_json() for recheck in queue.take()]
    with pytest.raises(RegisterUnavailable):
        handle_rechecks(bodies, consumer)
    updates.unavailable = False
    assert handle_rechecks(bodies, consumer) == {"followed": 1}
    assert updates.followed == {ZOEY: signal.delete_after}
    assert register.requests == 1  # the register is not asked again
    assert queue.sent == []


def test_the_register_still_down_raises_so_the_queue_delivers_again_later(world: World) -> None:
    signal = world.pending()
    world.register.unavailable = True
    with pytest.raises(RegisterUnavailable):
        world.service.recheck(message(signal))
    assert world.stored(signal).verification is Verification.PENDING
    world.register.unavailable = False
    assert world.service.recheck(message(signal)) is Rechecked.VERIFIED


def test_a_mismatch_marks_the_signal_and_tells_its_professional_exactly_once(world: World) -> None:
    signal = world.pending(family_name="Jansen")
    assert world.service.recheck(message(signal)) is Rechecked.MISMATCHED
    assert world.service.recheck(message(signal)) is Rechecked.SKIPPED
    stored = world.stored(signal)
    assert stored.verification is Verification.MISMATCHED
    assert stored.address_pseudonym == signal.address_pseudonym
    assert world.register.followed == {}
    [mail] = world.mailer.sent
    assert mail.to == signal.professional.email
    assert mail.subject == "Verwijsindex: uw melding klopt niet met de BRP"
    assert signal.id in mail.text and "GGD-2026-117" in mail.text and "de achternaam" in mail.text
    assert "geboortedatum" not in mail.text
    # Nothing the register holds, and no BSN.
    assert ZOEY not in mail.text + mail.html and "Braber" not in mail.text + mail.html


def test_a_mail_that_failed_is_sent_on_the_retry_and_only_then_the_signal_is_marked(world: World) -> None:
    signal = world.pending(birth_date=date(2018, 11, 15))
    world.mailer.fail_for(signal.professional.email)
    with pytest.raises(MailRefused):
        world.service.recheck(message(signal))
    assert world.stored(signal).verification is Verification.PENDING
    assert world.service.recheck(message(signal)) is Rechecked.MISMATCHED
    assert len(world.mailer.sent) == 1 and "de geboortedatum" in world.mailer.sent[0].text


def test_a_recheck_message_carries_the_bsn_but_never_shows_it() -> None:
    recheck = Recheck("01JSIGNAL", "child-pseudonym", ZOEY)
    assert Recheck.from_json(recheck.to_json()) == recheck
    assert ZOEY not in repr(recheck)
    for body in ("{}", "not json", '{"signal_id": "x", "child": "y", "bsn": "99999580"}', "[]"):
        with pytest.raises(MalformedRecheck) as refused:
            Recheck.from_json(body)
        assert "9999" not in str(refused.value)


def post(
    register: InMemoryPopulationRegister,
    queue: InMemoryRecheckQueue,
    store: InMemorySignalStore,
    subscriptions: RegisterSubscriptions | None = None,
) -> Signal:
    ids = MonotonicUlids()
    signals = SignalService(
        store,
        InMemoryLogbook(),
        builders.pseudonymiser,
        Audit(FixedClock(START), lambda at: ids.next(at, os.urandom(10))),
        register=register,
        subscriptions=subscriptions,
        rechecks=queue,
    )
    child = builders.child(bsn=ZOEY, family_name_prefix="den", family_name="Braber", birth_date="2018-11-14")
    return signals.register(builders.organisation_principal(), builders.new_signal(child=child), None).signal


def empty_store() -> InMemorySignalStore:
    return InMemorySignalStore(InMemoryLogbook())


def test_a_post_while_the_register_is_down_queues_its_recheck_with_the_bsn_and_nothing_more() -> None:
    register, queue, store = InMemoryPopulationRegister(), InMemoryRecheckQueue(), empty_store()
    register.unavailable = True
    signal = post(register, queue, store)
    assert signal.verification is Verification.PENDING
    assert queue.sent == [Recheck(signal.id, KEYS.child(ZOEY).value, ZOEY)]
    register.unavailable = False
    post(register, queue, InMemorySignalStore(InMemoryLogbook()))
    assert len(queue.sent) == 1  # a verified POST queues nothing


def test_a_queue_that_refuses_loses_no_signal() -> None:
    register, queue, store = InMemoryPopulationRegister(), InMemoryRecheckQueue(refuse=True), empty_store()
    register.unavailable = True
    signal = post(register, queue, store)
    assert signal.id in store.signals and signal.verification is Verification.PENDING


def test_the_consumer_rechecks_each_message_and_drops_what_is_no_recheck(world: World) -> None:
    first, second = world.pending(), world.pending(family_name="Jansen")
    second = replace(second, id=builders.domain_signal(seed=9).id)
    world.store.put(second)
    bodies = [message(first).to_json(), "not a recheck", message(second).to_json(), message(first).to_json()]
    assert handle_rechecks(bodies, world.service) == {"verified": 1, "malformed": 1, "mismatched": 1, "followed": 1}
    assert handle_rechecks([message(first).to_json()], None) == {"off": 1}


def test_the_consumer_raises_while_the_register_is_down_so_sqs_retries(world: World) -> None:
    world.register.unavailable = True
    with pytest.raises(RegisterUnavailable):
        handle_rechecks([message(world.pending()).to_json()], world.service)


def test_a_failed_subscription_whose_retry_the_queue_refuses_loses_no_signal() -> None:
    register, store = (
        InMemoryPopulationRegister(),
        InMemoryMatchStore(InMemoryLogbook(), InMemoryNotificationLedger(InMemoryLogbook())),
    )
    updates = InMemoryPopulationRegister(today=START.date())
    updates.unavailable = True
    refusing = InMemoryRecheckQueue(refuse=True)
    signal = post(register, refusing, store, RegisterSubscriptions(updates, store, retries=refusing))
    assert store.signals[signal.id].verification is Verification.VERIFIED
    assert updates.followed == {} and refusing.sent == []
