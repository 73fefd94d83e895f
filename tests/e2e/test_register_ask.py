"""BRP_FOLLOW=ask end to end: the real wiring against the local stand-in over HTTP, the scheduled
register_follow planning onto the real (moto) work queue, lifecycle_work asking the register about
each child by family name and birth date, SES on moto. No BSN is followed, queued or kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.settings import Settings
from local.brp_stand_in import BrpStandIn
from tests import builders
from tests.e2e.nightly import fire, work_done
from tests.e2e.test_population_register import (
    BAKKER,
    PREFIX,
    alexander,
    assert_told_of_the_move_and_the_death,
    stand_in,
    zoey,
)
from tests.fake_population import ALEXANDER, ZOEY

__all__ = ["stand_in"]  # the fixture, shared with the Update API's tests
SEARCH = "ZoekMetGeslachtsnaamEnGeboortedatum"
TOTALS = ("asked", "searches", "found", "not_found", "moved", "deceased", "deleted", "notified")


@pytest.fixture
def settings(settings: Settings, stand_in: BrpStandIn) -> Settings:
    stand_in.provision(boto3.client("ssm"), PREFIX)
    return replace(settings, brp="on", brp_parameters=PREFIX, brp_follow="ask")


def asking_night(api: Any) -> dict[str, Any]:
    """The schedule plans; every chunk goes to lifecycle_work; what the workers did, added up."""
    return {**fire(api, "register_follow"), **work_done(api, TOTALS)}


def test_the_night_after_a_move_and_a_death_finds_both_children_by_name_and_acts(
    api, org, other_org, stream, outbox, clock, stand_in, municipality_token, app_output
) -> None:
    first = api.create_signal(org.token, builders.signal_body(child=zoey()))
    body = builders.signal_body(child=alexander(), professional=builders.professional(name="K. Bakker", email=BAKKER))
    second = api.create_signal(other_org.token, body)
    assert stand_in.followed == {}  # nobody is followed through the Update API
    stream.drain()
    stand_in.move(ALEXANDER, "3512JE", 7, "0344")
    stand_in.record_death(ZOEY, "2026-11-30")
    stand_in.answers.clear()

    clock.set(clock.now() + timedelta(days=1))
    report = asking_night(api)

    assert (report["ask_children"], report["ask_chunks"], report["failed"]) == (2, 1, 0)
    assert (report["asked"], report["found"], report["not_found"]) == (2, 2, 0)
    assert (report["moved"], report["deceased"], report["deleted"]) == (1, 1, 1)
    searches = [answer for answer in stand_in.answers if answer["type"] == SEARCH]
    assert len(searches) == 2 and len(stand_in.answers) == 3  # a search per child, one /personen for both
    assert api.get_signal(org.token, first["id"]).status_code == 404  # deleted that night
    assert api.get_signal(other_org.token, second["id"]).ok()["status"] == "active"
    assert_told_of_the_move_and_the_death(outbox())
    # The new postcode as a postcode: its four digits alone turn up in the metrics' epoch milliseconds.
    output = app_output().replace(" ", "")
    for value in (ZOEY, ALEXANDER, "Braber", "BRABER", "3512JE"):
        assert value not in output, value
    # The same night again (a redelivered schedule): asked again, nothing sent twice.
    count = len(outbox())
    again = asking_night(api)
    assert (again["found"], again["notified"]) == (1, 0) and len(outbox()) == count


def test_a_child_whose_name_the_register_no_longer_has_is_counted_and_left(
    api, org, stream, outbox, clock, stand_in, app_output
) -> None:
    created = api.create_signal(org.token, builders.signal_body(child=zoey()))
    stand_in.rename(ZOEY, "Jansen")  # adopted: another family name

    report = asking_night(api)

    assert (report["asked"], report["found"], report["not_found"]) == (1, 0, 1)
    assert api.get_signal(org.token, created["id"]).ok()["status"] == "active"
    output = app_output()
    assert "children not found in the BRP" in output and "RegisterAskNotFound" in output
    assert ZOEY not in output and "Braber" not in output and "Jansen" not in output


def test_a_register_down_at_night_fails_the_message_and_its_redelivery_catches_up(
    api, org, stream, outbox, clock, stand_in, app_output
) -> None:
    created = api.create_signal(org.token, builders.signal_body(child=zoey()))
    stand_in.record_death(ZOEY, "2026-11-30")
    stand_in.fail_next(503, count=3)  # every attempt of the first search

    report = asking_night(api)

    assert report["failed"] == 1  # the message raised and SQS delivered it again
    assert (report["found"], report["deceased"], report["deleted"]) == (1, 1, 1)
    assert api.get_signal(org.token, created["id"]).status_code == 404
    output = app_output()
    assert "503" in output and ZOEY not in output and "Braber" not in output
