"""The portal across both doors, in a real browser: a case system signals a child through the API; a
professional of another organisation registers the same child by hand in the portal; both get their
match mail; the portal professional follows the link in theirs and answers "was al in contact"; the
API shows the answer on the first signal; 14 days on, only the side that did not answer is reminded.
axe-core (WCAG 2.1 A and AA, and best practices) on every portal page and state."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import timedelta
from typing import Any

from scripts.local_workers import invoke_function, scheduled_event
from tests import builders
from tests.browser.conftest import MovableClock
from tests.browser.test_console_sign_in import A_BSN_OR_LONGER, Visit, _sign_in

GGD_PROFESSIONAL = "p.jansen@ggd.example.nl"
BUURTTEAM_PROFESSIONAL = "professional@buurtteam.example.nl"  # the seeded account's address
MATCH_LINK = re.compile(r"https?://[^\s\"<>]+/console/portaal/matches/(mt_[0-9a-f]{24})")


def _api(stack: Any, method: str, path: str, token: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        stack.api_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _outbox(stack: Any) -> list[dict[str, Any]]:
    with urllib.request.urlopen(stack.outbox_url + "/messages.json", timeout=30) as response:
        return list(json.loads(response.read()))


def _mail_to(stack: Any, address: str, subject_part: str, timeout: float = 60) -> dict[str, Any]:
    """The newest mail to ``address`` whose subject holds ``subject_part``, once the stream delivered it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in _outbox(stack):
            if mail["to"] == address and subject_part in mail["subject"]:
                return mail
        time.sleep(0.5)
    raise AssertionError(f"no mail to {address} about {subject_part!r}")


def _person(stack: Any, username: str) -> dict[str, Any]:
    return next(person for person in stack.people if person["username"] == username)


def test_a_professional_answers_a_match_from_the_link_in_the_mail(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    ggd = stack.organisations[0]
    child = builders.child(bsn=builders.bsn(41))
    first = _api(stack, "POST", "/v1/signals", ggd["token"], builders.signal_body(child=child, case_reference="JGZ-41"))

    visit = Visit(browser.new_page())
    _sign_in(visit, stack, _person(stack, "professional-buurtteam"))
    visit.check("start, professional")
    second_id = _register_by_hand(visit, stack, child)

    assert _mail_to(stack, GGD_PROFESSIONAL, "match")  # the case system's professional is told too
    mail = _mail_to(stack, BUURTTEAM_PROFESSIONAL, "match")
    [link] = MATCH_LINK.finditer(mail["text"])
    match_id = link.group(1)
    assert f'href="{link.group(0)}"' in mail["html"]
    for value in (child["bsn"], child["given_names"], child["family_name"], first["id"], second_id):
        assert value not in link.group(0)
    with urllib.request.urlopen(link.group(0), timeout=30) as response:  # no session: sign in first
        assert "/console/inloggen" in response.url

    visit.page.goto(link.group(0))
    visit.check("match page, not yet answered")
    main = visit.page.inner_text("main")
    assert "GGD Regio Utrecht" in main and GGD_PROFESSIONAL in main
    assert "Nog niet beantwoord" in main
    assert child["family_name"] not in main and child["bsn"] not in main

    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("match page, no answer chosen")
    assert visit.page.is_visible("#answer-fout")

    visit.page.check("label:has-text('Was al in contact')")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("match page, answered")
    assert "Uw antwoord is opgeslagen" in visit.page.inner_text("main")
    assert visit.page.inner_text("#uw-antwoord").startswith("Was al in contact")

    visit.page.goto(stack.console_url.replace("/inloggen", "/portaal"))
    visit.check("the organisation's matches")
    assert "Was al in contact" in visit.page.inner_text("main")

    [seen_by_ggd] = _api(stack, "GET", f"/v1/signals/{first['id']}", ggd["token"])["matches"]
    assert seen_by_ggd["id"] == match_id
    assert seen_by_ggd["other_answer"]["answer"] == "already_in_contact"
    assert seen_by_ggd["answer"] is None

    clock.advance(timedelta(days=14))
    invoke_function("lifecycle", scheduled_event())  # plans; the stack's queue worker runs the chunks
    reminded = _reminded(stack)
    assert reminded == [GGD_PROFESSIONAL]

    assert not [url for url in visit.seen if A_BSN_OR_LONGER.search(url.split("/matches/")[0])]


def test_someone_without_a_signal_in_the_match_gets_the_not_found_page(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    visit = Visit(browser.new_page())
    _sign_in(visit, stack, _person(stack, "regievoerder-0344"))
    response = visit.page.goto(stack.console_url.replace("/inloggen", "/portaal/matches/mt_" + "0" * 24))
    assert response is not None and response.status == 404
    visit.check("match page, not found")
    assert "Niet gevonden" in visit.page.title()


def _reminded(stack: Any, within: float = 30.0) -> list[str]:
    """Whom the nightly workers reminded, once they have: the planner only queues the work."""
    deadline = time.monotonic() + within
    while True:
        reminded = [mail["to"] for mail in _outbox(stack) if "herinnering" in mail["subject"]]
        if reminded or time.monotonic() > deadline:
            time.sleep(1)  # a second reminder, were there one, would be sent by now
            return [mail["to"] for mail in _outbox(stack) if "herinnering" in mail["subject"]]
        time.sleep(0.2)


def _register_by_hand(visit: Visit, stack: Any, child: dict[str, Any]) -> str:
    """The signed-in professional registers ``child`` in the portal's form; the new signal's id."""
    visit.page.goto(str(stack.console_url).replace("/inloggen", "/portaal/melden"))
    address = child["address"]
    typed = {
        "bsn": child["bsn"],
        "given_names": child["given_names"],
        "family_name": child["family_name"],
        "birth_date": child["birth_date"],
        "street": address["street"],
        "house_number": str(address["house_number"]),
        "postcode": address["postcode"],
        "city": address["city"],
        "municipality_code": address["municipality_code"],
        "function": "Buurtwerker",
        "phone": "030 765 4321",
    }
    for name, value in typed.items():
        visit.page.fill(f"#{name}", value)
    visit.page.check("#gender")
    visit.page.check("#family_informed")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    assert "/portaal/meldingen/" in visit.page.url, visit.page.inner_text("main")
    return visit.page.url.split("/portaal/meldingen/")[1].split("?")[0]
