"""Every error of the HTTP contract, as the OpenAPI document describes it, and the service endpoints."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from app import app
from chalicelib import operations
from chalicelib.domain.model import PrincipalKind
from chalicelib.services import admin
from tests import builders

TODAY = date(2026, 11, 28)
PROBLEMS = "https://verwijsindex.example.nl/problems/"
MAX_BODY = 64 * 1024


def with_child(**overrides: object) -> dict[str, object]:
    return builders.signal_body(child=builders.child(**overrides))


def with_address(**overrides: object) -> dict[str, object]:
    return with_child(address=builders.address(**overrides))


def with_professional(**overrides: object) -> dict[str, object]:
    return builders.signal_body(professional=builders.professional(**overrides))


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    skeleton = json.dumps({"case_reference": ""}).encode()
    return json.dumps({"case_reference": "x" * (size - len(skeleton))}).encode()


def organisation_calls(signal_id: str) -> list[tuple[str, str, object]]:
    """Every organisation endpoint with a valid body."""
    return [
        ("POST", "/v1/signals", builders.signal_body()),
        ("GET", "/v1/signals", None),
        ("GET", f"/v1/signals/{signal_id}", None),
        ("POST", f"/v1/signals/{signal_id}/close", {"reason": "risk_resolved"}),
        ("PUT", f"/v1/signals/{signal_id}/professional", builders.professional()),
    ]


# 400 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"{'child': 1}",
        b"not json",
        b"",
        b'{"a": 1,}',
        b"\xff\xfe\x00",
        # Well-formed, but nested deeper than any parser in the chain will follow.
        b"[" * 30_000 + b"]" * 30_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    ],
    ids=["truncated", "single-quotes", "text", "empty", "trailing-comma", "not-utf8", "deep-array", "deep-object"],
)
def test_unparseable_json_is_400(api, org_token, raw):
    document = api.post_signal(org_token, raw).problem(400)

    assert document["type"] == PROBLEMS + "bad-request"
    assert "errors" not in document


@pytest.mark.parametrize("path_and_method", [("POST", "close"), ("PUT", "professional")])
def test_unparseable_json_is_400_on_every_endpoint_with_a_body(api, org_token, path_and_method):
    method, action = path_and_method
    signal = api.create_signal(org_token)

    api.call(method, f"/v1/signals/{signal['id']}/{action}", org_token, b"{oops").problem(400)


# 422: rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (with_child(bsn="123456789"), "child.bsn"),  # fails the eleven-test
        (with_child(bsn="12345678"), "child.bsn"),
        (with_child(bsn="1234567890"), "child.bsn"),
        (with_child(bsn="11122233a"), "child.bsn"),
        (with_address(postcode="0123 AB"), "child.address.postcode"),
        (with_address(postcode="3511 SS"), "child.address.postcode"),
        (with_address(postcode="3511"), "child.address.postcode"),
        (with_address(municipality_code="344"), "child.address.municipality_code"),
        (with_address(house_number=0), "child.address.house_number"),
        (with_address(house_letter="ab"), "child.address.house_letter"),
        (with_professional(phone="12"), "professional.phone"),
        (with_professional(phone="call me"), "professional.phone"),
        (with_professional(email="p.jansen"), "professional.email"),
        (with_professional(email="p..jansen@ggd.example.nl"), "professional.email"),
        (with_child(birth_date="2000-01-01"), "child.birth_date"),
        (with_child(birth_date=TODAY.replace(year=TODAY.year - 23).isoformat()), "child.birth_date"),
        (with_child(birth_date=(TODAY + timedelta(days=1)).isoformat()), "child.birth_date"),
        (with_child(birth_date="2014-02-30"), "child.birth_date"),
        (with_child(gender="X"), "child.gender"),
        (with_child(given_names="   "), "child.given_names"),
        (builders.signal_body(end_date="soon"), "end_date"),
    ],
)
def test_a_body_that_breaks_a_rule_is_422_naming_the_field(api, org_token, body, field):
    fields = api.post_signal(org_token, body).invalid()

    assert list(fields) == [field]


def test_child_23_or_older_gets_a_clear_message(api, org_token):
    fields = api.post_signal(org_token, with_child(birth_date="2003-11-28")).invalid()

    assert fields == {"child.birth_date": "the child is 23 or older"}


def test_birth_date_in_the_future_gets_a_clear_message(api, org_token):
    fields = api.post_signal(org_token, with_child(birth_date="2026-11-29")).invalid()

    assert fields == {"child.birth_date": "birth date lies in the future"}


def test_an_invalid_bsn_is_not_echoed(api, org_token):
    reply = api.post_signal(org_token, with_child(bsn="123456789"))

    assert reply.invalid().keys() == {"child.bsn"}
    assert b"123456789" not in reply.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (builders.signal_body(colour="blue"), "colour"),
        (with_child(bsn_hash="x"), "child.bsn_hash"),
        (with_address(floor=3), "child.address.floor"),
        (with_professional(mobile="06 12345678"), "professional.mobile"),
        (builders.signal_body(status="active"), "status"),
    ],
)
def test_an_unknown_field_is_422_at_any_depth(api, org_token, body, field):
    fields = api.post_signal(org_token, body).invalid()

    assert fields == {field: "unknown field"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (builders.signal_body(child="Sanne"), "child"),
        (builders.signal_body(professional=[]), "professional"),
        (builders.signal_body(family_informed="maybe"), "family_informed"),
        (builders.signal_body(family_informed="true"), "family_informed"),
        (builders.signal_body(family_informed=1), "family_informed"),
        (builders.signal_body(family_informed=None), "family_informed"),
        (builders.signal_body(case_reference=42), "case_reference"),
        (builders.signal_body(end_date=20270601), "end_date"),
        (with_child(bsn=111222333), "child.bsn"),
        (with_child(given_names=["Sanne"]), "child.given_names"),
        (with_child(birth_date=None), "child.birth_date"),
        (with_child(address="Dorpsstraat 12"), "child.address"),
        (with_address(house_number="twelve"), "child.address.house_number"),
        (with_address(house_number="12"), "child.address.house_number"),
        (with_address(house_number=12.5), "child.address.house_number"),
        (with_address(house_number=True), "child.address.house_number"),
        (with_professional(email={"address": "p@x.nl"}), "professional.email"),
    ],
)
def test_a_value_of_the_wrong_type_is_422(api, org_token, body, field):
    fields = api.post_signal(org_token, body).invalid()

    assert list(fields) == [field]


def test_missing_fields_are_each_named(api, org_token):
    body = builders.signal_body()
    del body["family_informed"]
    del body["child"]["address"]["postcode"]

    fields = api.post_signal(org_token, body).invalid()

    assert set(fields) == {"family_informed", "child.address.postcode"}


def test_every_broken_field_is_reported_at_once(api, org_token):
    body = builders.signal_body(
        child=builders.child(bsn="123456789", address=builders.address(postcode="nope")),
        professional=builders.professional(email="nope"),
        extra=True,
    )

    fields = api.post_signal(org_token, body).invalid()

    assert set(fields) == {"child.bsn", "child.address.postcode", "professional.email", "extra"}


@pytest.mark.parametrize("document", [[], [builders.signal_body()], "signal", 42, None, True])
def test_a_json_body_that_is_no_object_is_422(api, org_token, document):
    fields = api.post_signal(org_token, json.dumps(document).encode()).invalid()

    assert fields == {"body": "the body must be a JSON object"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "done"}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "risk_resolved", "note": "x"}, "note"),
    ],
)
def test_close_with_a_bad_body_is_422(api, org_token, body, field):
    signal = api.create_signal(org_token)

    fields = api.close(org_token, signal["id"], body).invalid()

    assert list(fields) == [field]
    assert api.get_signal(org_token, signal["id"]).ok()["status"] == "active"


def test_hand_over_with_an_unknown_field_is_422(api, org_token):
    signal = api.create_signal(org_token)

    fields = api.hand_over(org_token, signal["id"], builders.professional(team="Oost")).invalid()

    assert fields == {"team": "unknown field"}


# 401 -------------------------------------------------------------------------------------------


def test_no_authorization_header_is_401(api):
    # The local gateway (like API Gateway) answers a missing header itself, before our code runs.
    for method, path, body in organisation_calls("01JD4B9Q2M7V3X8K5N6P0R1S2T"):
        assert api.call(method, path, None, body).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer vwi_0000000000000000_unknown",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "vwi_0000000000000000_unknown",
        "Bearer " + "x" * 500,
    ],
)
def test_an_unknown_or_malformed_token_is_401_on_every_endpoint(api, org_token, authorization):
    signal = api.create_signal(org_token)
    for method, path, body in organisation_calls(signal["id"]):
        document = api.call(method, path, None, body, Authorization=authorization).problem(401)
        assert document["type"] == PROBLEMS + "unauthenticated"
    assert api.get_signal(org_token, signal["id"]).ok()["status"] == "active"


def test_a_revoked_token_is_401(api, org, registry):
    api.list_signals(org.token).ok()

    registry.revoke_token(org.token_id)

    api.list_signals(org.token).problem(401)
    api.post_signal(org.token, builders.signal_body()).problem(401)


def test_a_suspended_organisations_tokens_are_all_401(api, org, other_org_token, registry, clock):
    second = admin.issue_organisation_token(registry, org.organisation.id, clock.now())
    signal = api.create_signal(org.token)

    registry.suspend_organisation(org.organisation.id)

    for token in (org.token, second.token):
        for method, path, body in organisation_calls(signal["id"]):
            api.call(method, path, token, body).problem(401)
    api.list_signals(other_org_token).ok()


def test_revoking_one_token_leaves_the_organisations_other_tokens_working(api, org, registry, clock):
    second = admin.issue_organisation_token(registry, org.organisation.id, clock.now())

    registry.revoke_token(org.token_id)

    api.list_signals(org.token).problem(401)
    api.list_signals(second.token).ok()


# 403 -------------------------------------------------------------------------------------------


def test_a_municipality_token_is_403_on_every_organisation_endpoint(api, org_token, municipality_token):
    signal = api.create_signal(org_token)

    for method, path, body in organisation_calls(signal["id"]):
        document = api.call(method, path, municipality_token, body).problem(403)
        assert document["type"] == PROBLEMS + "forbidden"
    assert api.get_signal(org_token, signal["id"]).ok() == signal


def test_a_municipality_token_is_403_before_its_body_is_looked_at(api, org_token, municipality_token):
    signal = api.create_signal(org_token)
    for method, path in (
        ("POST", "/v1/signals"),
        ("POST", f"/v1/signals/{signal['id']}/close"),
        ("PUT", f"/v1/signals/{signal['id']}/professional"),
    ):
        api.call(method, path, municipality_token, b"{not json").problem(403)
        api.call(method, path, municipality_token, {"unknown": 1}).problem(403)


# 404 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("GET", "", None),
        ("POST", "/close", {"reason": "risk_resolved"}),
        ("POST", "/close", {"reason": "unjustified"}),
        ("PUT", "/professional", builders.professional(name="Iemand Anders")),
    ],
)
def test_another_organisations_signal_is_404_exactly_like_a_missing_one(
    api, org_token, other_org_token, method, action, body
):
    theirs = api.create_signal(other_org_token)

    foreign = api.call(method, f"/v1/signals/{theirs['id']}{action}", org_token, body)
    missing = api.call(method, f"/v1/signals/01JD4B9Q2M7V3X8K5N6P0R1S2T{action}", org_token, body)

    document = foreign.problem(404)
    assert document["type"] == PROBLEMS + "not-found"
    assert (foreign.status_code, foreign.headers, foreign.body) == (missing.status_code, missing.headers, missing.body)
    assert api.get_signal(other_org_token, theirs["id"]).ok() == theirs


@pytest.mark.parametrize("signal_id", ["nonexistent", "%20", "A" * 2000, "..%2F..%2Fsignals"])
def test_any_unknown_id_is_404(api, org_token, signal_id):
    api.get_signal(org_token, signal_id).problem(404)


# 409 -------------------------------------------------------------------------------------------


def test_a_second_active_signal_for_the_same_child_is_409_naming_the_first(api, org_token):
    first = api.create_signal(org_token)

    document = api.post_signal(org_token, builders.signal_body(case_reference="JGZ-2026-0099")).problem(409)

    assert document["type"] == PROBLEMS + "duplicate-active-signal"
    assert document["signal_id"] == first["id"]
    assert [item["id"] for item in api.list_signals(org_token).ok()["items"]] == [first["id"]]


def test_the_duplicate_check_uses_the_bsn_not_the_name_or_address(api, org_token):
    first = api.create_signal(org_token)
    renamed = with_child(given_names="Anna", family_name="Bakker", address=builders.address(postcode="1011 AA"))

    assert api.post_signal(org_token, renamed).problem(409)["signal_id"] == first["id"]
    api.create_signal(org_token, with_child(bsn=builders.bsn(2)))


# 413 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "action"), [("POST", ""), ("POST", "/{id}/close"), ("PUT", "/{id}/professional")])
def test_a_body_over_64_kib_is_413(api, org_token, method, action):
    signal = api.create_signal(org_token)
    path = "/v1/signals" + action.format(id=signal["id"])

    document = api.call(method, path, org_token, padded(MAX_BODY + 1)).problem(413)

    assert document["type"] == PROBLEMS + "payload-too-large"


def test_a_body_of_exactly_64_kib_is_read_and_validated(api, org_token):
    fields = api.post_signal(org_token, padded(MAX_BODY)).invalid()

    assert "case_reference" in fields


def test_an_oversized_body_is_refused_even_when_it_is_no_json(api, org_token):
    api.post_signal(org_token, b"x" * (MAX_BODY * 4)).problem(413)


# Idempotency-Key ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_response_and_creates_nothing(api, org_token):
    body = builders.signal_body()
    first = api.post_signal(org_token, body, idempotency_key="case-42:attempt")

    again = api.post_signal(org_token, body, idempotency_key="case-42:attempt")

    assert again.ok(201) == first.ok(201)
    assert again.header("Location") == first.header("Location")
    assert again.header("Idempotent-Replayed") == "true"
    assert [item["id"] for item in api.list_signals(org_token).ok()["items"]] == [first.json()["id"]]


def test_a_replay_answers_201_even_though_a_new_post_would_be_409(api, org_token):
    body = builders.signal_body()
    first = api.post_signal(org_token, body, idempotency_key="k1").ok(201)

    assert api.post_signal(org_token, body).problem(409)["signal_id"] == first["id"]
    assert api.post_signal(org_token, body, idempotency_key="k1").ok(201)["id"] == first["id"]


@pytest.mark.parametrize(
    "second_body",
    [
        builders.signal_body(case_reference="JGZ-2026-0043"),
        with_child(bsn=builders.bsn(2)),
    ],
    ids=["same-child", "other-child"],
)
def test_the_same_key_with_another_body_is_422(api, org_token, second_body):
    first = api.post_signal(org_token, builders.signal_body(), idempotency_key="retry-1").ok(201)

    reply = api.post_signal(org_token, second_body, idempotency_key="retry-1")

    document = reply.problem(422)
    assert document["type"] == PROBLEMS + "idempotency-key-reused"
    assert [error["field"] for error in document["errors"]] == ["Idempotency-Key"]
    assert [item["id"] for item in api.list_signals(org_token).ok()["items"]] == [first["id"]]


def test_idempotency_keys_belong_to_one_organisation(api, org_token, other_org_token):
    mine = api.post_signal(org_token, builders.signal_body(), idempotency_key="shared").ok(201)

    theirs = api.post_signal(other_org_token, builders.signal_body(), idempotency_key="shared").ok(201)

    assert theirs["id"] != mine["id"]
    assert theirs["organisation"]["name"] == "Buurtteam Oost"


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "ümlaut", "a/b", "semi;colon"])
def test_an_invalid_idempotency_key_is_422_and_creates_nothing(api, org_token, key):
    fields = api.post_signal(org_token, builders.signal_body(), idempotency_key=key).invalid()

    assert set(fields) == {"Idempotency-Key"}
    assert api.list_signals(org_token).ok()["items"] == []


@pytest.mark.parametrize("key", ["a", "x" * 128, "Order-12.3:4_5"])
def test_a_valid_idempotency_key_is_accepted(api, org_token, key):
    api.post_signal(org_token, builders.signal_body(), idempotency_key=key).ok(201)


# Service endpoints --------------------------------------------------------------------------------


def test_health_needs_no_token(api):
    reply = api.call("GET", "/v1/health")

    assert reply.ok() == {"status": "ok"}


def test_openapi_needs_no_token_and_is_openapi_3_1(api):
    document = api.call("GET", "/v1/openapi.json").ok()

    assert document["openapi"].startswith("3.1")
    assert {"title", "version"} <= document["info"].keys()


def test_openapi_describes_exactly_the_routes_of_the_app(api):
    document = api.call("GET", "/v1/openapi.json").ok()
    [server] = document["servers"]

    # The console's pages (/console/...) are HTML for people, not operations of the HTTP API.
    served = {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method in methods
        if not path.startswith("/console/")
    }
    documented = {
        (server["url"].removeprefix("..") + path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert served == documented


def test_openapi_every_schema_reference_resolves(api):
    document = api.call("GET", "/v1/openapi.json").ok()
    schemas = document["components"]["schemas"]

    def references(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [ref for value in node.values() for ref in references(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in references(value)]
        return []

    for ref in references(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


@pytest.mark.parametrize("model", ["SignalIn", "ChildIn", "AddressIn", "ProfessionalIn", "CloseIn"])
def test_openapi_request_schemas_forbid_additional_properties(api, model):
    schemas = api.call("GET", "/v1/openapi.json").ok()["components"]["schemas"]

    assert schemas[model]["additionalProperties"] is False


def test_openapi_signal_in_requires_what_the_contract_requires(api):
    schema = api.call("GET", "/v1/openapi.json").ok()["components"]["schemas"]["SignalIn"]

    assert set(schema["required"]) == {"child", "professional", "family_informed"}
    assert set(schema["properties"]) == {
        "child",
        "professional",
        "case_reference",
        "end_date",
        "family_informed",
    }


def test_openapi_signal_out_has_no_bsn(api):
    schemas = api.call("GET", "/v1/openapi.json").ok()["components"]["schemas"]

    assert "bsn" in schemas["ChildIn"]["properties"]
    assert "bsn" not in schemas["ChildOut"]["properties"]


# The order of the checks comes from the declarations, the same for every operation ---------------


def _filled(path: str) -> str:
    return path.replace("{signal_id}", "01JD4B9Q2M7V3X8K5N6P0R1S2T").replace("{match_id}", "mt_" + "0" * 24)


def _tokens(container, org_token, municipality_token):
    administrator = admin.issue_admin_token(container.registry, "beheer", container.clock.now())
    return {
        PrincipalKind.ORGANISATION: org_token,
        PrincipalKind.MUNICIPALITY: municipality_token,
        PrincipalKind.ADMIN: administrator.token,
    }


@pytest.mark.parametrize("operation", [op for op in operations.OPERATIONS if op.needs_token], ids=lambda op: op.id)
def test_a_caller_of_another_kind_hears_403_before_anything_about_its_input(
    api, container, org_token, municipality_token, operation
):
    tokens = _tokens(container, org_token, municipality_token)
    for kind, token in tokens.items():
        if kind in operation.callers:
            continue
        body = b"{not json" if operation.body else None
        path = _filled(operation.route) + "?unknown=1&unknown=2"

        document = api.call(operation.method, path, token, body, **{"Content-Type": "text/plain"}).problem(403)

        assert document["detail"] == operations.forbidden_message(operation.callers)
