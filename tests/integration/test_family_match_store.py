"""The family match in the MatchStore contract: signals found by a parent's pseudonym, the parents'
pseudonyms kept with the signal, and gone with it; held against the fake and DynamoDB on moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Verification
from tests import builders
from tests.fake_population import ALEXANDER, ESTRELLA, GERRIT, WILMA, ZOEY
from tests.integration import test_match_store_contract as match_store
from tests.integration.test_match_store_contract import Stores
from tests.integration.test_signal_store_contract import OTHER_ORG, START, log_for

KEYS = builders.pseudonymiser()


def child_of(bsn: str, parents: tuple[str, ...], **overrides: Any) -> Any:
    return builders.domain_signal(
        seed=int(bsn) % 1000,
        child_pseudonym=KEYS.child(bsn),
        parent_pseudonyms=tuple(KEYS.child(p) for p in parents),
        verification=Verification.VERIFIED,
        **overrides,
    )


class FamilyMatchContract:
    @pytest.fixture
    def stores(self) -> Stores:
        raise NotImplementedError

    def test_a_parent_pseudonym_finds_the_signals_of_each_of_their_children(self, stores: Stores) -> None:
        zoey = stores.add(child_of(ZOEY, (WILMA, GERRIT)))
        alexander = stores.add(
            child_of(ALEXANDER, (WILMA, GERRIT), org=OTHER_ORG, created_at=START + timedelta(minutes=1))
        )
        stores.add(child_of("999990408", (ESTRELLA,)))
        found = stores.matches.signals_with_parent(KEYS.child(GERRIT).value)
        assert sorted(s.id for s in found) == sorted([zoey.id, alexander.id])
        assert {s.id: s for s in found}[zoey.id].parent_pseudonyms == zoey.parent_pseudonyms
        assert stores.read(zoey).signal.verification is Verification.VERIFIED

    def test_a_deleted_signal_takes_its_parent_links_along(self, stores: Stores) -> None:
        zoey = stores.add(child_of(ZOEY, (WILMA, GERRIT)))
        stores.signals.delete(stores.read(zoey), log_for(zoey, Action.SIGNAL_DELETED))
        assert stores.matches.signals_with_parent(KEYS.child(WILMA).value) == []

    def test_parents_a_recheck_learnt_are_linked_in_the_same_write_and_leave_with_the_signal(
        self, stores: Stores
    ) -> None:
        pending = stores.add(replace(child_of(ZOEY, ()), verification=Verification.PENDING))
        assert stores.matches.signals_with_parent(KEYS.child(WILMA).value) == []
        read = stores.read(pending)
        verified = replace(
            pending,
            verification=Verification.VERIFIED,
            parent_pseudonyms=(KEYS.child(WILMA), KEYS.child(GERRIT)),
            rechecked_at=START + timedelta(minutes=15),
        )
        [stored] = stores.signals.replace_signals([read.changed(verified)], log_for(pending, Action.SUBJECT_RECTIFIED))
        assert [s.id for s in stores.matches.signals_with_parent(KEYS.child(GERRIT).value)] == [pending.id]
        again = stores.read(pending).signal
        assert again.parent_pseudonyms == verified.parent_pseudonyms
        assert again.rechecked_at == START + timedelta(minutes=15) and again.version == stored.signal.version
        stores.signals.delete(stores.read(pending), log_for(pending, Action.SIGNAL_DELETED))
        assert stores.matches.signals_with_parent(KEYS.child(WILMA).value) == []

    def test_a_signal_without_parents_is_found_by_none(self, stores: Stores) -> None:
        stores.add(builders.domain_signal(seed=3))
        assert stores.matches.signals_with_parent(KEYS.child(WILMA).value) == []


class TestInMemoryFamilyMatch(FamilyMatchContract):
    stores = match_store.TestInMemoryMatchStore.stores


class TestDynamoDBFamilyMatch(FamilyMatchContract):
    stores = match_store.TestDynamoDBMatchStore.stores

    def test_no_parent_link_is_left_in_the_table(self, stores: Stores, container: bootstrap.Container) -> None:
        zoey = stores.add(child_of(ZOEY, (WILMA, GERRIT)))
        stores.signals.delete(stores.read(zoey), log_for(zoey, Action.SIGNAL_DELETED))
        items = container.signals_table.query("pk = :pk", {":pk": "CHILD#" + zoey.child_pseudonym.value})
        assert [item["sk"] for item in items if item["sk"].startswith("PARENT#")] == []
