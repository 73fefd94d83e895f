"""The organisation endpoints of the HTTP contract, end to end on moto."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests import builders
from tests.conftest import START

TODAY = date(2026, 11, 28)  # START as a Dutch calendar date
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")

SIGNAL_KEYS = {
    "id",
    "status",
    "verification",
    "created_at",
    "active_until",
    "delete_after",
    "family_informed",
    "inform",
    "case_reference",
    "organisation",
    "professional",
    "child",
    "matches",
}
CHILD_KEYS = {"given_names", "family_name_prefix", "family_name", "birth_date", "gender", "address"}
ADDRESS_KEYS = {
    "street",
    "house_number",
    "house_letter",
    "house_number_suffix",
    "postcode",
    "city",
    "municipality_code",
}


def body_for(seed: int, **overrides: object) -> dict[str, object]:
    """A valid signal body for the child with ``builders.bsn(seed)``."""
    child_overrides = overrides.pop("child", {})
    assert isinstance(child_overrides, dict)
    return builders.signal_body(child=builders.child(bsn=builders.bsn(seed), **child_overrides), **overrides)


def born(years_before: int, days_before: int = 0) -> str:
    """The birth date of a child that turned ``years_before`` on TODAY minus ``days_before`` days."""
    return (TODAY.replace(year=TODAY.year - years_before) - timedelta(days=days_before)).isoformat()


def advance(clock, **delta: float) -> None:
    clock.set(clock.now() + timedelta(**delta))


def ids(page: dict[str, object]) -> list[str]:
    items = page["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


# POST /v1/signals ------------------------------------------------------------------------------


def test_post_returns_201_with_exactly_the_contract_signal(api, org):
    reply = api.post_signal(org.token, builders.signal_body())

    signal = reply.ok(201)
    assert signal.keys() == SIGNAL_KEYS
    assert ULID.match(signal["id"])
    assert signal["status"] == "active"
    assert signal["verification"] == "not_checked"  # these tests run without the register
    assert signal["created_at"] == "2026-11-28T10:15:00Z"
    assert datetime.fromisoformat(signal["created_at"].replace("Z", "+00:00")) == START
    assert signal["active_until"] == "2028-11-28"
    assert signal["delete_after"] == "2033-11-28"
    assert signal["family_informed"] is True
    assert signal["inform"] == ["parents", "child"]  # born 2014-05-01: 12 years old
    assert signal["case_reference"] == "JGZ-2026-0042"
    assert signal["organisation"] == {
        "id": org.organisation.id,
        "name": "GGD Regio Utrecht",
        "sector": "jgz",
        "region": "utrecht",
    }
    # Stored in E.164, answered as dialled in the Netherlands.
    assert signal["professional"] == builders.professional(phone="030 123 4567")
    assert signal["child"].keys() == CHILD_KEYS
    assert "bsn" not in signal["child"]
    assert signal["child"] == {
        "given_names": "Sanne",
        "family_name_prefix": "de",
        "family_name": "Vries",
        "birth_date": "2014-05-01",
        "gender": "V",
        "address": builders.address(postcode="3511AB"),  # stored normalised
    }
    assert signal["matches"] == []
    assert reply.header("Location") == f"/v1/signals/{signal['id']}"
    assert reply.header("Idempotent-Replayed") is None


def test_optional_fields_may_be_left_out_and_come_back_null(api, org_token):
    body = builders.signal_body()
    del body["case_reference"]
    del body["child"]["family_name_prefix"]
    del body["child"]["address"]["house_letter"]
    del body["child"]["address"]["house_number_suffix"]

    signal = api.create_signal(org_token, body)

    assert signal.keys() == SIGNAL_KEYS
    assert signal["case_reference"] is None
    assert signal["child"]["family_name_prefix"] is None
    assert signal["child"]["address"].keys() == ADDRESS_KEYS
    assert signal["child"]["address"]["house_letter"] is None
    assert signal["child"]["address"]["house_number_suffix"] is None


@pytest.mark.parametrize(
    ("birth_date", "inform"),
    [
        (born(0), ["parents"]),
        (born(11, days_before=-1), ["parents"]),  # twelve tomorrow
        (born(12), ["parents", "child"]),  # twelve today
        (born(15, days_before=-1), ["parents", "child"]),
        (born(16), ["child"]),
        (born(22), ["child"]),
    ],
)
def test_who_must_be_informed_follows_the_age_on_the_day_of_the_signal(api, org_token, birth_date, inform):
    signal = api.create_signal(org_token, body_for(1, child={"birth_date": birth_date}))

    assert signal["inform"] == inform


def test_family_informed_false_is_stored_and_reported(api, org_token):
    signal = api.create_signal(org_token, builders.signal_body(family_informed=False))

    assert signal["family_informed"] is False
    assert api.get_signal(org_token, signal["id"]).ok()["family_informed"] is False


def test_another_organisation_may_signal_the_same_child(api, org_token, other_org_token):
    first = api.create_signal(org_token)
    second = api.create_signal(other_org_token)

    assert first["id"] != second["id"]


# end_date and the lifecycle dates -------------------------------------------------------------


def test_end_date_shortens_the_active_period_and_the_archive_follows_it(api, org_token):
    signal = api.create_signal(org_token, builders.signal_body(end_date="2027-06-01"))

    assert signal["active_until"] == "2027-06-01"
    assert signal["delete_after"] == "2032-06-01"


@pytest.mark.parametrize("end_date", [TODAY.isoformat(), "2028-11-28"])
def test_end_date_may_be_today_or_exactly_two_years_ahead(api, org_token, end_date):
    signal = api.create_signal(org_token, builders.signal_body(end_date=end_date))

    assert signal["active_until"] == end_date


@pytest.mark.parametrize(
    ("end_date", "birth_date"),
    [
        ("2026-11-27", "2014-05-01"),  # yesterday
        ("2028-11-29", "2014-05-01"),  # two years and a day
        ("2027-12-01", born(22)),  # on or after the 23rd birthday (2027-11-28)
    ],
)
def test_end_date_outside_the_allowed_period_is_refused(api, org_token, end_date, birth_date):
    body = body_for(1, end_date=end_date, child={"birth_date": birth_date})

    fields = api.post_signal(org_token, body).invalid()

    assert set(fields) == {"end_date"}


def test_nothing_outlives_the_day_before_the_23rd_birthday(api, org_token):
    signal = api.create_signal(org_token, body_for(1, child={"birth_date": born(22, days_before=100)}))

    last_day = (TODAY - timedelta(days=100)).replace(year=TODAY.year + 1) - timedelta(days=1)
    assert signal["active_until"] == last_day.isoformat()
    assert signal["delete_after"] == last_day.isoformat()


def test_a_child_on_the_last_day_before_23_may_still_be_signalled(api, org_token):
    signal = api.create_signal(org_token, body_for(1, child={"birth_date": born(23, days_before=-1)}))

    assert signal["active_until"] == signal["delete_after"] == TODAY.isoformat()


def test_after_its_end_date_a_signal_is_archived_and_the_child_may_be_signalled_again(api, org_token, clock):
    first = api.create_signal(org_token, builders.signal_body(end_date="2026-12-31"))

    advance(clock, days=34)  # 2027-01-01
    assert api.get_signal(org_token, first["id"]).ok()["status"] == "archived"
    assert ids(api.list_signals(org_token, "status=archived").ok()) == [first["id"]]
    assert ids(api.list_signals(org_token, "status=active").ok()) == []

    second = api.create_signal(org_token)
    assert second["status"] == "active"
    assert second["id"] != first["id"]


def test_after_delete_after_the_signal_is_gone(api, org_token, clock):
    signal = api.create_signal(org_token, builders.signal_body(end_date="2026-12-31"))

    advance(clock, days=365 * 5 + 40)  # past 2031-12-31

    api.get_signal(org_token, signal["id"]).problem(404)
    assert api.list_signals(org_token).ok() == {"items": [], "next_cursor": None}


# GET /v1/signals/{id} ---------------------------------------------------------------------------


def test_get_returns_the_signal_as_posted(api, org_token):
    created = api.create_signal(org_token)

    got = api.get_signal(org_token, created["id"]).ok()

    assert got == created


# GET /v1/signals --------------------------------------------------------------------------------


def test_list_is_newest_first_and_only_this_organisations(api, org_token, other_org_token, clock):
    created = []
    for seed in range(1, 4):
        created.append(api.create_signal(org_token, body_for(seed))["id"])
        advance(clock, minutes=1)
    api.create_signal(other_org_token, body_for(1))

    page = api.list_signals(org_token).ok()

    assert page.keys() == {"items", "next_cursor"}
    assert ids(page) == created[::-1]
    assert page["next_cursor"] is None
    assert all(item.keys() == SIGNAL_KEYS for item in page["items"])


def test_signals_registered_in_the_same_second_are_still_listed_newest_first(api, org_token):
    created = [api.create_signal(org_token, body_for(seed))["id"] for seed in range(1, 6)]

    first = api.list_signals(org_token, "limit=2").ok()
    rest = api.list_signals(org_token, f"cursor={first['next_cursor']}").ok()

    assert ids(first) + ids(rest) == created[::-1]


def test_list_of_an_organisation_without_signals_is_empty(api, org_token):
    assert api.list_signals(org_token).ok() == {"items": [], "next_cursor": None}


def test_limit_caps_the_page_and_cursor_pagination_visits_every_signal_once(api, org_token, clock):
    created = []
    for seed in range(1, 8):
        created.append(api.create_signal(org_token, body_for(seed))["id"])
        advance(clock, seconds=30)

    seen: list[str] = []
    sizes: list[int] = []
    query = "limit=3"
    while True:
        page = api.list_signals(org_token, query).ok()
        seen.extend(ids(page))
        sizes.append(len(page["items"]))
        if page["next_cursor"] is None:
            break
        query = f"limit=3&cursor={page['next_cursor']}"

    assert sizes == [3, 3, 1]
    assert seen == created[::-1]


def test_a_full_last_page_has_no_next_cursor(api, org_token, clock):
    for seed in range(1, 4):
        api.create_signal(org_token, body_for(seed))
        advance(clock, seconds=1)

    page = api.list_signals(org_token, "limit=3").ok()

    assert len(page["items"]) == 3
    assert page["next_cursor"] is None


def test_status_filter_with_pagination(api, org_token, clock):
    created, active, archived = [], [], []
    for seed in range(1, 7):
        signal = api.create_signal(org_token, body_for(seed))
        created.append(signal["id"])
        if seed % 2:
            api.close(org_token, signal["id"], {"reason": "risk_resolved"}).ok()
            archived.append(signal["id"])
        else:
            active.append(signal["id"])
        advance(clock, minutes=1)

    def walk(status: str) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            query = f"status={status}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = api.list_signals(org_token, query).ok()
            assert all(item["status"] == status for item in page["items"])
            seen.extend(ids(page))
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert walk("active") == active[::-1]
    assert walk("archived") == archived[::-1]
    assert ids(api.list_signals(org_token).ok()) == created[::-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("cursor=%25%25%25", "cursor"),
        ("cursor=" + "A" * 300, "cursor"),
        # An unknown key is never named: it may be a BSN typed into the URL.
        ("colour=blue", "(query)"),
        ("bsn=111222333", "(query)"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("status=deleted", "status"),
    ],
)
def test_bad_list_queries_are_422(api, org_token, query, field):
    fields = api.list_signals(org_token, query).invalid()

    assert field in fields


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_accepted(api, org_token, limit):
    api.create_signal(org_token)

    page = api.list_signals(org_token, f"limit={limit}").ok()

    assert len(page["items"]) == 1


# POST /v1/signals/{id}/close --------------------------------------------------------------------


def test_close_risk_resolved_archives_the_signal(api, org_token, clock):
    signal = api.create_signal(org_token)
    advance(clock, days=10)

    closed = api.close(org_token, signal["id"], {"reason": "risk_resolved"}).ok()

    assert closed.keys() == SIGNAL_KEYS
    assert closed["id"] == signal["id"]
    assert closed["status"] == "archived"
    assert closed["delete_after"] == "2031-12-08"  # five years from the day it was closed
    assert api.get_signal(org_token, signal["id"]).ok() == closed
    assert ids(api.list_signals(org_token, "status=archived").ok()) == [signal["id"]]
    assert ids(api.list_signals(org_token, "status=active").ok()) == []


def test_closing_an_archived_signal_as_resolved_again_changes_nothing(api, org_token):
    signal = api.create_signal(org_token)
    first = api.close(org_token, signal["id"], {"reason": "risk_resolved"}).ok()

    again = api.close(org_token, signal["id"], {"reason": "risk_resolved"}).ok()

    assert again == first


def test_close_unjustified_deletes_the_signal(api, org_token):
    signal = api.create_signal(org_token)

    reply = api.close(org_token, signal["id"], {"reason": "unjustified"})

    assert reply.ok() == {"id": signal["id"], "status": "deleted"}
    api.get_signal(org_token, signal["id"]).problem(404)
    api.close(org_token, signal["id"], {"reason": "unjustified"}).problem(404)
    api.hand_over(org_token, signal["id"], builders.professional()).problem(404)
    assert api.list_signals(org_token).ok()["items"] == []


def test_an_archived_signal_can_still_be_deleted_as_unjustified(api, org_token):
    signal = api.create_signal(org_token)
    api.close(org_token, signal["id"], {"reason": "risk_resolved"}).ok()

    assert api.close(org_token, signal["id"], {"reason": "unjustified"}).ok()["status"] == "deleted"
    api.get_signal(org_token, signal["id"]).problem(404)


@pytest.mark.parametrize("reason", ["risk_resolved", "unjustified"])
def test_after_closing_the_same_organisation_may_signal_the_child_again(api, org_token, reason):
    first = api.create_signal(org_token)
    api.close(org_token, first["id"], {"reason": reason}).ok()

    second = api.create_signal(org_token)

    assert second["id"] != first["id"]
    assert second["status"] == "active"
    assert ids(api.list_signals(org_token, "status=active").ok()) == [second["id"]]


def test_a_resolved_signal_stays_readable_beside_the_new_one(api, org_token, clock):
    first = api.create_signal(org_token)
    api.close(org_token, first["id"], {"reason": "risk_resolved"}).ok()
    advance(clock, minutes=1)
    second = api.create_signal(org_token)

    page = api.list_signals(org_token).ok()

    assert [(item["id"], item["status"]) for item in page["items"]] == [
        (second["id"], "active"),
        (first["id"], "archived"),
    ]


# PUT /v1/signals/{id}/professional --------------------------------------------------------------


def test_hand_over_changes_the_professional_and_nothing_else(api, org_token):
    signal = api.create_signal(org_token)
    successor = builders.professional(
        name="M. de Boer", function="Jeugdarts", email="m.deboer@ggd.example.nl", phone="030 765 4321"
    )

    handed = api.hand_over(org_token, signal["id"], successor).ok()

    assert handed["professional"] == successor
    assert {k: v for k, v in handed.items() if k != "professional"} == {
        k: v for k, v in signal.items() if k != "professional"
    }
    assert api.get_signal(org_token, signal["id"]).ok() == handed


def test_hand_over_validates_the_professional(api, org_token):
    signal = api.create_signal(org_token)

    fields = api.hand_over(org_token, signal["id"], builders.professional(email="nope", phone="12")).invalid()

    assert set(fields) == {"email", "phone"}
    assert api.get_signal(org_token, signal["id"]).ok()["professional"] == builders.professional(phone="030 123 4567")
