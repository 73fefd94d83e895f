"""The match function's use case on in-memory fakes: matches stored, each e-mail sent once."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.clock import dutch_date
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import Match, find_matches, match_id
from chalicelib.domain.model import Professional, Signal
from chalicelib.domain.notifications import Audience, Notification, plan
from chalicelib.ports import ClaimOutcome
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import CLAIM_LEASE
from chalicelib.services.matching import MatchService, NotificationInFlight
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    FAILED,
    SENT,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    MailRefused,
    RecordingMailer,
)

START = builders.START
HOUR = timedelta(hours=1)
PROCESSED_AT = START + 2 * HOUR
REGIE = "regie@utrecht.example.nl"
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs")
JANSEN = Professional("P. Jansen", "Jeugdverpleegkundige", "p.jansen@ggd.example.nl", "+31 30 123 4567")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31 20 555 0101")
DE_WIT = Professional("M. de Wit", "Intern begeleider", "m.dewit@linde.example.nl", "+31 30 222 3333")


def signal(seed: int, org: Any, professional: Professional, created_at: datetime = START, **overrides: Any) -> Signal:
    return builders.domain_signal(seed=seed, org=org, created_at=created_at, professional=professional, **overrides)


@dataclass
class World:
    logbook: InMemoryLogbook
    ledger: InMemoryNotificationLedger
    store: InMemoryMatchStore
    registry: InMemoryRegistry
    mailer: RecordingMailer
    clock: FixedClock
    service: MatchService

    def notifications_of(self, new: Signal) -> list[Notification]:
        """What the service plans for ``new``, to find a recipient's ledger record."""
        partition = self.store.child_partition(new.child_pseudonym.value)
        found = find_matches(new, partition.signals, [], False, dutch_date(self.clock.now()))
        return plan(new, found, self.registry.regievoerder_email("0344"))

    def sent_log(self) -> list[Any]:
        return [entry for entry in self.logbook.entries if entry.action is Action.NOTIFICATION_SENT]


@pytest.fixture
def world() -> World:
    logbook = InMemoryLogbook()
    ledger = InMemoryNotificationLedger(logbook)
    store = InMemoryMatchStore(logbook, ledger)
    registry = InMemoryRegistry()
    registry.put_municipality("0344", "Utrecht", "utrecht", REGIE, START)
    mailer = RecordingMailer()
    clock = FixedClock(PROCESSED_AT)
    ids = MonotonicUlids()
    service = MatchService(store, registry, ledger, mailer, Audit(clock, lambda at: ids.next(at, os.urandom(10))))
    return World(logbook, ledger, store, registry, mailer, clock, service)


def matches_of(world: World, signal: Signal) -> tuple[Match, ...]:
    """The matches shown with ``signal``, read through the store's port."""
    read = world.store.get(signal.id)
    assert read is not None
    return read.matches


@pytest.fixture
def earlier(world: World) -> Signal:
    """The GGD's signal for the child, an hour before the new one."""
    found = signal(1, GGD, JANSEN)
    world.store.put(found)
    return found


@pytest.fixture
def new(world: World, earlier: Signal) -> Signal:
    """The Buurtteam's signal for the same child: it matches ``earlier``."""
    found = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(found)
    return found


# One mail per recipient


def test_each_recipient_gets_one_mail(world: World, earlier: Signal, new: Signal) -> None:
    outcome = world.service.process(new)

    assert sorted(world.mailer.recipients) == sorted([BAKKER.email, JANSEN.email, REGIE])
    assert (outcome.matches, outcome.sent, outcome.already_sent, outcome.skipped) == (1, 3, 0, False)
    assert world.mailer.to(BAKKER.email)[0].subject == "Verwijsindex: uw melding heeft een match"
    assert world.mailer.to(JANSEN.email)[0].subject == "Verwijsindex: nieuwe match met uw melding"
    assert world.mailer.to(REGIE)[0].subject == "Verwijsindex: nieuwe match in uw gemeente"


def test_every_mail_is_marked_sent_in_the_ledger(world: World, earlier: Signal, new: Signal) -> None:
    world.service.process(new)

    assert world.store.child_partition(new.child_pseudonym.value).sent == {
        (new.id, "own"): SENT,
        (new.id, f"signal:{earlier.id}"): SENT,
        (new.id, "regie:0344"): SENT,
    }


def test_no_regievoerder_mail_when_the_municipality_has_none(world: World, earlier: Signal) -> None:
    registry = InMemoryRegistry()
    service = MatchService(
        world.store, registry, world.ledger, world.mailer, Audit(world.clock, lambda at: os.urandom(8).hex())
    )
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(new)

    service.process(new)

    assert sorted(world.mailer.recipients) == sorted([BAKKER.email, JANSEN.email])


def test_signal_without_a_match_sends_nothing_and_stores_nothing(world: World) -> None:
    alone = signal(1, GGD, JANSEN)
    world.store.put(alone)

    outcome = world.service.process(alone)

    assert (outcome.matches, outcome.sent) == (0, 0)
    assert world.mailer.sent == []
    assert world.store.child_partition(alone.child_pseudonym.value).matches == []
    assert world.logbook.entries == []


def test_owner_of_an_archived_signal_is_listed_but_gets_no_mail(world: World) -> None:
    archived = signal(1, SCHOOL, DE_WIT, START - 800 * 24 * HOUR)
    world.store.put(archived)
    assert archived.active_until < PROCESSED_AT.date()
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(new)

    outcome = world.service.process(new)

    assert outcome.matches == 1
    assert sorted(world.mailer.recipients) == sorted([BAKKER.email, REGIE])
    overview = world.mailer.to(BAKKER.email)[0].text
    assert DE_WIT.email in overview
    assert "gearchiveerd" in overview


def test_sibling_at_an_excluded_address_is_not_matched(world: World) -> None:
    sibling = signal(2, SCHOOL, DE_WIT)
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(sibling, new)
    world.registry.add_excluded_address(new.address_pseudonym.value, "1", START)

    outcome = world.service.process(new)

    assert outcome.matches == 0
    assert world.mailer.sent == []


def test_sibling_at_the_same_address_gets_an_address_match_mail(world: World) -> None:
    sibling = signal(2, SCHOOL, DE_WIT)
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(sibling, new)

    world.service.process(new)

    assert sorted(world.mailer.recipients) == sorted([BAKKER.email, DE_WIT.email, REGIE])
    assert "zelfde adres" in world.mailer.to(DE_WIT.email)[0].text


def test_the_earlier_signals_own_record_finds_no_match_with_a_later_one(
    world: World, earlier: Signal, new: Signal
) -> None:
    # The stream may deliver the earlier record after the later signal is stored.
    assert world.service.process(earlier).matches == 0
    assert world.mailer.sent == []

    world.service.process(new)

    assert Counter(world.mailer.recipients) == Counter({BAKKER.email: 1, JANSEN.email: 1, REGIE: 1})


# Exactly once


def test_processing_the_same_signal_twice_sends_nothing_new(world: World, earlier: Signal, new: Signal) -> None:
    world.service.process(new)
    sent = list(world.mailer.sent)

    again = world.service.process(new)

    assert world.mailer.sent == sent
    assert (again.sent, again.already_sent) == (0, 3)
    assert len(world.sent_log()) == 3


def test_mail_failure_releases_the_claim_and_propagates(world: World, earlier: Signal, new: Signal) -> None:
    world.mailer.fail_for(JANSEN.email)

    with pytest.raises(MailRefused):
        world.service.process(new)

    to_jansen = next(n for n in world.notifications_of(new) if n.to == JANSEN.email)
    assert world.ledger.status(to_jansen) == FAILED
    assert JANSEN.email not in world.mailer.recipients
    assert [entry.signal_id for entry in world.sent_log()] == [new.id]


def test_retry_after_a_mail_failure_sends_only_the_missing_mails(world: World, earlier: Signal, new: Signal) -> None:
    world.mailer.fail_for(JANSEN.email)
    with pytest.raises(MailRefused):
        world.service.process(new)
    assert world.mailer.recipients == [BAKKER.email]

    outcome = world.service.process(new)

    assert Counter(world.mailer.recipients) == Counter({BAKKER.email: 1, JANSEN.email: 1, REGIE: 1})
    assert (outcome.sent, outcome.already_sent) == (2, 1)
    assert Counter(entry.signal_id for entry in world.sent_log()) == Counter({new.id: 2, earlier.id: 1})


def test_live_claim_by_another_invocation_raises_in_flight(world: World, earlier: Signal, new: Signal) -> None:
    own = next(n for n in world.notifications_of(new) if n.audience is Audience.NEW_SIGNAL_OWNER)
    now = world.clock.now()
    assert world.ledger.claim(own, now, now + CLAIM_LEASE) is ClaimOutcome.CLAIMED
    world.clock.set(now + CLAIM_LEASE - timedelta(seconds=1))

    with pytest.raises(NotificationInFlight):
        world.service.process(new)

    assert BAKKER.email not in world.mailer.recipients


def test_claim_whose_lease_ran_out_is_taken_over(world: World, earlier: Signal, new: Signal) -> None:
    # An invocation claimed the overview and died before sending it.
    own = next(n for n in world.notifications_of(new) if n.audience is Audience.NEW_SIGNAL_OWNER)
    now = world.clock.now()
    world.ledger.claim(own, now, now + CLAIM_LEASE)
    world.clock.set(now + CLAIM_LEASE + timedelta(seconds=1))

    outcome = world.service.process(new)

    assert outcome.sent == 3
    assert world.mailer.to(BAKKER.email)
    assert world.ledger.status(own) == SENT


def test_mail_already_marked_sent_by_another_invocation_is_not_sent_again(
    world: World, earlier: Signal, new: Signal
) -> None:
    # The ledger says sent, though the partition read happened before the mark landed.
    to_jansen = next(n for n in world.notifications_of(new) if n.to == JANSEN.email)
    now = world.clock.now()
    world.ledger.claim(to_jansen, now, now + CLAIM_LEASE)
    world.ledger.mark_sent(to_jansen, "elsewhere", _log_for(world, to_jansen))

    class StalePartition(InMemoryMatchStore):
        def child_partition(self, child_pseudonym: str) -> Any:
            partition = super().child_partition(child_pseudonym)
            return type(partition)(partition.signals, partition.matches, {})

    stale = StalePartition(world.logbook, world.ledger)
    stale.put(earlier, new)
    service = MatchService(
        stale, world.registry, world.ledger, world.mailer, Audit(world.clock, lambda at: os.urandom(8).hex())
    )

    outcome = service.process(new)

    assert JANSEN.email not in world.mailer.recipients
    assert (outcome.sent, outcome.already_sent) == (2, 1)


def _log_for(world: World, notification: Notification) -> LogEntry:
    return LogEntry(
        id="01ELSEWHERE",
        at=world.clock.now(),
        action=Action.NOTIFICATION_SENT,
        client_id="match-function",
        signal_id=notification.own_signal_id,
        child_pseudonym=notification.child.value,
    )


def test_signal_deleted_before_processing_is_skipped(world: World, earlier: Signal) -> None:
    deleted = signal(1, BUURTTEAM, BAKKER, START + HOUR)  # never stored, or closed as unjustified

    outcome = world.service.process(deleted)

    assert outcome.skipped
    assert world.mailer.sent == []
    assert world.store.child_partition(earlier.child_pseudonym.value).matches == []
    assert world.logbook.entries == []


# Match records


def test_match_is_stored_on_both_sides(world: World, earlier: Signal, new: Signal) -> None:
    world.service.process(new)

    [mine] = matches_of(world, new)
    [theirs] = matches_of(world, earlier)
    assert mine.id == theirs.id == match_id(new.id, earlier.id)
    assert (mine.other.signal_id, theirs.other.signal_id) == (earlier.id, new.id)
    assert mine.since == theirs.since == new.created_at


def test_match_records_are_saved_once_and_not_rewritten_when_all_exist(
    world: World, earlier: Signal, new: Signal
) -> None:
    world.service.process(new)
    world.service.process(new)

    assert len(world.store.match_writes) == 1
    assert {(m.signal_id, m.other.signal_id) for m in world.store.match_writes[0]} == {
        (new.id, earlier.id),
        (earlier.id, new.id),
    }


def test_a_batch_cut_short_before_the_new_signals_side_is_written_again(
    world: World, earlier: Signal, new: Signal
) -> None:
    world.service.process(new)
    world.store.lose_match_record(new.id, match_id(new.id, earlier.id))

    world.service.process(new)

    assert len(world.store.match_writes) == 2
    assert len(matches_of(world, new)) == 1


def test_a_counterpart_removed_later_is_not_brought_back_by_a_redelivery(
    world: World, earlier: Signal, new: Signal
) -> None:
    world.service.process(new)
    # What deleting the earlier signal does to its side of the match.
    world.store.lose_match_record(earlier.id, match_id(new.id, earlier.id))

    world.service.process(new)

    assert len(world.store.match_writes) == 1
    assert matches_of(world, earlier) == ()


def test_match_records_are_saved_even_when_a_mail_fails(world: World, earlier: Signal, new: Signal) -> None:
    world.mailer.fail_for(BAKKER.email)

    with pytest.raises(MailRefused):
        world.service.process(new)

    assert [len(matches_of(world, s)) for s in (new, earlier)] == [1, 1]


# Logbook


def test_every_sent_mail_writes_one_log_entry_under_the_recipients_own_child(world: World) -> None:
    same_child = signal(1, GGD, JANSEN)
    sibling = signal(2, SCHOOL, DE_WIT)
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    world.store.put(same_child, sibling, new)

    world.service.process(new)
    world.service.process(new)

    entries = world.sent_log()
    assert len(entries) == len(world.mailer.sent) == 4
    by_signal = Counter((entry.signal_id, entry.child_pseudonym) for entry in entries)
    assert by_signal == Counter(
        {
            (new.id, new.child_pseudonym.value): 2,  # the overview and the regievoerder's notice
            (same_child.id, same_child.child_pseudonym.value): 1,
            (sibling.id, sibling.child_pseudonym.value): 1,
        }
    )
    assert sibling.child_pseudonym != new.child_pseudonym
    assert all(entry.at == PROCESSED_AT and entry.client_id == "match-function" for entry in entries)
    assert all(new.id in (entry.detail or "") for entry in entries)
    [regie] = [entry for entry in entries if entry.municipality_code is not None]
    assert regie.municipality_code == "0344"
    assert regie.detail and regie.detail.startswith("regievoerder;")
    assert len({entry.id for entry in entries}) == 4


def test_log_entry_names_the_match_ids_but_no_address(world: World, earlier: Signal, new: Signal) -> None:
    world.service.process(new)

    [to_jansen] = [entry for entry in world.sent_log() if entry.signal_id == earlier.id]
    assert to_jansen.detail == f"matched_owner; new signal {new.id}; matches {match_id(new.id, earlier.id)}"
    assert to_jansen.key_version == earlier.child_pseudonym.key_version
