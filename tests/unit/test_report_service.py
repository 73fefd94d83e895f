"""Reports (ReportService) on in-memory fakes: who may read which scope, what is counted, and the log."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import Principal, PrincipalKind, Professional
from chalicelib.services.audit import Audit
from chalicelib.services.matching import MatchService
from chalicelib.services.reports import ReportService
from chalicelib.services.signals import SignalService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    RecordingMailer,
)

START = datetime(2026, 10, 5, 9, tzinfo=UTC)
UTRECHT = builders.municipality_principal("0344", "utrecht")
ADMIN = Principal(client_id="admin_ops", kind=PrincipalKind.ADMIN)
JANSEN = Professional(**builders.professional())


class World:
    def __init__(self) -> None:
        self.logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, ledger)
        self.municipal = InMemoryMunicipalMatches(self.store)
        self.registry = InMemoryRegistry()
        self.registry.put_municipality("0344", "Utrecht", "utrecht", None, START)
        self.registry.put_municipality("0355", "Zeist", "utrecht", None, START)
        self.registry.put_municipality("0363", "Amsterdam", "amsterdam", None, START)
        self.clock = FixedClock(START)
        ids = MonotonicUlids()
        self.audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))
        self.signals = SignalService(self.store, self.logbook, builders.pseudonymiser, self.audit)
        self.matching = MatchService(self.store, self.registry, ledger, RecordingMailer(), self.audit)
        self.service = ReportService(self.store, self.municipal, self.registry, self.logbook, self.audit)
        self.seeds = iter(range(100, 1000))

    def signal(self, sector: str, municipality: str = "0344", informed: bool = True, seed: int | None = None) -> Any:
        self.clock.set(self.clock.now() + timedelta(minutes=1))
        organisation = builders.organisation(id=f"org_{sector}", sector=sector)
        address = builders.address(house_number=next(self.seeds), municipality_code=municipality)
        child = builders.child(bsn=builders.bsn(seed or next(self.seeds)), address=address)
        body = {"child": child, "professional": asdict(JANSEN), "family_informed": informed}
        principal = builders.organisation_principal(organisation)
        signal = self.signals.register(principal, builders.new_signal(**body), None).signal
        self.matching.process(signal)
        return signal


@pytest.fixture
def world() -> World:
    return World()


def test_a_municipality_reports_on_the_signals_of_its_children_in_the_period(world: World) -> None:
    for _ in range(6):
        world.signal("jgz")
    world.signal("huisarts", informed=False)
    world.signal("jgz", municipality="0355")

    report = world.service.report(UTRECHT, "2026-Q4", None)

    assert report["scope"] == {"municipality": "0344"}
    assert report["signals"] == {"total": 7, "by_sector": {"huisarts": "<5", "jgz": 6}}
    assert report["families_informed"] == {"count": 6, "share": None}
    assert world.service.report(UTRECHT, "2027", None)["signals"] == {"total": "<5", "by_sector": {}}


def test_matches_are_counted_by_kind_and_follow_up_in_the_dutch_period(world: World) -> None:
    for n in range(5):
        world.signal("jgz", seed=n + 1)
        world.signal("wijkteam", seed=n + 1)
    [first, *_] = world.municipal.for_municipality("0344", None)
    world.municipal.record_follow_up(
        first, FollowUp.CONTACT_MADE, None, START, world.audit.by(UTRECHT, START, Action.MATCH_FOLLOWED_UP)
    )

    report = world.service.report(UTRECHT, "2026-10", None)

    assert report["matches"] == {"total": 5, "by_kind": {"child": 5, "parent": "<5", "address": "<5"}}
    assert report["follow_up"] == {"followed_up": "<5", "rate": None}
    assert world.service.report(UTRECHT, "2026-09", None)["matches"]["total"] == "<5"


def test_an_administrator_reports_on_a_region_or_the_country(world: World) -> None:
    for municipality in ("0344", "0355", "0363"):
        for _ in range(5):
            world.signal("jgz", municipality=municipality)

    region = world.service.report(ADMIN, "2026", "utrecht")
    country = world.service.report(ADMIN, "2026", None)

    assert (region["scope"], region["signals"]["total"]) == ({"region": "utrecht"}, 10)
    assert (country["scope"], country["signals"]["total"]) == ({"country": "NL"}, 15)


def test_a_municipality_may_not_ask_for_a_region_and_an_organisation_gets_no_report(world: World) -> None:
    # region is for administrators: a municipality that names one asks for what it may not see.
    with pytest.raises(Forbidden):
        world.service.report(UTRECHT, "2026", "utrecht")
    with pytest.raises(Forbidden):
        world.service.report(builders.organisation_principal(), "2026", None)
    with pytest.raises(InvalidInput):
        world.service.report(UTRECHT, "2026-13", None)


def test_every_report_read_is_logged_with_its_period_and_scope(world: World) -> None:
    world.service.report(UTRECHT, "2026-Q4", None)
    world.service.report(ADMIN, "2026", "utrecht")

    read = [e for e in world.logbook.entries if e.action is Action.REPORT_READ]
    assert [(e.client_id, e.municipality_code, e.detail) for e in read] == [
        ("gm0344", "0344", "2026-Q4 {'municipality': '0344'}"),
        ("admin_ops", None, "2026 {'region': 'utrecht'}"),
    ]
