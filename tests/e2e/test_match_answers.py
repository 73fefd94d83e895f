"""Answering a match through the API: the case system's door to the rules the portal uses too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests import builders
from tests.e2e.test_municipality import BAKKER, JANSEN, bakker, reminders, run_job, utrecht  # noqa: F401 (fixture)


def answer_path(signal_id: str, match_id: str) -> str:
    return f"/v1/signals/{signal_id}/matches/{match_id}/answer"


def matched_pair(api, org, other_org, stream, clock) -> tuple[dict[str, Any], dict[str, Any], str]:
    first = api.create_signal(org.token)
    clock.set(clock.now() + timedelta(minutes=1))
    second = api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()
    [match] = api.get_signal(org.token, first["id"]).ok()["matches"]
    return first, second, match["id"]


def test_an_answer_is_shown_on_the_other_signal_and_to_the_regievoerder(api, org, other_org, stream, clock, utrecht):  # noqa: F811
    first, second, match_id = matched_pair(api, org, other_org, stream, clock)

    reply = api.call("PUT", answer_path(second["id"], match_id), other_org.token, {"answer": "already_in_contact"})

    body = reply.ok()
    assert (body["match_id"], body["signal_id"]) == (match_id, second["id"])
    assert body["answer"]["answer"] == "already_in_contact" and body["other_answer"] is None
    [theirs] = api.get_signal(org.token, first["id"]).ok()["matches"]
    assert theirs["other_answer"]["answer"] == "already_in_contact" and theirs["answer"] is None
    [mine] = api.get_signal(other_org.token, second["id"]).ok()["matches"]
    assert mine["answer"]["answer"] == "already_in_contact"
    [listed] = api.call("GET", "/v1/matches", utrecht).ok()["items"]
    answers = {party["organisation"]["name"]: party["answer"] for party in listed["parties"]}
    assert answers["GGD Regio Utrecht"] is None
    assert answers["Buurtteam Oost"]["answer"] == "already_in_contact"
    assert listed["open"] is True

    api.call("PUT", answer_path(first["id"], match_id), org.token, {"answer": "coordinating"}).ok()
    [listed] = api.call("GET", "/v1/matches", utrecht).ok()["items"]
    assert listed["open"] is False


def test_another_organisations_match_or_signal_is_not_found(api, org, other_org, stream, clock):
    first, second, match_id = matched_pair(api, org, other_org, stream, clock)

    assert api.call("PUT", answer_path(second["id"], match_id), org.token, {"answer": "contact_made"}).problem(404)
    assert api.call("PUT", answer_path(first["id"], "mt_" + "0" * 24), org.token, {"answer": "contact_made"}).problem(
        404
    )


def test_an_unknown_answer_is_refused(api, org, other_org, stream, clock):
    first, _, match_id = matched_pair(api, org, other_org, stream, clock)

    errors = api.call("PUT", answer_path(first["id"], match_id), org.token, {"answer": "maybe"}).invalid()

    assert "answer" in errors


def test_the_reminder_goes_only_to_the_side_that_did_not_answer(api, org, other_org, stream, clock, outbox, utrecht):  # noqa: F811
    _, second, match_id = matched_pair(api, org, other_org, stream, clock)
    api.call("PUT", answer_path(second["id"], match_id), other_org.token, {"answer": "contact_made"}).ok()

    clock.set(clock.now() + timedelta(days=14))

    assert run_job(api)["reminders_sent"] == 1
    assert [mail["to"] for mail in reminders(outbox)] == [JANSEN]
    assert BAKKER not in [mail["to"] for mail in reminders(outbox)]
    assert run_job(api)["reminders_sent"] == 0
