"""What make contract lets through: only a schema-valid request refused for a rule JSON Schema cannot state."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from chalice.app import MultiDict

from chalicelib import web
from chalicelib.domain.errors import InvalidInput
from scripts.contract import Finding, findings


def finding(check: str = "positive_data_acceptance", status: int = 422, *messages: str) -> Finding:
    return Finding("organisation", check, "POST /signals", status, messages)


@pytest.mark.parametrize(
    "message",
    [
        "child.bsn: Value error, not a valid BSN (nine digits passing the eleven-test)",
        "professional.phone: Value error, not a valid phone number (digits, spaces, +, - and parentheses)",
        "end_date: a signal is active for at most 2 years",
        "child.birth_date: the child is 23 or older",
        "child.given_names: Value error, has no visible character",
    ],
)
def test_a_rule_json_schema_cannot_state_is_allowed_and_named(message: str) -> None:
    assert finding("positive_data_acceptance", 422, message).allowed_because()


@pytest.mark.parametrize(
    "refused",
    [
        finding("positive_data_acceptance", 422, "child.address.postcode: Value error, not a Dutch postcode (1234AB)"),
        finding("positive_data_acceptance", 422, "child.bsn: eleven-test", "cursor: not a cursor this API issued"),
        finding("positive_data_acceptance", 400, "body: the body is not valid JSON in UTF-8"),
        finding("positive_data_acceptance", 422),
        finding("negative_data_rejection", 201),
        finding("response_schema_conformance", 200),
        finding("not_a_server_error", 500),
    ],
    ids=["expressible-rule", "one-expressible-among-others", "400", "no-message", "negative", "schema", "5xx"],
)
def test_anything_else_fails_the_contract(refused: Finding) -> None:
    assert refused.allowed_because() is None


def test_findings_are_read_with_the_problem_the_server_answered(tmp_path: Path) -> None:
    problem = {"status": 422, "errors": [{"field": "child.bsn", "message": "not a valid BSN (eleven-test)"}]}
    recorder = {
        "label": "POST /signals",
        "checks": {
            "case": [{"name": "positive_data_acceptance", "status": "failure", "failure_info": {"failure": {}}}]
        },
        "interactions": {
            "case": {
                "response": {
                    "status_code": 422,
                    "content": {"$base64": base64.b64encode(json.dumps(problem).encode()).decode()},
                }
            }
        },
    }
    report = tmp_path / "report.ndjson"
    report.write_text(json.dumps({"ScenarioFinished": {"recorder": recorder}}) + "\n")

    [found] = findings(report, "organisation")

    assert found == Finding(
        "organisation", "positive_data_acceptance", "POST /signals", 422, ("child.bsn: not a valid BSN (eleven-test)",)
    )


# The cursor's form is the schema's pattern: any value of that form is a position, none is refused.


def test_a_cursor_is_the_sort_key_written_out_and_read_back() -> None:
    after = "2026-11-28T10:15:00Z#01JD4B9Q2M7V3X8K5N6P0R1S2T"

    cursor = web.encode_cursor(after)

    assert cursor == "2026-11-28T10:15:00Z.01JD4B9Q2M7V3X8K5N6P0R1S2T"
    assert web.decode_cursor(cursor) == after


@pytest.mark.parametrize(
    "cursor",
    ["", "abc", "2026-11-28T10:15:00Z#01JD4B9Q2M7V3X8K5N6P0R1S2T", "2026-11-28T10:15:00Z.01JD4B9Q2M7V3X8K5N6P0R1S2T\n"],
)
def test_anything_else_is_not_a_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        web.decode_cursor(cursor)


def test_a_query_key_given_twice_cannot_be_read() -> None:
    with pytest.raises(web.BadRequest):
        web.single_values(MultiDict({"status": ["active", "archived"]}))
    assert web.single_values(MultiDict({"status": ["active"], "limit": ["5"]})) == {"status": "active", "limit": "5"}
    assert web.single_values(None) == {}
