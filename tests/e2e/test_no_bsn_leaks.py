"""The BSN is never stored, logged or returned: exercise every endpoint, then look everywhere."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest

from tests import builders

BSNS = [builders.bsn(seed) for seed in range(100, 106)]
# Parseable JSON, but not a valid body: the BSN must not come back in the error.
INVALID_BUT_REAL_BSN_BODIES = [
    builders.signal_body(child=builders.child(bsn=BSNS[0], address=builders.address(postcode="0000 XX"))),
    builders.signal_body(child=builders.child(bsn=BSNS[1]), professional=builders.professional(phone="12")),
    builders.signal_body(child=builders.child(bsn=BSNS[2], birth_date="1990-01-01")),
    builders.signal_body(child=builders.child(bsn=BSNS[3], birth_date="2030-01-01")),
    builders.signal_body(child=builders.child(bsn=BSNS[4], nickname="Sanne"), note=True),
    builders.signal_body(child=builders.child(bsn=BSNS[5], gender="X"), family_informed="yes"),
    builders.signal_body(child=builders.child(bsn=BSNS[0]), end_date="2020-01-01"),
]


def body(bsn: str, **overrides: Any) -> dict[str, Any]:
    return builders.signal_body(child=builders.child(bsn=bsn), **overrides)


def keys_named_bsn(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [f"{path}.{key}".lstrip(".") for key in node if key == "bsn"]
        return found + [hit for key, value in node.items() for hit in keys_named_bsn(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [hit for index, value in enumerate(node) for hit in keys_named_bsn(value, f"{path}[{index}]")]
    return []


def scan_all(table_name: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table_name}
    while True:
        page = client.scan(**kwargs)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def exercise_every_endpoint(api, org_token: str, other_org_token: str, municipality_token: str, clock) -> None:
    from datetime import timedelta

    created: dict[str, str] = {}
    for index, bsn in enumerate(BSNS):
        key = f"leak-test-{index}" if index % 2 else None
        signal = api.post_signal(org_token, body(bsn, case_reference=f"REF-{index}"), idempotency_key=key).ok(201)
        created[bsn] = signal["id"]
        if key is not None:
            assert api.post_signal(org_token, body(bsn, case_reference=f"REF-{index}"), key).ok(201) == signal
            api.post_signal(org_token, body(bsn, case_reference="changed"), key).problem(422)
        clock.set(clock.now() + timedelta(minutes=1))
    for bsn in BSNS[:2]:
        api.post_signal(other_org_token, body(bsn)).ok(201)

    # Refusals whose bodies carry a real BSN.
    for bsn in BSNS:
        assert api.post_signal(org_token, body(bsn)).problem(409)["signal_id"] == created[bsn]
    for invalid in INVALID_BUT_REAL_BSN_BODIES:
        api.post_signal(org_token, invalid).problem(422)
    api.post_signal(org_token, json.dumps(body(BSNS[0])).encode()[:-1]).problem(400)
    api.post_signal(org_token, json.dumps([body(BSNS[0])]).encode()).problem(422)
    api.post_signal(org_token, body(BSNS[0], case_reference="x" * 70_000)).problem(413)
    api.post_signal(org_token, body(BSNS[0]), idempotency_key="not a key").problem(422)
    api.post_signal("unknown-token", body(BSNS[0])).problem(401)
    api.post_signal(municipality_token, body(BSNS[0])).problem(403)
    assert api.post_signal(None, body(BSNS[0])).status_code == 401

    # Reads, pages, hand-over and closing.
    for signal_id in created.values():
        api.get_signal(org_token, signal_id).ok()
        api.get_signal(other_org_token, signal_id).problem(404)
    cursor = None
    while True:
        page = api.list_signals(org_token, "limit=2" + (f"&cursor={cursor}" if cursor else "")).ok()
        cursor = page["next_cursor"]
        if cursor is None:
            break
    api.list_signals(org_token, "status=archived").ok()
    api.list_signals(org_token, f"bsn={BSNS[0]}").problem(422)
    api.hand_over(org_token, created[BSNS[0]], builders.professional(name="M. de Boer")).ok()
    api.hand_over(org_token, created[BSNS[0]], {"bsn": BSNS[0]}).problem(422)
    api.close(org_token, created[BSNS[1]], {"reason": "risk_resolved"}).ok()
    api.close(org_token, created[BSNS[2]], {"reason": "unjustified"}).ok()
    api.close(org_token, created[BSNS[2]], {"reason": "unjustified"}).problem(404)
    api.close(org_token, created[BSNS[3]], {"reason": "unjustified", "bsn": BSNS[3]}).problem(422)
    api.post_signal(org_token, body(BSNS[1])).ok(201)  # after risk_resolved, again
    answer = f"/v1/signals/{created[BSNS[0]]}/matches/mt_{'0' * 24}/answer"
    api.call("PUT", answer, org_token, {"answer": "contact_made"}).problem(404)
    api.call("PUT", answer, org_token, {"answer": "contact_made", "bsn": BSNS[0]}).problem(422)
    api.call("GET", "/v1/health").ok()
    api.call("GET", "/v1/openapi.json").ok()


@pytest.fixture
def everything(api, org_token, other_org_token, municipality_token, clock, app_output, caplog, table_names):
    """Run every endpoint, then gather what the outside world could see, read or keep."""
    caplog.set_level(logging.DEBUG)  # botocore logs every request it sends to AWS at this level
    exercise_every_endpoint(api, org_token, other_org_token, municipality_token, clock)
    tables = {
        name: scan_all(name)
        for name in (table_names.signals, table_names.logbook, table_names.registry, table_names.idempotency)
    }
    return {
        "replies": api.replies,
        "output": app_output(),
        "log records": caplog.records,
        "tables": tables,
    }


def test_the_exercise_covers_every_status_the_contract_names(everything):
    statuses = {reply.status_code for reply in everything["replies"]}

    assert {200, 201, 400, 401, 403, 404, 409, 413, 422} <= statuses


def test_no_response_body_or_header_carries_a_bsn(everything):
    for reply in everything["replies"]:
        headers = json.dumps(reply.headers)
        for bsn in BSNS:
            assert bsn.encode() not in reply.body, reply.body[:300]
            assert bsn not in headers, reply.headers


def test_no_response_has_a_key_named_bsn(everything):
    for reply in everything["replies"]:
        document = json.loads(reply.body)
        if isinstance(document, dict) and "openapi" in document:
            continue  # it describes the request body, whose field is called bsn
        assert keys_named_bsn(document) == [], reply.body[:300]


def test_no_log_line_or_metric_carries_a_bsn(everything):
    output = everything["output"]
    records = [(record.name, record.getMessage() + repr(record.__dict__)) for record in everything["log records"]]
    assert "request handled" in output and '"RequestsRejected"' in output  # logs and metrics were captured
    assert any(name.startswith("botocore") for name, _ in records)  # so were the requests sent to AWS
    for bsn in BSNS:
        assert bsn not in output
        assert [name for name, text in records if bsn in text] == []


def test_no_table_item_carries_a_bsn(everything, table_names):
    tables = everything["tables"]
    assert all(tables[name] for name in (table_names.signals, table_names.logbook, table_names.idempotency))
    for name, items in tables.items():
        for item in items:
            text = json.dumps(item, default=str)
            assert [bsn for bsn in BSNS if bsn in text] == [], f"{name}: {item.get('pk')}"
            assert keys_named_bsn(item) == [], f"{name}: {item.get('pk')}"
