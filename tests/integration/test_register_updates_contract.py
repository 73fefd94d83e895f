"""The BRP Update API port (``RegisterUpdates``), held against the in-memory fake and against the
Haal Centraal adapter talking to the local stand-in over loopback HTTP: following a child, and
learning which followed children moved or died since a day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.adapters.brp.haal_centraal import BrpEndpoint
from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
from chalicelib.domain.population import RegisteredAddress, RegisterUnavailable
from local.brp_stand_in import BrpStandIn
from tests.fake_population import ALEXANDER, PAOLO, ZOEY, InMemoryPopulationRegister

TODAY = date(2026, 12, 2)
LATER = date(2031, 5, 28)
NEW_HOME = RegisteredAddress(postcode="3512JE", house_number=7)


def updates_for(stand_in: BrpStandIn, sleeps: list[float] | None = None) -> HaalCentraalRegisterUpdates:
    endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
    recorded = [] if sleeps is None else sleeps
    return HaalCentraalRegisterUpdates(lambda: endpoint, timeout=2.0, sleep=recorded.append)


@pytest.fixture
def stand_in() -> Iterator[BrpStandIn]:
    server = BrpStandIn(port=0, today=lambda: TODAY)
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

    def test_a_following_that_ended_is_revived_by_subscribing_again(self, updates: Any) -> None:
        updates.subscribe(ALEXANDER, TODAY - timedelta(days=1))
        self.move(ALEXANDER)
        self.move(ALEXANDER)
        assert updates.changed_since(TODAY) == []
        updates.subscribe(ALEXANDER, LATER)
        assert updates.changed_since(TODAY) == [ALEXANDER]  # named once


class TestInMemoryRegisterUpdates(RegisterUpdatesContract):
    @pytest.fixture
    def updates(self) -> InMemoryPopulationRegister:
        self.fake = InMemoryPopulationRegister(today=TODAY)
        return self.fake

    def move(self, bsn: str) -> None:
        self.fake.move(bsn, NEW_HOME, "0344")

    def record_death(self, bsn: str) -> None:
        self.fake.record_death(bsn, TODAY)


class TestHaalCentraalUpdatesAgainstTheStandIn(RegisterUpdatesContract):
    @pytest.fixture
    def updates(self, stand_in: BrpStandIn) -> HaalCentraalRegisterUpdates:
        self.stand_in = stand_in
        return updates_for(stand_in)

    def move(self, bsn: str) -> None:
        self.stand_in.move(bsn, NEW_HOME.postcode, NEW_HOME.house_number, "0344")

    def record_death(self, bsn: str) -> None:
        self.stand_in.record_death(bsn, TODAY.isoformat())


def test_the_adapter_puts_the_end_date_as_the_api_defines(stand_in: BrpStandIn) -> None:
    updates_for(stand_in).subscribe(ZOEY, LATER)
    assert stand_in.followed == {ZOEY: LATER}


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
