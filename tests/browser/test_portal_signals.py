"""The portal's signals in a real browser: the seeded professional registers a child by hand (one
error first), reads whom to inform, finds the signal under "Mijn meldingen", hands it over, and closes
another one behind the confirmation. No BSN in any URL, title or the browser's history; axe-core (WCAG
2.1 A and AA, and best practices) reports nothing on every page and state."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.logbook import Action
from tests import builders
from tests.browser.conftest import MovableClock
from tests.browser.console_pages import A_BSN_OR_LONGER, Visit, sign_in

BY_HAND = builders.bsn(61)
BY_API = builders.bsn(62)


def _api(stack: Any, path: str, token: str, body: Any) -> Any:
    request = urllib.request.Request(
        stack.api_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _mail_to(stack: Any, address: str, timeout: float = 30) -> dict[str, Any]:
    """The first mail to ``address`` about a hand-over in the stack's outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(stack.outbox_url + "/messages.json", timeout=30) as response:
            for mail in json.loads(response.read()):
                if mail["to"] == address and "overgedragen" in mail["subject"]:
                    return dict(mail)
        time.sleep(0.5)
    raise AssertionError(f"no hand-over mail to {address}")


def _portal(stack: Any, path: str) -> str:
    return str(stack.console_url).replace("/inloggen", f"/portaal{path}")


def test_a_professional_registers_by_hand_sees_it_listed_hands_it_over_and_closes_another(
    stack: Any, clock: MovableClock, browser: Any, tmp_path: Path
) -> None:
    ggd = stack.organisations[0]
    other = _api(stack, "/v1/signals", ggd["token"], builders.signal_body(child=builders.child(bsn=BY_API)))
    visit = Visit(browser.new_page())
    person = next(p for p in stack.people if p["username"] == "professional-ggd")
    sign_in(visit, stack, "professional", person)
    visit.check("start, professional")
    visit.page.click("main a:has-text('Nieuwe melding')")
    visit.page.wait_for_load_state()
    visit.check("new signal, empty")
    assert visit.page.get_attribute("#bsn", "inputmode") == "numeric"
    assert visit.page.get_attribute("#bsn", "autocomplete") == "off"
    assert visit.page.input_value("#name") == person["display_name"]
    assert visit.page.input_value("#email") == "professional@ggd.example.nl"

    fields = {
        "bsn": BY_HAND,
        "given_names": "Sanne",
        "family_name": "Vries",
        "birth_date": "2014-05-01",
        "street": "Dorpsstraat",
        "house_number": "12",
        "postcode": "35",
        "city": "Utrecht",
        "municipality_code": "0344",
        "case_reference": "HAND-61",
        "function": "Jeugdarts",
        "phone": "030 123 4567",
        "email": "professional@ggd.example.nl",
    }
    for name, value in fields.items():
        visit.page.fill(f"#{name}", value)
    visit.page.check("#gender")
    visit.page.check("#family_informed")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("new signal, a wrong postcode")
    assert visit.page.is_visible("#postcode-fout")
    assert "Vul een postcode in" in visit.page.inner_text("[role=alert]")
    assert visit.page.input_value("#bsn") == ""  # the BSN is never sent back
    assert visit.page.input_value("#given_names") == "Sanne"

    visit.page.fill("#bsn", BY_HAND)
    visit.page.fill("#postcode", "3511 AB")
    sent = visit.page.evaluate("() => Object.fromEntries(new FormData(document.querySelector('#formulier')))")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("the new signal, saved")
    assert "/portaal/meldingen/" in visit.page.url
    # The same form sent twice (a double click, a resend) is the same signal: its hidden key is the
    # Idempotency-Key of the API.
    again = visit.page.request.post(_portal(stack, "/melden"), form=sent)
    assert again.ok and again.url == visit.page.url
    main = visit.page.inner_text("main")
    assert "Uw melding is opgeslagen" in main
    # Born 1 May 2014, so 12: the parents and the child are told.
    assert "Vertel de ouders (of voogd) en het kind zelf" in visit.page.inner_text("#informeren")
    assert "Actief tot en met" in main and "Verwijderd na" in main
    signal_page = visit.page.url
    visit.page.goto(_portal(stack, "/meldingen"))
    visit.check("my signals, the new one on my name")
    assert visit.page.inner_text("main").count("HAND-61") == 1
    visit.page.goto(signal_page)

    visit.page.click("main a:has-text('Overdragen aan een collega')")
    visit.page.wait_for_load_state()
    visit.check("hand over, empty")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("hand over, nothing filled in")
    assert visit.page.is_visible("#name-fout")
    visit.submit(
        name="Karin Smit", function="Jeugdverpleegkundige", phone="030 765 4321", email="k.smit@ggd.example.nl"
    )
    visit.check("the signal, handed over")
    assert "Karin Smit" in visit.page.inner_text("main")
    told = _mail_to(stack, "k.smit@ggd.example.nl")
    assert "overgedragen" in told["subject"] and person["display_name"] in told["text"]
    signal_id = visit.page.url.rsplit("/", 1)[-1].split("?")[0]
    stored = bootstrap.container().signal_store.get(signal_id)
    assert stored is not None
    logged = bootstrap.container().logbook.entries_for_child(stored.signal.child_pseudonym.value)
    by_person = {entry.action for entry in logged if entry.person_name == person["display_name"]}
    assert {Action.SIGNAL_CREATED, Action.SIGNAL_READ, Action.SIGNAL_HANDED_OVER} <= by_person

    visit.page.goto(_portal(stack, "/meldingen"))
    assert "HAND-61" not in visit.page.inner_text("main")  # handed over: no longer on my name
    visit.page.click("main a:has-text('Alle meldingen van uw organisatie')")
    visit.page.wait_for_load_state()
    visit.check("the organisation's signals")
    listed = visit.page.inner_text("main")
    assert listed.count("HAND-61") == 1 and "Actief" in listed

    visit.page.goto(_portal(stack, "/melden"))
    for name, value in fields.items():
        visit.page.fill(f"#{name}", value)
    visit.page.fill("#postcode", "3511 AB")
    visit.page.check("#gender")
    visit.page.check("#family_informed")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("new signal, the child already signalled")
    assert "al een actieve melding" in visit.page.inner_text("#bsn-fout")

    # The other signal goes to a colleague chosen from the organisation's accounts: name and e-mail
    # come from the account, function and phone are typed.
    colleague = next(p for p in stack.people if p["username"] == "beheer-ggd")
    visit.page.goto(_portal(stack, f"/meldingen/{other['id']}/overdragen"))
    offered = visit.page.inner_text("#colleague")
    assert colleague["display_name"] in offered and "professional@ggd.example.nl" in offered
    visit.page.select_option("#colleague", label=f"{colleague['display_name']} (beheer@ggd.example.nl)")
    visit.page.fill("#function", "Teamleider")
    visit.page.fill("#phone", "030 765 4322")
    visit.check("hand over, a colleague chosen")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("the other signal, handed to the colleague")
    assert colleague["display_name"] in visit.page.inner_text("main")
    told = _mail_to(stack, "beheer@ggd.example.nl")
    assert other["id"] in told["text"] and "P. Jansen" in told["text"]

    visit.page.goto(_portal(stack, f"/meldingen/{other['id']}"))
    visit.check("the other signal")
    visit.page.click("main a:has-text('Melding afsluiten')")
    visit.page.wait_for_load_state()
    visit.check("close, the confirmation")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("close, no reason chosen")
    assert visit.page.is_visible("#reason-fout")
    visit.page.check("#reason")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("the other signal, closed")
    main = visit.page.inner_text("main")
    assert "afgesloten en gearchiveerd" in main and "Gearchiveerd" in main

    visit.page.goto(_portal(stack, f"/meldingen/{signal_id}/afsluiten"))
    visit.page.check("#reason-unjustified")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("the signal by hand, deleted as unjustified")
    assert "De melding is verwijderd" in visit.page.inner_text("main")
    visit.page.click("main a:has-text('Naar mijn meldingen')")
    visit.page.wait_for_load_state()
    visit.page.goto(_portal(stack, "/meldingen?alle=ja"))
    assert "HAND-61" not in visit.page.inner_text("main")

    assert [text for text in visit.seen if BY_HAND in text or BY_API in text] == []
    assert [text for text in visit.seen if A_BSN_OR_LONGER.search(text.split("/meldingen/")[0])] == []
    assert not [bsn for bsn in (BY_HAND, BY_API) for html in visit.contents if bsn in html]
    browser.close()
    with sqlite3.connect(tmp_path / "profile" / "Default" / "History") as history:
        rows = history.execute("SELECT url, title FROM urls").fetchall()
    assert rows, "the browser kept a history to check"
    assert [text for row in rows for text in row if BY_HAND in text or BY_API in text] == []


def test_another_organisations_signal_and_the_portal_for_other_roles_are_not_found(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    ggd = stack.organisations[0]
    signal = _api(stack, "/v1/signals", ggd["token"], builders.signal_body(child=builders.child(bsn=builders.bsn(63))))
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "professional", next(p for p in stack.people if p["username"] == "professional-buurtteam"))
    for path in ("", "/afsluiten", "/overdragen"):
        response = visit.page.goto(_portal(stack, f"/meldingen/{signal['id']}{path}"))
        assert response is not None and response.status == 404, path
    visit.check("another organisation's signal, not found")
    visit.page.goto(_portal(stack, "/meldingen"))
    assert signal["id"] not in visit.page.content()

    regie = Visit(browser.new_page())
    regie.page.context.clear_cookies()
    sign_in(regie, stack, "regievoerder")
    for path in ("/melden", "/meldingen", f"/meldingen/{signal['id']}"):
        response = regie.page.goto(_portal(stack, path))
        assert response is not None and response.status == 404, path


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    """Whatever the stack logged while the portal handled these BSNs: none of them."""
    yield
    output = capfd.readouterr()
    assert [bsn for bsn in (BY_HAND, BY_API, builders.bsn(63)) if bsn in output.out + output.err] == []
