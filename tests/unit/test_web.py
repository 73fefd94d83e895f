"""HTTP plumbing below the routes: media types, query keys and field names in problems."""

from __future__ import annotations

import pytest

from chalicelib import web
from chalicelib.domain.errors import InvalidInput


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
