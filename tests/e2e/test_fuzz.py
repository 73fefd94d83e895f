"""Malformed input never produces a 5xx, and every 4xx is a problem document."""

from __future__ import annotations

import copy
import json
import string
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.operations import API_VERSION
from tests import builders

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "2014-05-01", "2099-01-01", "3511 AB", "V", "risk_resolved", builders.bsn(7), "0344"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``document`` (keys of objects, indexes of lists)."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(paths(value, (*prefix, index)))
    return found


@st.composite
def mutations(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """``valid`` with one to three of its values dropped, replaced by random JSON, or joined by a stray key."""
    document = copy.deepcopy(valid)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        targets = paths(document)
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        *parents, last = path
        container = document
        for part in parents:
            container = container[part]
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        if action == "drop" and isinstance(container, dict):
            del container[last]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.text(max_size=12))] = draw(json_values)
        else:
            container[last] = draw(json_values)
    return document


def raw(document: Any) -> bytes:
    return json.dumps(document, allow_nan=True).encode()


bodies = st.one_of(
    json_values.map(raw),
    st.dictionaries(st.text(max_size=20), json_values, max_size=8).map(raw),
    st.binary(max_size=512),
    st.text(max_size=200).map(str.encode),
)


def assert_well_formed(reply) -> None:
    assert reply.status_code < 500, reply.body[:500]
    assert reply.header("API-Version") == API_VERSION
    if reply.status_code >= 400:
        reply.problem(reply.status_code)
    else:
        assert reply.content_type == "application/json"
        json.loads(reply.body)


@pytest.fixture
def signal_id(api, org_token) -> str:
    return api.create_signal(org_token)["id"]


@FUZZ
@given(body=bodies)
def test_random_bodies_to_post_signals(api, org_token, body):
    assert_well_formed(api.post_signal(org_token, body))


@FUZZ
@given(body=mutations(builders.signal_body()).map(raw))
def test_mutated_signal_bodies(api, org_token, body):
    assert_well_formed(api.post_signal(org_token, body))


@FUZZ
@given(body=bodies | mutations({"reason": "risk_resolved"}).map(raw), target=st.sampled_from(["mine", "unknown"]))
def test_random_bodies_to_close(api, org_token, signal_id, body, target):
    path_id = signal_id if target == "mine" else "01JD4B9Q2M7V3X8K5N6P0R1S2T"
    assert_well_formed(api.close(org_token, path_id, body))


@FUZZ
@given(body=bodies | mutations(builders.professional()).map(raw))
def test_random_bodies_to_hand_over(api, org_token, signal_id, body):
    assert_well_formed(api.hand_over(org_token, signal_id, body))


header_text = st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=160)


@FUZZ
@given(key=header_text)
def test_random_idempotency_keys(api, org_token, key):
    assert_well_formed(api.post_signal(org_token, builders.signal_body(), idempotency_key=key))


@FUZZ
@given(authorization=header_text)
def test_random_authorization_headers(api, authorization):
    assert_well_formed(api.call("GET", "/v1/signals", None, None, Authorization=authorization))


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["status", "limit", "cursor", "bsn", "", "x"]) | st.text(max_size=8),
        st.text(max_size=60) | st.integers().map(str),
        max_size=4,
    )
)
def test_random_list_queries(api, org_token, query):
    reply = api.list_signals(org_token, urlencode(query))

    assert_well_formed(reply)


# Municipality endpoints ------------------------------------------------------------------------


@pytest.fixture
def signalled_child(api, org_token) -> str:
    """A child with a signal in the municipality's scope; returns its BSN."""
    api.create_signal(org_token)
    return builders.child()["bsn"]


def municipality_bodies(bsn: str) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(
        st.tuples(st.just("/v1/subjects/access"), bodies | mutations({"bsn": bsn}).map(raw)),
        st.tuples(
            st.just("/v1/subjects/rectify"),
            bodies
            | mutations({"bsn": bsn, "child": {"family_name": "Jansen", "address": builders.address()}}).map(raw),
        ),
        st.tuples(st.just("/v1/subjects/erase"), bodies | mutations({"bsn": bsn, "reason": "objection"}).map(raw)),
        st.tuples(
            st.just("/v1/matches/mt_0/follow-up"), bodies | mutations({"status": "open", "note_code": "TEL"}).map(raw)
        ),
    )


@FUZZ
@given(data=st.data())
def test_random_bodies_to_municipality_endpoints(api, municipality_token, signalled_child, data):
    path, body = data.draw(municipality_bodies(signalled_child))
    assert_well_formed_any(api.call("POST", path, municipality_token, body))


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["period", "region", "since", "format"]) | st.text(max_size=8),
        st.sampled_from(["2026-Q4", "2026", "2026-11", "utrecht"]) | st.text(max_size=20),
        max_size=3,
    ),
    path=st.sampled_from(["/v1/reports", "/v1/matches"]),
)
def test_random_municipality_queries(api, municipality_token, query, path):
    assert_well_formed(api.call("GET", f"{path}?{urlencode(query)}", municipality_token))


def assert_well_formed_any(reply) -> None:
    """As ``assert_well_formed``; the access endpoint may also answer its printable HTML document."""
    if reply.status_code == 200 and (reply.content_type or "").startswith("text/html"):
        return
    assert_well_formed(reply)
