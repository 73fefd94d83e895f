"""What the Logius API Design Rules ask of every response, whoever answers it (the app or, as the
template deploys it, API Gateway): the full API version, the security headers, problem documents
for every error, 404 for a trailing slash, and CORS for the OpenAPI document only."""

from __future__ import annotations

import re

import boto3
import pytest

from chalicelib import operations
from tests import builders

SEMVER = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# The app also sends a Content-Security-Policy; API Gateway's own answers cannot (see infra/gateway.py).
APP_ONLY_HEADERS = {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
UNKNOWN_SIGNAL = "01JD4B9Q2M7V3X8K5N6P0R1S2T"


@pytest.fixture
def replies(api, org_token, municipality_token):
    """One reply of each kind the API gives: successes, the app's errors and API Gateway's."""
    signal = api.create_signal(org_token)
    return {
        "health": api.call("GET", "/v1/health"),
        "openapi": api.call("GET", "/v1/openapi.json"),
        "created": api.post_signal(org_token, builders.signal_body(child=builders.child(bsn=builders.bsn(2)))),
        "listed": api.list_signals(org_token),
        "access-html": api.call(
            "POST", "/v1/subjects/access?format=html", municipality_token, {"bsn": builders.child()["bsn"]}
        ),
        "no-token": api.call("GET", "/v1/signals"),
        "unknown-token": api.list_signals("vwi_0000000000000000_unknown"),
        "wrong-kind": api.list_signals(municipality_token),
        "not-found": api.get_signal(org_token, UNKNOWN_SIGNAL),
        "unknown-route": api.call("GET", "/v1/nothing-here", org_token),
        "not-allowed": api.call("DELETE", f"/v1/signals/{signal['id']}", org_token),
        "conflict": api.post_signal(org_token, builders.signal_body()),
        "unreadable": api.post_signal(org_token, b"{"),
        "too-large": api.post_signal(org_token, b"x" * (65 * 1024)),
        "media-type": api.call("POST", "/v1/signals", org_token, b"{}", **{"Content-Type": "text/plain"}),
        "invalid": api.post_signal(org_token, {}),
        "trailing-slash": api.call("GET", "/v1/health/"),
    }


def test_every_response_names_the_full_api_version_of_the_document(api, replies):
    version = api.call("GET", "/v1/openapi.json").ok()["info"]["version"]

    assert SEMVER.fullmatch(version)
    for kind, reply in replies.items():
        assert reply.header("API-Version") == version == operations.API_VERSION, kind


def test_every_response_carries_the_security_headers(replies):
    for kind, reply in replies.items():
        for name, value in SECURITY_HEADERS.items():
            assert reply.header(name) == value, (kind, name)
        if kind not in {"no-token", "unknown-route"}:
            assert reply.header("Content-Security-Policy") is not None, kind


def test_json_is_never_framed_and_loads_nothing(replies):
    for kind in ("health", "listed", "invalid", "not-found"):
        assert replies[kind].header("Content-Security-Policy") == APP_ONLY_HEADERS["Content-Security-Policy"], kind


def test_the_printable_access_document_may_style_itself_but_loads_and_runs_nothing(replies):
    reply = replies["access-html"]

    assert reply.status_code == 200
    assert reply.header("Content-Type").startswith("text/html")
    assert (
        reply.header("Content-Security-Policy")
        == "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )


def test_only_the_openapi_document_may_be_read_from_any_origin(replies):
    assert replies["openapi"].header("Access-Control-Allow-Origin") == "*"
    for kind, reply in replies.items():
        if kind != "openapi":
            assert reply.header("Access-Control-Allow-Origin") is None, kind


@pytest.mark.parametrize(
    "kind",
    [
        "no-token",
        "unknown-token",
        "wrong-kind",
        "not-found",
        "unknown-route",
        "not-allowed",
        "conflict",
        "unreadable",
        "too-large",
        "media-type",
        "invalid",
        "trailing-slash",
    ],
)
def test_every_error_is_a_problem_document(replies, kind):
    reply = replies[kind]

    reply.problem(reply.status_code)
    assert reply.status_code >= 400


def test_a_missing_token_is_answered_as_api_gateway_answers_it(replies):
    document = replies["no-token"].problem(401)

    assert document["type"].endswith("/unauthenticated")


def test_a_method_a_resource_does_not_declare_is_405_naming_the_ones_it_does(replies):
    reply = replies["not-allowed"]

    reply.problem(405)
    assert reply.header("Allow") == "GET"


@pytest.mark.parametrize(
    ("path", "with_token"),
    [
        ("/v1/health/", False),
        ("/v1/openapi.json/", False),
        ("/v1/signals/", True),
        (f"/v1/signals/{UNKNOWN_SIGNAL}/", True),
        ("/v1/matches/", True),
    ],
)
def test_a_trailing_slash_is_404_not_a_redirect(api, org_token, municipality_token, path, with_token):
    token = (municipality_token if "matches" in path else org_token) if with_token else None

    reply = api.call("GET", path, token)

    assert reply.problem(404)["type"].endswith("/not-found")
    assert reply.header("Location") is None


def test_an_outage_is_a_problem_document_with_the_same_headers(api, org_token, table_names):
    boto3.client("dynamodb").delete_table(TableName=table_names.signals)

    reply = api.list_signals(org_token)

    document = reply.problem(500)
    assert document["type"].endswith("/internal")
    assert reply.header("API-Version") == operations.API_VERSION
    assert reply.header("Cache-Control") == "no-store"


def test_a_query_parameter_given_twice_cannot_be_read(api, org_token):
    reply = api.list_signals(org_token, "status=active&status=archived")

    assert reply.problem(400)["type"].endswith("/bad-request")
