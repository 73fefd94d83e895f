"""HTTP plumbing below the routes: media types, query keys and field names in problems."""

from __future__ import annotations

import json

import pytest

from chalicelib import web
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    DuplicateActiveSignal,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from chalicelib.services.subjects import NothingStored


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "Application/JSON",
    ],
)
def test_json_in_utf_8_is_accepted(content_type: str) -> None:
    assert web.is_json_media_type(content_type)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "application/json; charset=UTF-16LE",
        "application/json; charset=iso-8859-1",
        "application/problem+json",
        "application/jsonp",
        "text/json",
        "application/json, text/plain",
        "*/*",
    ],
)
def test_anything_else_is_not_a_json_body(content_type: str | None) -> None:
    assert not web.is_json_media_type(content_type)


@pytest.mark.parametrize("key", ["291417772", "bsn", "x", "", "status\n"])
def test_an_unknown_query_key_is_refused_without_being_named(key: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        web.query_params({"status": "active", key: "1"}, {"status", "limit"})

    assert [(error.field, error.message) for error in raised.value.errors] == [
        (web.QUERY_FIELD, "unknown query parameter; known: limit, status")
    ]


def test_known_query_keys_pass() -> None:
    assert web.query_params({"status": "active"}, {"status", "limit"}) == {"status": "active"}
    assert web.query_params(None, {"status"}) == {}


# The one error-to-HTTP map -----------------------------------------------------------------------

SECRET = "123456782"  # a valid BSN: nothing of it may reach a response


def _validation_error() -> Exception:
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Body(BaseModel):
        model_config = ConfigDict(extra="forbid")
        limit: int

    try:
        Body.model_validate({"limit": SECRET + "x", SECRET: 1})
    except ValidationError as exc:
        return exc
    raise AssertionError("the body was valid")


@pytest.mark.parametrize(
    ("error", "status", "slug", "reason"),
    [
        (web.BadRequest("the body is not valid JSON in UTF-8"), 400, "bad-request", "unparseable"),
        (web.PayloadTooLarge("too large"), 413, "payload-too-large", "too_large"),
        (web.UnsupportedMediaType("not JSON"), 415, "unsupported-media-type", "media_type"),
        (InvalidInput.single("child.bsn", "not a BSN"), 422, "validation", "invalid"),
        (_validation_error(), 422, "validation", "invalid"),
        (IdempotencyKeyReused(), 422, "idempotency-key-reused", "idempotency"),
        (Unauthenticated(f"token {SECRET}"), 401, "unauthenticated", "unauthenticated"),
        (Forbidden("this endpoint is for organisations"), 403, "forbidden", "forbidden"),
        (NotFound(f"no signal {SECRET}"), 404, "not-found", "not_found"),
        (NothingStored("nothing is stored about this child"), 404, "not-found", "not_found"),
        (DuplicateActiveSignal("01JD4B9Q2M7V3X8K5N6P0R1S2T"), 409, "duplicate-active-signal", "duplicate"),
        (Conflict("the signal was changed meanwhile; retry"), 409, "conflict", "conflict"),
        (RuntimeError(f"boom {SECRET}"), 500, "internal", "internal"),
        (KeyError(SECRET), 500, "internal", "internal"),
    ],
)
def test_every_error_maps_to_one_problem(error: Exception, status: int, slug: str, reason: str) -> None:
    response, recorded = web.to_problem(error)

    document = json.loads(response.body)
    assert (response.status_code, document["status"], recorded) == (status, status, reason)
    assert document["type"] == web.PROBLEM_BASE + slug
    assert response.headers["Content-Type"] == web.PROBLEM_JSON
    assert SECRET not in response.body


def test_field_errors_name_the_field_and_never_a_key_that_may_be_data() -> None:
    response, _ = web.to_problem(_validation_error())

    errors = json.loads(response.body)["errors"]
    assert {error["field"] for error in errors} == {"limit", "(unnamed)"}


def test_a_duplicate_names_the_signal_that_holds_the_child() -> None:
    response, _ = web.to_problem(DuplicateActiveSignal("01JD4B9Q2M7V3X8K5N6P0R1S2T"))

    assert json.loads(response.body)["signal_id"] == "01JD4B9Q2M7V3X8K5N6P0R1S2T"


@pytest.mark.parametrize("error", [web.BadRequest, web.PayloadTooLarge, web.UnsupportedMediaType])
def test_a_malformed_request_is_a_web_error_not_a_domain_rule(error: type[Exception]) -> None:
    # Whoever catches DomainError (the authorizer, the admin CLI) must not catch what only HTTP knows.
    assert not issubclass(error, DomainError)
