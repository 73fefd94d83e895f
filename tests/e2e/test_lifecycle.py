"""A signal's whole life on an injected clock: active, archived, deleted; the nightly job included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.lifecycle import add_years
from chalicelib.services import admin
from tests import builders
from tests.e2e.nightly import run_nightly

START = date(2026, 11, 28)
OWNER = "p.jansen@ggd.example.nl"


def at(clock, day: date, hour: int = 10) -> None:
    clock.set(datetime.combine(day, time(hour, 0), tzinfo=AMSTERDAM).astimezone(UTC))


def run_job(api) -> dict[str, Any]:
    return run_nightly(api)


def scan_everything(table_names) -> dict[str, list[str]]:
    client = boto3.client("dynamodb")
    dumped: dict[str, list[str]] = {}
    for name in (table_names.signals, table_names.logbook, table_names.registry, table_names.idempotency):
        found: list[str] = []
        kwargs: dict[str, Any] = {"TableName": name}
        while True:
            page = client.scan(**kwargs)
            found.extend(json.dumps(item, sort_keys=True) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        dumped[name] = found
    return dumped


class World:
    """The API, the stream, the outbox and the clock, with a new organisation for every probe."""

    def __init__(self, api, stream, outbox, clock, container, table_names) -> None:
        self.api, self.stream, self.outbox, self.clock = api, stream, outbox, clock
        self.container, self.table_names = container, table_names
        self.probes = 0

    def mails_to(self, address: str) -> list[dict[str, Any]]:
        return [mail for mail in self.outbox() if mail["to"] == address]

    def probe(self, child: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """A new organisation signals the same child; returns the mails it caused and its view."""
        self.probes += 1
        _, token = admin.create_organisation(
            self.container.registry, f"Probe {self.probes}", "huisarts", "zeeland", self.clock.now()
        )
        email = f"probe{self.probes}@huisarts.example.nl"
        body = builders.signal_body(child=child, professional=builders.professional(email=email))
        before = len(self.outbox())
        signal = self.api.post_signal(token.token, body).ok(201)
        self.stream.drain()
        mails = self.outbox()[before:]
        view = self.api.get_signal(token.token, signal["id"]).ok()
        return mails, view


@pytest.fixture
def world(api, stream, outbox, clock, container, table_names) -> World:
    return World(api, stream, outbox, clock, container, table_names)


def child_aged(age: int) -> dict[str, Any]:
    return builders.child(birth_date=builders.birth_date_for_age(age, START))


@pytest.mark.parametrize("age", [5, 15, 21])
@pytest.mark.parametrize("closed", [False, True], ids=["unclosed", "closed"])
def test_a_signal_lives_active_then_archived_then_is_gone_without_a_trace(world, org, clock, age, closed):
    api = world.api
    child = child_aged(age)
    birth = date.fromisoformat(child["birth_date"])
    last_day_before_23 = add_years(birth, 23) - timedelta(days=1)
    at(clock, START)
    signal = api.post_signal(org.token, builders.signal_body(child=child), idempotency_key="life-1").ok(201)
    world.stream.drain()
    active_until = date.fromisoformat(signal["active_until"])
    assert active_until == min(add_years(START, 2), last_day_before_23)

    # Half a year in: active; a new party's professional and ours both hear of the match.
    at(clock, START + timedelta(days=180))
    mails, view = world.probe(child)
    assert OWNER in [mail["to"] for mail in mails]
    assert [m["status"] for m in view["matches"]] == ["active"]

    if closed:
        close_day = START + timedelta(days=200)
        at(clock, close_day)
        archived = api.close(org.token, signal["id"], {"reason": "risk_resolved"}).ok()
        assert archived["status"] == "archived"
        end_of_active = close_day - timedelta(days=1)
        delete_after = min(add_years(close_day, 5), last_day_before_23)
        assert archived["delete_after"] == delete_after.isoformat()
    else:
        end_of_active = active_until
        delete_after = date.fromisoformat(signal["delete_after"])
        at(clock, active_until)
        assert api.get_signal(org.token, signal["id"]).ok()["status"] == "active"
        assert run_job(api)["archived"] == 0

    turns_23_while_active = not closed and active_until == last_day_before_23
    day_after = end_of_active + timedelta(days=1)
    at(clock, day_after)
    if turns_23_while_active:
        # Never archived: gone the day the child turns 23, even before the job has run.
        assert delete_after == last_day_before_23
        assert api.get_signal(org.token, signal["id"]).status_code == 404
    else:
        # Archived from the first day, before the job runs: reads never wait for it.
        assert api.get_signal(org.token, signal["id"]).ok()["status"] == "archived"
        notices_before = len([m for m in world.mails_to(OWNER) if "gearchiveerd" in m["subject"]])
        report = run_job(api)
        assert report["archived"] == (0 if closed else 1)
        run_job(api)
        notices = [m for m in world.mails_to(OWNER) if "gearchiveerd" in m["subject"]]
        assert len(notices) - notices_before == (0 if closed else 1)
        for notice in notices:
            assert child["family_name"] not in notice["text"] and child["bsn"] not in notice["raw"]
        listed = api.list_signals(org.token, "status=archived").ok()["items"]
        assert [item["id"] for item in listed] == [signal["id"]]

        # Archived: our professional gets no more mail, the new party sees us as history.
        at(clock, delete_after)
        mails, view = world.probe(child)
        assert OWNER not in [mail["to"] for mail in mails]
        assert "archived" in [m["status"] for m in view["matches"]]
        assert api.get_signal(org.token, signal["id"]).ok()["status"] == "archived"

    # The day after delete_after: gone for every reader, then for the storage too.
    at(clock, delete_after + timedelta(days=1))
    assert api.get_signal(org.token, signal["id"]).status_code == 404
    report = run_job(api)
    assert report["deleted"] >= 1
    world.stream.drain()
    leftovers = {
        table: [item for item in found if signal["id"] in item]
        for table, found in scan_everything(world.table_names).items()
        if table != world.table_names.logbook
    }
    assert leftovers == {name: [] for name in leftovers}
    # The logbook keeps the facts (who did what, when) under the pseudonym, never personal data.
    for entry in scan_everything(world.table_names)[world.table_names.logbook]:
        assert child["family_name"] not in entry and child["bsn"] not in entry
    if delete_after < last_day_before_23:
        mails, view = world.probe(child)
        assert OWNER not in [mail["to"] for mail in mails]
        assert all(m["professional"]["email"] != OWNER for m in view["matches"])


def test_the_job_catches_up_after_ten_skipped_days(world, org, other_org, clock, container):
    api = world.api
    at(clock, START)
    due = []
    for n in range(3):
        body = builders.signal_body(
            child=builders.child(bsn=builders.bsn(100 + n)), end_date=(START + timedelta(days=n)).isoformat()
        )
        due.append(api.post_signal(org.token, body).ok(201)["id"])
    not_yet = api.post_signal(
        other_org.token,
        builders.signal_body(
            child=builders.child(bsn=builders.bsn(200)), end_date=(START + timedelta(days=30)).isoformat()
        ),
    ).ok(201)["id"]

    at(clock, START + timedelta(days=12), hour=3)
    report = run_job(api)
    assert report == {
        "today": (START + timedelta(days=12)).isoformat(),
        "archived": 3,
        "deleted": 0,
        "notices_sent": 3,
        "reminders_sent": 0,
        "failed": 0,
    }
    assert run_job(api)["archived"] == 0
    for signal_id in due:
        assert api.get_signal(org.token, signal_id).ok()["status"] == "archived"
    assert api.get_signal(other_org.token, not_yet).ok()["status"] == "active"
    assert len(world.mails_to(OWNER)) == 3
