"""Hostile and odd input over HTTP: refused with a problem naming the field, never a 500, never echoed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from admin import cli as admin_cli
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Professional
from tests import builders
from tests.fakes import signal_in

PROBLEMS = "https://verwijsindex.example.nl/problems/"
BSN_IN_URL = "291417772"


def with_child(**overrides: Any) -> dict[str, Any]:
    return builders.signal_body(child=builders.child(**overrides))


def with_address(**overrides: Any) -> dict[str, Any]:
    return with_child(address=builders.address(**overrides))


def with_professional(**overrides: Any) -> dict[str, Any]:
    return builders.signal_body(professional=builders.professional(**overrides))


def correction(**child: Any) -> dict[str, Any]:
    return {"bsn": builders.child()["bsn"], "child": child}


# Free text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (with_child(given_names="\u200b"), "child.given_names"),
        (with_child(given_names="\u2060\ufeff \u3000"), "child.given_names"),
        (with_child(family_name="Vries\x00"), "child.family_name"),
        (with_child(family_name_prefix="de\u202e"), "child.family_name_prefix"),
        (with_address(street="Dorpsstraat\x1b[2J"), "child.address.street"),
        (with_address(city="Utrecht\u2028Amsterdam"), "child.address.city"),
        (with_professional(name="Echte Naam\r\nE-mail: nep@attacker.example"), "professional.name"),
        (with_professional(function="Arts\x07"), "professional.function"),
        (builders.signal_body(case_reference="JGZ\t42"), "case_reference"),
        (builders.signal_body(case_reference="\u2066JGZ-42\u2069"), "case_reference"),
    ],
)
def test_free_text_with_controls_or_nothing_visible_is_422_naming_the_field(api, org_token, body, field):
    reply = api.post_signal(org_token, body)

    assert list(reply.invalid()) == [field]
    assert api.list_signals(org_token).ok()["items"] == []


def test_free_text_is_stored_composed_with_its_whitespace_collapsed(api, org_token):
    body = with_professional(name="  P.\u00a0\u00a0Jansen ", function="Jeugd\u2003arts")
    body["child"]["given_names"] = "Zoe\u0308"

    signal = api.create_signal(org_token, body)

    assert (signal["professional"]["name"], signal["professional"]["function"]) == ("P. Jansen", "Jeugd arts")
    assert signal["child"]["given_names"] == "Zoë"


def test_a_hand_over_refuses_a_name_that_forges_a_line(api, org_token):
    signal = api.create_signal(org_token)

    fields = api.hand_over(org_token, signal["id"], builders.professional(name="A\nE-mail: x@y.example")).invalid()

    assert list(fields) == ["name"]
    assert api.get_signal(org_token, signal["id"]).ok()["professional"]["name"] == "P. Jansen"


def test_a_correction_refuses_control_characters_in_the_childs_data(api, org_token, municipality_token):
    api.create_signal(org_token)
    address = builders.address(street="Dorpsstraat\x1b")

    reply = api.call("POST", "/v1/subjects/rectify", municipality_token, correction(address=address))

    assert list(reply.invalid()) == ["child.address.street"]


def test_a_follow_up_note_code_is_a_code(api, municipality_token):
    for note_code in ("TEL\x00", "TEL\n", "\u200b", "TEL X"):
        reply = api.call(
            "POST", "/v1/matches/mt_0/follow-up", municipality_token, {"status": "open", "note_code": note_code}
        )
        assert list(reply.invalid()) == ["note_code"], note_code


def test_a_forged_line_stored_without_the_api_stays_inside_its_line_of_the_text_mail(
    api, container, org, other_org, stream, outbox, clock
):
    """A name stored by another path (an older version, a migration) cannot forge a contact line."""
    forged = "Echte Naam\r\nE-mail: nep@attacker.example"
    now = container.clock.now()
    keys = container.pseudonymiser()
    stored = builders.domain_signal(
        seed=1,
        org=other_org.organisation,
        created_at=now,
        child_pseudonym=keys.child(builders.bsn(1)),
        professional=Professional(forged, "Buurtwerker", "k.bakker@buurtteam.example.nl", "+31205550101"),
    )
    stored = replace(stored, address_pseudonym=keys.address(stored.child.address))
    log = LogEntry(
        id=container.new_id(now),
        at=now,
        action=Action.SIGNAL_CREATED,
        client_id=other_org.organisation.id,
        organisation_id=other_org.organisation.id,
        signal_id=stored.id,
        child_pseudonym=stored.child_pseudonym.value,
        key_version=stored.child_pseudonym.key_version,
    )
    container.signal_store.add(stored, now.date(), None, log)
    clock.set(now + timedelta(minutes=1))
    api.create_signal(org.token)
    stream.drain()

    (mail,) = [sent for sent in outbox() if sent["to"] == "p.jansen@ggd.example.nl"]
    text_lines = mail["text"].splitlines()
    assert not any(line.lstrip().startswith("E-mail: nep@") for line in text_lines)
    assert "   Professional: Echte Naam E-mail: nep@attacker.example, Buurtwerker" in text_lines
    assert "   E-mail: k.bakker@buurtteam.example.nl" in text_lines
    assert "   Telefoon: 020 555 0101" in text_lines


# Dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["1398902400", "2014-05-01T00:00:00", "2014-05-01T00:00:00Z", "20140501", "2014-W18-4"]
)
def test_a_date_is_yyyy_mm_dd_and_nothing_else(api, org_token, municipality_token, value):
    assert list(api.post_signal(org_token, with_child(birth_date=value)).invalid()) == ["child.birth_date"]
    assert list(api.post_signal(org_token, builders.signal_body(end_date=value)).invalid()) == ["end_date"]
    reply = api.call("POST", "/v1/subjects/rectify", municipality_token, correction(birth_date=value))
    assert list(reply.invalid()) == ["child.birth_date"]


@pytest.mark.parametrize("since", ["1796169600", "2026-11-28T00:00:00", "\uff12\uff10\uff12\uff16-11-28", "2026-02-30"])
def test_matches_since_is_a_date_yyyy_mm_dd(api, municipality_token, since):
    reply = api.call("GET", f"/v1/matches?since={quote(since)}", municipality_token)

    assert list(reply.invalid()) == ["since"]
    assert since.encode() not in reply.body


# Reports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period", ["9999", "0000", "9999-Q4", "9999-12", "0001-01", "\uff12\uff10\uff12\uff16", "2026-\uff11\uff11"]
)
def test_a_period_out_of_range_or_in_other_digits_is_422_not_500(api, municipality_token, period):
    reply = api.call("GET", f"/v1/reports?period={quote(period)}", municipality_token)

    assert list(reply.invalid()) == ["period"]


# Municipality codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0000", "9999", "0457", "\uff10\uff13\uff14\uff14"])
def test_a_municipality_code_is_one_of_the_current_cbs_list(api, org_token, municipality_token, code):
    assert list(api.post_signal(org_token, with_address(municipality_code=code)).invalid()) == [
        "child.address.municipality_code"
    ]
    reply = api.call(
        "POST", "/v1/subjects/rectify", municipality_token, correction(address=builders.address(municipality_code=code))
    )
    assert list(reply.invalid()) == ["child.address.municipality_code"]


def test_any_current_municipality_is_accepted(api, org_token):
    signal = api.create_signal(org_token, with_address(municipality_code="1992"))

    assert signal["child"]["address"]["municipality_code"] == "1992"


# Phone numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+31 30 FLOWERS",
        "\uff10\uff13\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17",
        "javascript:+31301234567",
        "tel:+31301234567",
        "030 123 4567 ext. 5",
    ],
)
def test_a_phone_number_is_digits_spaces_plus_dash_and_parentheses(api, org_token, phone):
    reply = api.post_signal(org_token, with_professional(phone=phone))

    assert list(reply.invalid()) == ["professional.phone"]
    assert phone.encode() not in reply.body


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("+31 30 123 4567", "030 123 4567"), ("(030) 123-45-67", "030 123 4567"), ("+32 2 555 12 12", "+32 2 555 12 12")],
)
def test_a_phone_number_is_stored_in_e164_and_answered_as_dialled(api, org_token, container, typed, shown):
    signal = api.create_signal(org_token, with_professional(phone=typed))

    assert signal["professional"]["phone"] == shown
    assert api.get_signal(org_token, signal["id"]).ok()["professional"]["phone"] == shown
    stored = signal_in(container.signal_store, signal["id"])
    assert stored is not None
    assert stored.professional.phone.startswith("+") and " " not in stored.professional.phone


def test_the_access_document_shows_the_phone_number_as_dialled(api, org_token, municipality_token):
    api.create_signal(org_token)

    reply = api.call("POST", "/v1/subjects/access?format=html", municipality_token, {"bsn": builders.child()["bsn"]})

    assert reply.status_code == 200
    assert "030 123 4567" in reply.body.decode()
    assert "+31301234567" not in reply.body.decode()


# Media type of a body ---------------------------------------------------------------------------


def body_calls(signal_id: str) -> list[tuple[str, str, str, Any]]:
    """(caller, method, path, valid body) for every route that takes a body."""
    bsn = builders.child()["bsn"]
    return [
        ("org", "POST", "/v1/signals", builders.signal_body()),
        ("org", "POST", f"/v1/signals/{signal_id}/close", {"reason": "risk_resolved"}),
        ("org", "PUT", f"/v1/signals/{signal_id}/professional", builders.professional()),
        ("municipality", "POST", "/v1/subjects/access", {"bsn": bsn}),
        ("municipality", "POST", "/v1/subjects/rectify", correction(family_name="Jansen")),
        ("municipality", "POST", "/v1/subjects/erase", {"bsn": bsn, "reason": "objection"}),
        ("municipality", "POST", "/v1/matches/mt_0/follow-up", {"status": "open"}),
    ]


def raw_call(api, method: str, path: str, token: str, body: bytes, content_type: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = api.client.http.request(method, path, headers=headers, body=body)
    return response.status_code, dict(response.headers), response.body


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "text/json"],
)
def test_a_body_not_declared_json_in_utf8_is_415_on_every_route_that_takes_one(
    api, org_token, municipality_token, content_type
):
    signal = api.create_signal(org_token)
    tokens = {"org": org_token, "municipality": municipality_token}

    for caller, method, path, body in body_calls(signal["id"]):
        status, headers, raw = raw_call(api, method, path, tokens[caller], json.dumps(body).encode(), content_type)
        assert status == 415, (path, status, raw)
        assert headers["Content-Type"] == "application/problem+json"
        document = json.loads(raw)
        assert document["type"] == PROBLEMS + "unsupported-media-type"
        assert content_type is None or content_type.encode() not in raw
    assert api.get_signal(org_token, signal["id"]).ok()["status"] == "active"
    assert len(api.list_signals(org_token).ok()["items"]) == 1


def test_a_utf16_body_is_refused_even_when_declared_json(api, org_token):
    body = json.dumps(builders.signal_body()).encode("utf-16")

    status, _, raw = raw_call(api, "POST", "/v1/signals", org_token, body, "application/json")

    assert status == 400, raw
    assert api.list_signals(org_token).ok()["items"] == []


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json;charset=UTF-8"])
def test_json_with_the_utf8_charset_is_accepted(api, org_token, content_type):
    status, _, raw = raw_call(
        api, "POST", "/v1/signals", org_token, json.dumps(builders.signal_body()).encode(), content_type
    )

    assert status == 201, raw


def test_a_request_without_a_body_may_declare_any_media_type(api, org_token):
    status, headers, _ = raw_call(api, "GET", "/v1/signals", org_token, b"", "text/plain")

    assert status == 200
    assert headers["Content-Type"] == "application/json"


# A BSN typed into a URL -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "path"),
    [
        ("org", f"/v1/signals?{BSN_IN_URL}=1"),
        ("org", f"/v1/signals?status=active&bsn{BSN_IN_URL}=x"),
        ("org", f"/v1/signals/{BSN_IN_URL}"),
        ("org", f"/v1/signals?cursor={BSN_IN_URL}"),
        ("municipality", f"/v1/matches?{BSN_IN_URL}="),
        ("municipality", f"/v1/reports?period=2026&{BSN_IN_URL}=1"),
        ("municipality", f"/v1/reports?period={BSN_IN_URL}"),
    ],
)
def test_a_bsn_in_the_url_is_never_repeated_in_the_answer_or_the_log(
    api, org_token, municipality_token, app_output, caller, path
):
    token = {"org": org_token, "municipality": municipality_token}[caller]

    reply = api.call("GET", path, token)

    assert reply.status_code in {404, 422}
    reply.problem(reply.status_code)
    assert BSN_IN_URL.encode() not in reply.body
    assert BSN_IN_URL not in app_output()


def test_an_unknown_query_key_is_named_only_as_the_query(api, org_token):
    fields = api.call("GET", f"/v1/signals?{BSN_IN_URL}=1", org_token).invalid()

    assert fields == {"(query)": "unknown query parameter; known: cursor, limit, status"}


@pytest.mark.parametrize("limit", [" 50", "5_0", "+50", "50.0", "\uff15\uff10"])
def test_a_page_size_is_written_in_digits(api, org_token, limit):
    assert list(api.list_signals(org_token, f"limit={quote(limit)}").invalid()) == ["limit"]


def test_the_admin_cli_registers_only_a_current_municipality(container):
    command = ["create-municipality", "--code", "0000", "--name", "Nergens", "--region", "utrecht"]

    with pytest.raises(InvalidInput, match="current municipality"):
        admin_cli.run(command, container)
    assert container.registry.get_municipality("0000") is None


# The published contract says so too ------------------------------------------------------------


def test_the_openapi_document_states_the_input_rules(api):
    document = api.call("GET", "/v1/openapi.json").ok()
    schemas = document["components"]["schemas"]

    for model, field in [("ProfessionalIn", "name"), ("ChildIn", "given_names"), ("AddressIn", "street")]:
        assert "\\u200e" in schemas[model]["properties"][field]["pattern"], (model, field)
    assert schemas["ProfessionalIn"]["properties"]["phone"]["pattern"] == "^[ ()+-]*[0-9][0-9 ()+-]*$"
    assert "0344" in schemas["AddressIn"]["properties"]["municipality_code"]["enum"]
    assert schemas["ChildIn"]["properties"]["birth_date"]["pattern"] == "^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                assert ("415" in operation["responses"]) == ("requestBody" in operation), (method, path)
