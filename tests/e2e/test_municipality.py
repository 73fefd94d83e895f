"""The municipality's endpoints: the family's rights, the regievoerder's follow-up, reminders."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.services import admin
from tests import builders
from tests.e2e.nightly import run_nightly

JANSEN = "p.jansen@ggd.example.nl"
BAKKER = "k.bakker@buurtteam.example.nl"
REGIE = "regie@utrecht.example.nl"
CHILD = builders.child()
BSN = CHILD["bsn"]


def bakker() -> dict[str, Any]:
    return builders.professional(name="K. Bakker", function="Buurtwerker", email=BAKKER, phone="020 555 0101")


def sibling() -> dict[str, Any]:
    return builders.child(bsn=builders.bsn(2), given_names="Daan", family_name="Zwart", birth_date="2016-02-10")


@pytest.fixture
def utrecht(container) -> str:
    """Municipality 0344, region utrecht: the child's address lies here."""
    token = admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", REGIE, container.clock.now())
    return token.token


@pytest.fixture
def amsterdam(container) -> str:
    """Municipality 0363, region amsterdam: the region of the second organisation."""
    token = admin.create_municipality(
        container.registry, "0363", "Amsterdam", "amsterdam", "regie@amsterdam.example.nl", container.clock.now()
    )
    return token.token


@pytest.fixture
def groningen(container) -> str:
    """Municipality 0014, region groningen: nothing of this child is in its scope."""
    token = admin.create_municipality(container.registry, "0014", "Groningen", "groningen", None, container.clock.now())
    return token.token


@pytest.fixture
def matched(api, org, other_org, stream, clock) -> tuple[dict[str, Any], dict[str, Any]]:
    """The child signalled by a GGD in Utrecht and, a minute later, a Buurtteam in Amsterdam."""
    first = api.create_signal(org.token)
    clock.set(clock.now() + timedelta(minutes=1))
    second = api.create_signal(other_org.token, builders.signal_body(professional=bakker(), case_reference="BT-7"))
    stream.drain()
    return first, second


def access(api, token, bsn=BSN, query=""):
    return api.call("POST", "/v1/subjects/access" + query, token, {"bsn": bsn})


def test_access_returns_everything_stored_about_the_child(api, utrecht, matched):
    first, second = matched
    document = access(api, utrecht).ok()

    assert document["child"]["family_name"] == "Vries" and "bsn" not in document["child"]
    assert [s["id"] for s in document["signals"]] == [first["id"], second["id"]]
    by_id = {s["id"]: s for s in document["signals"]}
    assert by_id[first["id"]]["organisation"]["name"] == "GGD Regio Utrecht"
    assert by_id[first["id"]]["professional"]["email"] == JANSEN
    assert [m["organisation"]["name"] for m in by_id[first["id"]]["matches"]] == ["Buurtteam Oost"]
    assert [m["organisation"]["name"] for m in by_id[second["id"]]["matches"]] == ["GGD Regio Utrecht"]
    # The first signal's professional was told of the second; the second's, and the regievoerder, of the first.
    assert len(by_id[first["id"]]["notifications"]) == 1
    details = sorted(n["detail"].split(";")[0] for n in by_id[second["id"]]["notifications"])
    assert details == ["new_signal_owner", "regievoerder"]
    actions = [entry["action"] for entry in document["logbook"]]
    assert actions.count("signal.created") == 2 and "notification.sent" in actions
    assert BSN not in json.dumps(document)


def test_access_shows_nothing_about_another_child_at_the_same_address(api, org, other_org, stream, clock, utrecht):
    api.create_signal(org.token)
    clock.set(clock.now() + timedelta(minutes=1))
    api.create_signal(other_org.token, builders.signal_body(child=sibling(), professional=bakker()))
    stream.drain()

    document = access(api, utrecht).ok()
    text = json.dumps(document)
    assert len(document["signals"]) == 1
    assert [m["kind"] for m in document["signals"][0]["matches"]] == ["address"]
    for value in (sibling()["bsn"], "Daan", "Zwart", "2016-02-10"):
        assert value not in text


def test_municipality_of_the_signalling_organisations_region_has_access(api, amsterdam, matched):
    assert len(access(api, amsterdam).ok()["signals"]) == 2


def test_municipality_outside_the_scope_gets_exactly_the_nothing_stored_answer(api, groningen, matched):
    outside = access(api, groningen)
    unknown = access(api, groningen, bsn=builders.bsn(99))
    assert outside.status_code == unknown.status_code == 404
    assert outside.body == unknown.body
    for path, body in (
        ("/v1/subjects/rectify", {"bsn": BSN, "child": {"family_name": "Anders"}}),
        ("/v1/subjects/erase", {"bsn": BSN, "reason": "objection"}),
    ):
        assert api.call("POST", path, groningen, body).body == unknown.body


def test_access_as_a_printable_dutch_document(api, utrecht, matched):
    reply = access(api, utrecht, query="?format=html")
    assert reply.status_code == 200
    assert reply.content_type.startswith("text/html")
    page = reply.body.decode()
    assert "Inzage in de Verwijsindex" in page and "Uw rechten" in page and "23 jaar" in page
    assert "Sanne" in page and "GGD Regio Utrecht" in page and "Buurtteam Oost" in page
    assert BSN not in page


def test_the_printable_document_reads_as_dutch_with_no_internal_code(api, utrecht, matched, org):
    page = access(api, utrecht, query="?format=html").body.decode()

    for code in (
        "matched_owner",
        "new_signal_owner",
        "signal.created",
        "subject.accessed",
        "match-function",
        org.organisation.id,
    ):
        assert code not in page
    assert "Melding gedaan</td><td>het systeem van GGD Regio Utrecht" in page
    assert "Bericht verstuurd aan de professional van een andere melding: er is een nieuwe match" in page
    assert "Overzicht voor de familie bekeken (inzage)</td><td>het systeem van gemeente Utrecht" in page
    assert "gemaakt door gemeente Utrecht" in page


def test_organisation_tokens_are_refused_on_municipality_endpoints(api, org, matched):
    for method, path, body in (
        ("POST", "/v1/subjects/access", {"bsn": BSN}),
        ("POST", "/v1/subjects/rectify", {"bsn": BSN, "child": {"family_name": "X"}}),
        ("POST", "/v1/subjects/erase", {"bsn": BSN, "reason": "objection"}),
        ("GET", "/v1/matches", None),
        ("POST", "/v1/matches/mt_x/follow-up", {"status": "contact_made"}),
    ):
        api.call(method, path, org.token, body).problem(403)


def test_erasure_removes_every_item_about_the_child_and_tells_each_professional(
    api, org, other_org, utrecht, matched, outbox, table_names, container
):
    first, second = matched
    before = len(outbox())
    result = api.call("POST", "/v1/subjects/erase", utrecht, {"bsn": BSN, "reason": "objection"}).ok()
    assert result == {"status": "erased", "signals_erased": 2, "professionals_notified": 2}

    assert api.get_signal(org.token, first["id"]).status_code == 404
    assert api.get_signal(other_org.token, second["id"]).status_code == 404
    assert access(api, utrecht).status_code == 404
    mails = outbox()[before:]
    assert sorted(mail["to"] for mail in mails) == sorted([JANSEN, BAKKER])
    for mail in mails:
        assert "verwijderd" in mail["subject"]
        for value in (BSN, "Sanne", "Vries", "2014-05-01", "3511"):
            assert value not in mail["raw"]

    pseudonym = container.pseudonymiser().child(BSN).value
    client = boto3.client("dynamodb")
    for table in (table_names.signals, table_names.idempotency, table_names.registry):
        for item in client.scan(TableName=table)["Items"]:
            text = json.dumps(item)
            assert pseudonym not in text and first["id"] not in text and second["id"] not in text, (table, item)
    log = [json.dumps(item) for item in client.scan(TableName=table_names.logbook)["Items"]]
    assert any("subject.erased" in entry and pseudonym in entry for entry in log)
    assert all("Sanne" not in entry and BSN not in entry for entry in log)


def test_rectification_corrects_every_signal(api, org, other_org, utrecht, matched):
    first, second = matched
    result = api.call(
        "POST", "/v1/subjects/rectify", utrecht, {"bsn": BSN, "child": {"family_name": "de Wit", "gender": "O"}}
    ).ok()
    assert result["signals_updated"] == 2 and result["child"]["family_name"] == "de Wit"
    assert api.get_signal(org.token, first["id"]).ok()["child"]["family_name"] == "de Wit"
    assert api.get_signal(other_org.token, second["id"]).ok()["child"]["gender"] == "O"


def test_a_corrected_address_matches_new_signals_there_and_tells_the_new_municipality(
    api, org, other_org, utrecht, amsterdam, stream, outbox, clock, container
):
    first = api.create_signal(org.token)
    stream.drain()
    new_address = builders.address(
        street="Kerkstraat", house_number=5, postcode="1017 GA", city="Amsterdam", municipality_code="0363"
    )
    new_address.pop("house_letter")
    new_address.pop("house_number_suffix")
    before = len(outbox())
    result = api.call("POST", "/v1/subjects/rectify", utrecht, {"bsn": BSN, "child": {"address": new_address}}).ok()
    assert result["new_municipality_notified"] is True
    notices = [mail for mail in outbox()[before:] if mail["to"] == "regie@amsterdam.example.nl"]
    assert len(notices) == 1 and "GGD Regio Utrecht" in notices[0]["text"]
    assert "Kerkstraat" not in notices[0]["raw"] and "Sanne" not in notices[0]["raw"]

    clock.set(clock.now() + timedelta(minutes=1))
    neighbour = builders.child(bsn=builders.bsn(5), given_names="Noor", address=new_address)
    second = api.create_signal(other_org.token, builders.signal_body(child=neighbour, professional=bakker()))
    stream.drain()
    assert [m["kind"] for m in api.get_signal(other_org.token, second["id"]).ok()["matches"]] == ["address"]
    clock.set(clock.now() + timedelta(minutes=1))
    old_neighbour = builders.child(bsn=builders.bsn(6), given_names="Bo")
    third = api.create_signal(other_org.token, builders.signal_body(child=old_neighbour, professional=bakker()))
    stream.drain()
    assert api.get_signal(other_org.token, third["id"]).ok()["matches"] == []
    assert api.get_signal(org.token, first["id"]).ok()["child"]["address"]["postcode"] == "1017GA"


def test_rectify_refuses_an_empty_correction_and_a_birth_date_of_23_or_more(api, utrecht, matched):
    assert "child" in api.call("POST", "/v1/subjects/rectify", utrecht, {"bsn": BSN, "child": {}}).invalid()
    errors = api.call(
        "POST", "/v1/subjects/rectify", utrecht, {"bsn": BSN, "child": {"birth_date": "2000-01-01"}}
    ).invalid()
    assert "child.birth_date" in errors


def test_regievoerder_lists_matches_and_records_the_follow_up(api, utrecht, amsterdam, matched):
    listed = api.call("GET", "/v1/matches", utrecht).ok()["items"]
    assert len(listed) == 1
    match = listed[0]
    assert match["follow_up"] == "open" and match["kind"] == "child"
    assert sorted(p["organisation"]["name"] for p in match["parties"]) == ["Buurtteam Oost", "GGD Regio Utrecht"]
    assert BSN not in json.dumps(listed)
    assert api.call("GET", "/v1/matches", amsterdam).ok()["items"] == []
    assert api.call("GET", "/v1/matches?since=2030-01-01", utrecht).ok()["items"] == []

    done = api.call(
        "POST", f"/v1/matches/{match['id']}/follow-up", utrecht, {"status": "contact_made", "note_code": "TEL"}
    ).ok()
    assert done["follow_up"] == "contact_made" and done["note_code"] == "TEL"
    assert api.call("GET", "/v1/matches", utrecht).ok()["items"][0]["follow_up"] == "contact_made"
    api.call("POST", f"/v1/matches/{match['id']}/follow-up", amsterdam, {"status": "open"}).problem(404)
    api.call("POST", "/v1/matches/mt_nope/follow-up", utrecht, {"status": "open"}).problem(404)
    assert "status" in api.call("POST", f"/v1/matches/{match['id']}/follow-up", utrecht, {"status": "x"}).invalid()


def run_job(api) -> dict[str, Any]:
    return run_nightly(api)


def reminders(outbox) -> list[dict[str, Any]]:
    return [mail for mail in outbox() if "herinnering" in mail["subject"]]


def test_a_match_still_open_after_14_days_reminds_both_professionals_once(api, utrecht, matched, outbox, clock):
    clock.set(clock.now() + timedelta(days=13))
    assert run_job(api)["reminders_sent"] == 0
    clock.set(clock.now() + timedelta(days=1))
    assert run_job(api)["reminders_sent"] == 2
    assert run_job(api)["reminders_sent"] == 0
    sent = reminders(outbox)
    assert sorted(mail["to"] for mail in sent) == sorted([JANSEN, BAKKER])
    for mail in sent:
        for value in (BSN, "Sanne", "Vries", "3511"):
            assert value not in mail["raw"]
    assert api.call("GET", "/v1/matches", utrecht).ok()["items"][0]["reminder_sent"] is True


def test_a_followed_up_match_gets_no_reminder(api, utrecht, matched, outbox, clock):
    match = api.call("GET", "/v1/matches", utrecht).ok()["items"][0]
    api.call("POST", f"/v1/matches/{match['id']}/follow-up", utrecht, {"status": "no_contact_needed"}).ok()
    clock.set(clock.now() + timedelta(days=20))
    assert run_job(api)["reminders_sent"] == 0
    assert reminders(outbox) == []


def test_the_regievoerder_sees_the_professional_a_signal_was_handed_to(api, org, utrecht, matched):
    first, _ = matched
    api.hand_over(org.token, first["id"], builders.professional(name="A. Smit", email="a.smit@ggd.example.nl")).ok()
    [match] = api.call("GET", "/v1/matches", utrecht).ok()["items"]
    emails = sorted(party["professional"]["email"] for party in match["parties"])
    assert emails == ["a.smit@ggd.example.nl", BAKKER]


def test_an_unknown_format_is_refused_before_anything_is_read(api, utrecht, matched, container):
    errors = access(api, utrecht, query="?format=pdf").invalid()
    assert "format" in errors
    pseudonym = container.pseudonymiser().child(BSN).value
    actions = [entry.action.value for entry in container.logbook.entries_for_child(pseudonym)]
    assert "subject.accessed" not in actions
