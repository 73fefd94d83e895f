"""One contract for what reports read of the signals (the ReportSignals port), held against the
in-memory fake and DynamoDB's by-municipality index on moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.reports import SignalFacts
from tests import builders
from tests.fakes import InMemoryLogbook, InMemorySignalStore
from tests.integration.test_signal_store_contract import OTHER_ORG, START, TODAY, log_for

NOVEMBER = (datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC))


class ReportSignalsContract:
    @pytest.fixture
    def stores(self) -> tuple[Any, Any]:
        """The signal store to add signals to, and the ReportSignals adapter that reads them."""
        raise NotImplementedError

    def add(self, store: Any, seed: int, **overrides: Any) -> None:
        signal = builders.domain_signal(seed=seed, **overrides)
        store.add(signal, TODAY, None, log_for(signal))

    def test_the_facts_of_the_signals_created_in_the_period_for_children_living_there(
        self, stores: tuple[Any, Any]
    ) -> None:
        store, reports = stores
        self.add(store, 1)
        self.add(store, 2, org=OTHER_ORG, family_informed=False)
        elsewhere = builders.domain_signal(seed=3)
        address = replace(elsewhere.child.address, municipality_code="0363")
        store.add(replace(elsewhere, child=replace(elsewhere.child, address=address)), TODAY, None, log_for(elsewhere))
        self.add(store, 4, created_at=datetime(2026, 12, 1, 9, tzinfo=UTC))

        facts = reports.signal_facts("0344", *NOVEMBER)

        assert sorted(facts, key=lambda f: f.sector) == [
            SignalFacts(sector="jgz", family_informed=True),
            SignalFacts(sector="wijkteam", family_informed=False),
        ]
        assert reports.signal_facts("0363", *NOVEMBER) == [SignalFacts(sector="jgz", family_informed=True)]

    def test_the_period_includes_its_first_second_and_leaves_out_its_end(self, stores: tuple[Any, Any]) -> None:
        store, reports = stores
        self.add(store, 1)
        assert len(reports.signal_facts("0344", START, START + timedelta(seconds=1))) == 1
        assert reports.signal_facts("0344", START - timedelta(seconds=1), START) == []


class TestInMemoryReportSignals(ReportSignalsContract):
    @pytest.fixture
    def stores(self) -> tuple[Any, Any]:
        store = InMemorySignalStore(InMemoryLogbook())
        return store, store


class TestDynamoDBReportSignals(ReportSignalsContract):
    @pytest.fixture
    def stores(self, container: bootstrap.Container) -> tuple[Any, Any]:
        return container.signal_store, container.report_signals
