"""One contract for the MatchStore port (and the copies a match keeps of a changed or deleted signal),
held against the in-memory fake and DynamoDB on moto."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import SignalWithMatches, both_sides, find_matches, match_id, municipal_records
from chalicelib.domain.model import Professional, Signal
from chalicelib.domain.notifications import plan
from chalicelib.services.delivery import CLAIM_LEASE
from tests import builders
from tests.fakes import InMemoryLogbook, InMemoryMatchStore, InMemoryMunicipalMatches, InMemoryNotificationLedger
from tests.integration.test_signal_store_contract import OTHER_ORG, START, TODAY, log_for

NEW_PROFESSIONAL = Professional("Q. de Boer", "Wijkverpleegkundige", "q.deboer@ggd.example.nl", "+31 30 765 4321")


@dataclass
class Stores:
    signals: Any
    matches: Any
    municipal: Any
    ledger: Any

    def add(self, signal: Signal) -> Signal:
        self.signals.add(signal, TODAY, None, log_for(signal))
        return signal

    def read(self, signal: Signal) -> SignalWithMatches:
        read = self.signals.get(signal.id)
        assert read is not None
        return read

    def match(self, earlier: Signal, new: Signal) -> None:
        """What the match function stores when ``new`` matches ``earlier``."""
        found = find_matches(new, [earlier], [], False, TODAY)
        self.matches.save_matches(new.id, both_sides(new, found), municipal_records(new, found))


def handed_over(signal: Signal) -> LogEntry:
    return log_for(signal, Action.SIGNAL_HANDED_OVER, START + timedelta(minutes=2))


class MatchStoreContract:
    @pytest.fixture
    def stores(self) -> Stores:
        raise NotImplementedError

    @pytest.fixture
    def pair(self, stores: Stores) -> tuple[Signal, Signal]:
        """The GGD's signal, and a minute later the Buurtteam's for the same child: matched."""
        earlier = stores.add(builders.domain_signal(seed=1))
        new = stores.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        stores.match(earlier, new)
        return earlier, new

    def test_each_side_is_read_back_with_its_signal(self, stores: Stores, pair: tuple[Signal, Signal]) -> None:
        earlier, new = pair
        [mine] = stores.read(new).matches
        [theirs] = stores.read(earlier).matches
        assert mine.id == theirs.id == match_id(new.id, earlier.id)
        assert (mine.other.signal_id, theirs.other.signal_id) == (earlier.id, new.id)
        assert (mine.other.professional, theirs.other.professional) == (earlier.professional, new.professional)

    def test_the_regievoerders_record_is_stored_with_both_sides(
        self, stores: Stores, pair: tuple[Signal, Signal]
    ) -> None:
        earlier, new = pair
        record = stores.municipal.get("0344", match_id(new.id, earlier.id))
        assert record is not None
        assert [side.signal_id for side in record.sides] == [new.id, earlier.id]

    def test_the_childs_partition_holds_its_signals_matches_and_mails(
        self, stores: Stores, pair: tuple[Signal, Signal]
    ) -> None:
        earlier, new = pair
        other_child = stores.add(builders.domain_signal(seed=2))
        [own, *_] = plan(new, find_matches(new, [earlier], [], False, TODAY), None)
        stores.ledger.claim(own, START, START + CLAIM_LEASE)

        partition = stores.matches.child_partition(new.child_pseudonym.value)

        assert {s.id for s in partition.signals} == {earlier.id, new.id}
        assert sorted(m.signal_id for m in partition.matches) == sorted([earlier.id, new.id])
        assert partition.sent == {(new.id, "own"): "sending"}
        assert stores.matches.child_partition(other_child.child_pseudonym.value).matches == []

    def test_signals_at_an_address_are_those_of_every_child_living_there(self, stores: Stores) -> None:
        here = stores.add(builders.domain_signal(seed=1))
        sibling = stores.add(builders.domain_signal(seed=2, org=OTHER_ORG))
        elsewhere = builders.domain_signal(seed=3)
        address = replace(elsewhere.child.address, house_number=14)
        keys = builders.pseudonymiser()
        stores.add(
            replace(elsewhere, child=replace(elsewhere.child, address=address), address_pseudonym=keys.address(address))
        )

        found = stores.matches.signals_at_address(here.address_pseudonym.value)

        assert sorted(s.id for s in found) == sorted([here.id, sibling.id])

    def test_saving_the_same_records_again_changes_nothing(self, stores: Stores, pair: tuple[Signal, Signal]) -> None:
        earlier, new = pair
        before = (stores.read(earlier), stores.read(new))
        stores.match(earlier, new)
        assert (stores.read(earlier), stores.read(new)) == before

    def test_a_change_of_a_signal_reaches_the_copy_on_the_other_side(
        self, stores: Stores, pair: tuple[Signal, Signal]
    ) -> None:
        earlier, new = pair
        stores.signals.replace_professional(stores.read(earlier), NEW_PROFESSIONAL, handed_over(earlier))

        [copy] = [m.other for m in stores.read(new).matches]
        assert (copy.professional, copy.version) == (NEW_PROFESSIONAL, 1)
        record = stores.municipal.get("0344", match_id(new.id, earlier.id))
        assert [side.professional for side in record.sides if side.signal_id == earlier.id] == [NEW_PROFESSIONAL]

    def test_an_older_version_never_replaces_a_newer_copy(self, stores: Stores, pair: tuple[Signal, Signal]) -> None:
        earlier, new = pair
        stores.signals.replace_professional(stores.read(earlier), NEW_PROFESSIONAL, handed_over(earlier))
        older = stores.read(earlier)
        stores.signals.replace_professional(older, earlier.professional, handed_over(earlier))

        # The first hand-over's refresh, held up until after the second one's.
        stores.matches.refresh_counterparts(older)

        [copy] = [m.other for m in stores.read(new).matches]
        assert (copy.professional, copy.version) == (earlier.professional, 2)

    def test_a_deleted_signal_takes_its_matches_on_both_sides_and_its_mails_along(
        self, stores: Stores, pair: tuple[Signal, Signal]
    ) -> None:
        earlier, new = pair
        notices = plan(new, find_matches(new, [earlier], [], False, TODAY), None)
        for notice in notices:
            stores.ledger.claim(notice, START, START + CLAIM_LEASE)

        stores.signals.delete(stores.read(new), log_for(new, Action.SIGNAL_DELETED, START + timedelta(minutes=5)))

        partition = stores.matches.child_partition(new.child_pseudonym.value)
        assert [s.id for s in partition.signals] == [earlier.id]
        assert (partition.matches, partition.sent) == ([], {})
        assert stores.read(earlier).matches == ()
        assert stores.municipal.get("0344", match_id(new.id, earlier.id)) is None


class TestInMemoryMatchStore(MatchStoreContract):
    @pytest.fixture
    def stores(self) -> Stores:
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        return Stores(store, store, InMemoryMunicipalMatches(store), ledger)


class TestDynamoDBMatchStore(MatchStoreContract):
    @pytest.fixture
    def stores(self, container: bootstrap.Container) -> Stores:
        return Stores(
            container.signal_store, container.match_store, container.municipal_matches, container.notification_ledger
        )
