"""Reports per municipality and period, with every count under 5 shown as "<5"."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from chalicelib.services import admin
from tests import builders

SEEDS = itertools.count(1000)


@pytest.fixture
def utrecht(container) -> str:
    return admin.create_municipality(
        container.registry, "0344", "Utrecht", "utrecht", None, container.clock.now()
    ).token


@pytest.fixture
def zeist(container) -> str:
    return admin.create_municipality(container.registry, "0355", "Zeist", "utrecht", None, container.clock.now()).token


@pytest.fixture
def administrator(container) -> str:
    return admin.issue_admin_token(container.registry, "ops", container.clock.now()).token


def signal_many(api, container, clock, count: int, sector: str, informed: bool, municipality: str = "0344") -> None:
    _, token = admin.create_organisation(container.registry, f"Org {sector}", sector, "utrecht", clock.now())
    for n in range(count):
        clock.set(clock.now() + timedelta(minutes=1))
        address = builders.address(postcode="3500AA", house_number=100 + n, municipality_code=municipality)
        child = builders.child(bsn=builders.bsn(next(SEEDS)), address=address)
        api.create_signal(token.token, builders.signal_body(child=child, family_informed=informed))


def report(api, token, query="period=2026-Q4"):
    return api.call("GET", f"/v1/reports?{query}", token)


def test_report_counts_signals_by_sector_and_suppresses_small_counts(api, container, clock, utrecht, stream):
    signal_many(api, container, clock, 6, "jgz", informed=True)
    signal_many(api, container, clock, 2, "huisarts", informed=False)
    stream.drain()

    document = report(api, utrecht).ok()
    assert document["period"] == "2026-Q4" and document["scope"] == {"municipality": "0344"}
    assert document["signals"] == {"total": 8, "by_sector": {"huisarts": "<5", "jgz": 6}}
    # 6 of 8 informed: the 2 not informed could be worked out from the share, so it is left out.
    assert document["families_informed"] == {"count": 6, "share": None}
    assert document["matches"]["total"] == "<5"


def test_report_share_is_given_when_no_small_count_can_be_derived(api, container, clock, utrecht):
    signal_many(api, container, clock, 10, "jgz", informed=True)
    signal_many(api, container, clock, 5, "onderwijs", informed=False)
    document = report(api, utrecht).ok()
    assert document["families_informed"] == {"count": 10, "share": 0.667}


def test_another_period_and_another_municipality_count_nothing(api, container, clock, utrecht, zeist):
    signal_many(api, container, clock, 6, "jgz", informed=True)
    assert report(api, utrecht, "period=2026-Q3").ok()["signals"]["total"] == "<5"
    assert report(api, zeist).ok()["signals"]["total"] == "<5"
    assert report(api, utrecht, "period=2026").ok()["signals"]["total"] == 6
    assert report(api, utrecht, "period=2026-11").ok()["signals"]["total"] == 6


def test_administrator_reports_on_a_region_or_the_country(api, container, clock, utrecht, zeist, administrator):
    signal_many(api, container, clock, 3, "jgz", informed=True)
    signal_many(api, container, clock, 3, "wijkteam", informed=True, municipality="0355")
    region = report(api, administrator, "period=2026-Q4&region=utrecht").ok()
    assert region["scope"] == {"region": "utrecht"} and region["signals"]["total"] == 6
    country = report(api, administrator, "period=2026-Q4").ok()
    assert country["scope"] == {"country": "NL"} and country["signals"]["total"] == 6
    assert report(api, administrator, "period=2026-Q4&region=groningen").ok()["signals"]["total"] == "<5"


def test_report_errors(api, utrecht, org_token):
    assert "period" in report(api, utrecht, "period=2026-Q5").invalid()
    assert "period" in report(api, utrecht, "").invalid()
    report(api, utrecht, "period=2026&region=utrecht").problem(403)
    report(api, org_token).problem(403)
