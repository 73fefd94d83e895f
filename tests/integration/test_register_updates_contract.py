"""The BRP Update API port (``RegisterUpdates``), held against the in-memory fake and against the
Haal Centraal adapter talking to the local stand-in over loopback HTTP: following a child, and
learning which followed children moved or died since a day."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chalicelib.adapters.brp.haal_centraal import BrpEndpoint
from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
from chalicelib.domain.population import RegisteredAddress, RegisterUnavailable
from local.brp_stand_in import BrpStandIn
from tests.fake_population import ALEXANDER, PAOLO, ZOEY, InMemoryPopulationRegister

TODAY = date(2026, 12, 2)
LATER = date(2031, 5, 28)
NEW_HOME = RegisteredAddress(postcode="3512JE", house_number=7)
UPDATE_API_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "brp_update_api.schema.json").read_text()
)


def updates_for(stand_in: BrpStandIn, sleeps: list[float] | None = None) -> HaalCentraalRegisterUpdates:
    endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
    recorded = [] if sleeps is None else sleeps
    return HaalCentraalRegisterUpdates(lambda: endpoint, timeout=2.0, sleep=recorded.append)


class Calendar:
    """The day both sides of the contract see; the tests turn it."""

    def __init__(self) -> None:
        self.day = TODAY

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def calendar() -> Calendar:
    return Calendar()


@pytest.fixture
def stand_in(calendar: Calendar) -> Iterator[BrpStandIn]:
    server = BrpStandIn(port=0, today=calendar)
    server.start()
    yield server
    server.stop()


class RegisterUpdatesContract:
    @pytest.fixture
    def updates(self) -> Any:
        raise NotImplementedError

    def move(self, bsn: str) -> None:
        raise NotImplementedError

    def record_death(self, bsn: str) -> None:
        raise NotImplementedError

    def test_a_followed_child_that_moves_is_named_from_that_day(self, updates: Any) -> None:
        updates.subscribe(ALEXANDER, LATER)
        self.move(ALEXANDER)
        assert updates.changed_since(TODAY - timedelta(days=1)) == [ALEXANDER]
        assert updates.changed_since(TODAY) == [ALEXANDER]
        assert updates.changed_since(TODAY + timedelta(days=1)) == []

    def test_a_followed_child_that_dies_is_named(self, updates: Any) -> None:
        updates.subscribe(ZOEY, LATER)
        self.record_death(ZOEY)
        assert updates.changed_since(TODAY) == [ZOEY]

    def test_a_child_nobody_follows_is_never_named(self, updates: Any) -> None:
        updates.subscribe(ZOEY, LATER)
        self.move(PAOLO)
        assert updates.changed_since(TODAY) == []

    def turn_to(self, day: date) -> None:
        raise NotImplementedError

    def test_a_change_from_before_the_following_is_not_named(self, updates: Any) -> None:
        self.move(ALEXANDER)
        self.turn_to(TODAY + timedelta(days=1))
        updates.subscribe(ALEXANDER, LATER)
        assert updates.changed_since(TODAY) == []

    def test_a_following_ends_after_its_last_day(self, updates: Any) -> None:
        updates.subscribe(ALEXANDER, TODAY)
        self.move(ALEXANDER)
        assert updates.changed_since(TODAY) == [ALEXANDER]
        self.turn_to(TODAY + timedelta(days=1))
        assert updates.changed_since(TODAY) == []

    def test_an_extended_following_keeps_what_changed_before(self, updates: Any) -> None:
        updates.subscribe(ALEXANDER, TODAY + timedelta(days=5))
        self.move(ALEXANDER)
        self.turn_to(TODAY + timedelta(days=1))
        updates.subscribe(ALEXANDER, LATER)
        assert updates.changed_since(TODAY) == [ALEXANDER]

    def test_a_reopened_following_names_only_what_changed_since(self, updates: Any) -> None:
        updates.subscribe(ALEXANDER, TODAY)
        self.turn_to(TODAY + timedelta(days=1))
        self.move(ALEXANDER)
        self.turn_to(TODAY + timedelta(days=2))
        updates.subscribe(ALEXANDER, LATER)
        assert updates.changed_since(TODAY) == []
        self.move(ALEXANDER)
        assert updates.changed_since(TODAY) == [ALEXANDER]  # named once


class TestInMemoryRegisterUpdates(RegisterUpdatesContract):
    @pytest.fixture
    def updates(self) -> InMemoryPopulationRegister:
        self.fake = InMemoryPopulationRegister(today=TODAY)
        return self.fake

    def turn_to(self, day: date) -> None:
        self.fake.today = day

    def move(self, bsn: str) -> None:
        self.fake.move(bsn, NEW_HOME, "0344")

    def record_death(self, bsn: str) -> None:
        self.fake.record_death(bsn, TODAY)


class TestHaalCentraalUpdatesAgainstTheStandIn(RegisterUpdatesContract):
    @pytest.fixture
    def updates(self, stand_in: BrpStandIn, calendar: Calendar) -> HaalCentraalRegisterUpdates:
        self.stand_in, self.calendar = stand_in, calendar
        return updates_for(stand_in)

    def turn_to(self, day: date) -> None:
        self.calendar.day = day

    def move(self, bsn: str) -> None:
        self.stand_in.move(bsn, NEW_HOME.postcode, NEW_HOME.house_number, "0344")

    def record_death(self, bsn: str) -> None:
        self.stand_in.record_death(bsn, TODAY.isoformat())


def test_the_adapter_puts_the_end_date_as_the_api_defines(stand_in: BrpStandIn) -> None:
    """``einddatum`` is the first day the person is no longer followed: the day after ``until``."""
    updates_for(stand_in).subscribe(ZOEY, LATER)
    assert stand_in.followed == {ZOEY: LATER + timedelta(days=1)}


def test_the_stand_in_answers_as_the_update_api_spec_declares(stand_in: BrpStandIn) -> None:
    updates = updates_for(stand_in)
    updates.changed_since(TODAY)  # fetches a token
    bearer = f"Bearer {next(iter(stand_in._tokens))}"
    placed = stand_in.volgindicatie(bearer, ZOEY, {"einddatum": LATER.isoformat()})
    changed = stand_in.volgindicatie(bearer, ZOEY, {"einddatum": (LATER + timedelta(days=1)).isoformat()})
    assert (placed[0], changed[0]) == (201, 200)
    stand_in.move(ZOEY, NEW_HOME.postcode, NEW_HOME.house_number, "0344")
    status, changes = stand_in.wijzigingen(bearer, TODAY.isoformat())
    assert status == 200 and changes["burgerservicenummers"] == [ZOEY]
    for schema, answer in (("VolgindicatieRaadplegen", placed[1]), ("GewijzigdePersonenHalCollectie", changes)):
        jsonschema.validate(answer, {**UPDATE_API_SCHEMA, "$ref": f"#/$defs/{schema}"})
    assert changed[1]["begindatum"] == TODAY.isoformat()


def test_the_stand_in_refuses_an_accept_header_without_hal_as_a_strict_gateway_does(stand_in: BrpStandIn) -> None:
    updates_for(stand_in).changed_since(TODAY)  # the adapter asks for HAL: answered
    request = urllib.request.Request(
        f"{stand_in.url}/wijzigingen?vanaf={TODAY}", headers={"Accept": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=2)
    assert refused.value.code == 406


def test_a_503_is_tried_again_and_a_register_that_keeps_failing_is_unavailable(stand_in: BrpStandIn) -> None:
    sleeps: list[float] = []
    updates = updates_for(stand_in, sleeps)
    stand_in.fail_next(503)
    assert updates.changed_since(TODAY) == []
    assert sleeps == [0.5]
    stand_in.fail_next(503, 3)
    with pytest.raises(RegisterUnavailable) as failed:
        updates.subscribe(ZOEY, LATER)
    assert ZOEY not in str(failed.value) and "503" in str(failed.value)


def test_the_stand_in_refuses_without_a_token_and_without_a_day(stand_in: BrpStandIn) -> None:
    assert stand_in.wijzigingen(None, TODAY.isoformat())[0] == 401
    assert stand_in.volgindicatie("Bearer nothing", ZOEY, {"einddatum": LATER.isoformat()})[0] == 401
    updates = updates_for(stand_in)
    updates.changed_since(TODAY)  # fetches a token
    token = next(iter(stand_in._tokens))
    assert stand_in.wijzigingen(f"Bearer {token}", "gisteren")[0] == 400
    assert stand_in.volgindicatie(f"Bearer {token}", ZOEY, {})[0] == 400


def test_the_adapter_never_puts_anything_but_a_bsn_in_the_path(stand_in: BrpStandIn) -> None:
    with pytest.raises(ValueError, match="not a BSN"):
        updates_for(stand_in).subscribe("../personen", LATER)
    assert stand_in.update_requests == 0
