"""The issue's races as threads against DynamoDB on moto: changes of one signal, nightly runs,
rectifications and erasures at the same moment lose nothing and send every mail once.

moto handles one DynamoDB request at a time here, as DynamoDB isolates transactions (see
``test_concurrency``); the threads still race to it, so every round interleaves the reads and
writes differently. ``test_lost_updates`` replays the decisive interleavings one by one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Address, CloseReason, Professional, Signal
from chalicelib.services.audit import Audit
from chalicelib.services.lifecycle import LifecycleReport, LifecycleService
from chalicelib.services.matching import MatchService
from chalicelib.services.signals import SignalService
from chalicelib.services.subjects import ChildCorrection, Erased, NothingStored, Rectified, SubjectService
from local.clock import FixedClock
from tests import builders
from tests.fakes import RecordingMailer, signal_in
from tests.integration.test_concurrency import one_dynamodb_request_at_a_time  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("one_dynamodb_request_at_a_time")

ROUNDS = 5
START = builders.START
TODAY = date(2026, 11, 28)
GGD = builders.organisation_principal()
BUURTTEAM = builders.organisation_principal(
    builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam", region="amsterdam")
)
UTRECHT = builders.municipality_principal("0344")
JANSEN = Professional(**builders.professional())
BAKKER = Professional("K. Bakker", "Buurtwerker", "k.bakker@buurtteam.example.nl", "020 555 0101")
SMIT = Professional("A. Smit", "Jeugdverpleegkundige", "a.smit@ggd.example.nl", "+31 30 765 4321")
REGIE_AMSTERDAM = "regie@amsterdam.example.nl"


class Services:
    """The use cases on the container's DynamoDB adapters, mailing into one ``RecordingMailer``."""

    def __init__(self, container: bootstrap.Container, clock: FixedClock) -> None:
        self.container = container
        self.clock = clock
        self.mailer = RecordingMailer()
        ids = MonotonicUlids()
        lock = threading.Lock()

        def new_id(at: Any) -> str:
            with lock:
                return ids.next(at, os.urandom(10))

        self.audit = Audit(clock, new_id)
        self.signals = SignalService(container.signal_store, container.logbook, builders.pseudonymiser, self.audit)
        self.matching = MatchService(
            container.match_store, container.registry, container.notification_ledger, self.mailer, self.audit
        )
        self.subjects = SubjectService(
            container.signal_store,
            container.match_store,
            container.logbook,
            container.registry,
            container.notification_ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
        )
        container.registry.put_municipality("0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", START)
        container.registry.put_municipality("0363", "Amsterdam", "amsterdam", REGIE_AMSTERDAM, START)

    def lifecycle(self) -> LifecycleService:
        store = self.container
        return LifecycleService(
            store.signal_store, store.notification_ledger, self.mailer, self.audit, store.municipal_matches
        )

    def register(self, seed: int, principal: Any, professional: Professional, **overrides: Any) -> Signal:
        # A house of its own, so children of different rounds never match by address.
        child = builders.child(bsn=builders.bsn(seed), address=builders.address(house_number=seed))
        body = {"child": child, "professional": asdict(professional)}
        return self.signals.register(principal, builders.new_signal(**(body | overrides)), None).signal

    def matched(self, seed: int) -> tuple[Signal, Signal]:
        """Child ``seed`` signalled by the GGD and, a second later, by the Buurtteam: matched."""
        self.clock.set(START + timedelta(minutes=seed))
        first = self.register(seed, GGD, JANSEN)
        self.clock.set(START + timedelta(minutes=seed, seconds=1))
        second = self.register(seed, BUURTTEAM, BAKKER)
        assert self.matching.process(second).matches == 1
        return first, second

    def mails(self, subject: str) -> list[str]:
        return sorted(message.to for message in self.mailer.sent if subject in message.subject)


@pytest.fixture
def services(container: bootstrap.Container, clock: FixedClock) -> Services:
    container.pseudonymiser()
    return Services(container, clock)


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released at once; each slot holds the result or what was raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(slot: int) -> None:
        barrier.wait()
        try:
            outcomes[slot] = calls[slot]()
        except Exception as exc:  # recorded, so the test reports it instead of a thread warning
            outcomes[slot] = exc

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def copy_and_side(services: Services, signal: Signal, held_by: Signal) -> tuple[Professional, Professional]:
    """The professional of ``signal`` in the other side's copy and in the regievoerder's record."""
    [match] = services.container.signal_store.get(held_by.id).matches  # type: ignore[union-attr]
    followed = services.container.municipal_matches.get("0344", match.id)
    assert followed is not None
    [side] = [side for side in followed.sides if side.signal_id == signal.id]
    return match.other.professional, side.professional


def test_a_hand_over_and_a_close_at_once_are_both_stored_everywhere(services: Services) -> None:
    for seed in range(1, ROUNDS + 1):
        first, second = services.matched(seed)
        outcomes = together(
            lambda first=first: services.signals.hand_over(GGD, first.id, SMIT),
            lambda first=first: services.signals.close(GGD, first.id, CloseReason.RISK_RESOLVED),
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        stored = signal_in(services.container.signal_store, first.id)
        assert stored is not None
        assert (stored.professional, stored.close_reason) == (SMIT, CloseReason.RISK_RESOLVED), seed
        assert copy_and_side(services, first, held_by=second) == (SMIT, SMIT), seed
        [copy] = [m.other for m in services.container.signal_store.get(second.id).matches]  # type: ignore[union-attr]
        assert copy.archived_on == stored.archived_on


def test_a_rectification_and_a_hand_over_at_once_are_both_stored(services: Services) -> None:
    for seed in range(1, ROUNDS + 1):
        first, second = services.matched(seed)
        bsn = builders.bsn(seed)
        outcomes = together(
            lambda bsn=bsn: services.subjects.rectify(UTRECHT, bsn, ChildCorrection(family_name="de Wit")),
            lambda first=first: services.signals.hand_over(GGD, first.id, SMIT),
        )
        assert isinstance(outcomes[0], Rectified) and not isinstance(outcomes[1], Exception), outcomes
        stored = signal_in(services.container.signal_store, first.id)
        assert stored is not None
        assert (stored.professional, stored.child.family_name) == (SMIT, "de Wit"), seed
        assert signal_in(services.container.signal_store, second.id).child.family_name == "de Wit"  # type: ignore[union-attr]
        assert copy_and_side(services, first, held_by=second) == (SMIT, SMIT), seed


def test_two_nightly_runs_at_once_archive_once_and_send_each_notice_and_reminder_once(services: Services) -> None:
    expiring = [
        services.register(100 + n, GGD, JANSEN, end_date=(TODAY + timedelta(days=1)).isoformat()) for n in range(ROUNDS)
    ]
    pairs = [services.matched(seed) for seed in range(1, ROUNDS + 1)]
    services.mailer.sent.clear()
    services.clock.set(START + timedelta(days=15))

    outcomes = together(lambda: services.lifecycle().run(), lambda: services.lifecycle().run())

    assert all(isinstance(o, LifecycleReport) for o in outcomes), outcomes
    assert services.mails("gearchiveerd") == [JANSEN.email] * ROUNDS
    assert services.mails("herinnering") == sorted([JANSEN.email, BAKKER.email] * ROUNDS)
    assert sorted(outcomes[0].archived + outcomes[1].archived) == sorted(s.id for s in expiring)
    for signal in expiring:
        log = services.container.logbook.entries_for_child(signal.child_pseudonym.value)
        assert [e.action for e in log].count(Action.SIGNAL_ARCHIVED) == 1
    assert all(m.reminded == (True, True) for m in services.container.municipal_matches.for_municipality("0344", None))
    assert len(pairs) == ROUNDS
    again = services.lifecycle().run()
    assert (again.notices_sent, again.reminders_sent, again.archived) == (0, 0, [])


def test_three_rectifications_of_one_move_at_once_tell_the_new_municipality_once(services: Services) -> None:
    move = ChildCorrection(
        address=Address(
            street="Kerkstraat", house_number=5, postcode="1017GA", city="Amsterdam", municipality_code="0363"
        )
    )
    for seed in range(1, ROUNDS + 1):
        services.matched(seed)
        bsn = builders.bsn(seed)
        outcomes = together(*[lambda bsn=bsn: services.subjects.rectify(UTRECHT, bsn, move)] * 3)
        assert all(isinstance(o, Rectified | Conflict) for o in outcomes), outcomes
        assert [o.new_municipality_notified for o in outcomes if isinstance(o, Rectified)].count(True) == 1
        assert services.mails("woont nu in uw gemeente") == [REGIE_AMSTERDAM] * seed


def test_two_erasures_at_once_tell_each_professional_once_and_leave_nothing(services: Services) -> None:
    for seed in range(1, ROUNDS + 1):
        first, second = services.matched(seed)
        bsn = builders.bsn(seed)
        outcomes = together(
            lambda bsn=bsn: services.subjects.erase(UTRECHT, bsn, "objection"),
            lambda bsn=bsn: services.subjects.erase(UTRECHT, bsn, "objection"),
        )
        assert any(isinstance(o, Erased) for o in outcomes), outcomes
        assert all(isinstance(o, Erased | Conflict | NothingStored) for o in outcomes), outcomes
        assert services.mails("verwijderd") == sorted([JANSEN.email, BAKKER.email] * seed)
        partition = services.container.match_store.child_partition(first.child_pseudonym.value)
        assert (partition.signals, partition.matches, partition.sent) == ([], [], {})
        assert services.container.signal_store.get(second.id) is None
