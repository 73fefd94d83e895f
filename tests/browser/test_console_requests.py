"""The family's requests in a real browser: the privacy officer looks a child up, views and prints
the overview, corrects the child's data and erases the signals.

Signals come in through the API with the stack's organisation tokens, as a case system sends
them. Every page and state is checked with axe-core (0 violations), and no BSN may appear in any
URL, page title, entry of the browser's history or line the stack logs.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts.local_stack import http
from tests import builders
from tests.browser.conftest import MovableClock
from tests.browser.test_console_sign_in import A_BSN_OR_LONGER, Visit, _sign_in

BSN = builders.bsn(4242)
INTERNAL_CODES = re.compile(
    r"matched_owner|new_signal_owner|regievoerder;|removed_owner|signal\.created|subject\.accessed|"
    r"notification\.sent|match-function|lifecycle-job|org_[0-9a-f]{6,}|gm0344"
)


def _officer(stack: Any) -> dict[str, Any]:
    return next(person for person in stack.people if "privacy_officer" in person["roles"])


def _signal(stack: Any, organisation: int, professional: dict[str, Any]) -> None:
    body = builders.signal_body(
        child=builders.child(bsn=BSN, given_names="Noor", family_name="Vries"), professional=professional
    )
    status, answer = http("POST", f"{stack.api_url}/v1/signals", body, stack.organisations[organisation]["token"])
    assert status == 201, answer


def _wait_for_the_match_mails(stack: Any) -> None:
    """The stream worker sends the match mails a moment after the second signal; wait for their log lines."""
    token = stack.municipalities[0]["token"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, record = http("POST", f"{stack.api_url}/v1/subjects/access", {"bsn": BSN}, token)
        assert status == 200, record
        if sum(entry["action"] == "notification.sent" for entry in record["logbook"]) >= 2:
            return
        time.sleep(0.5)
    pytest.fail("the match mails were not sent within 30 seconds")


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    yield
    output = capfd.readouterr()
    # Dates and the metrics' epoch milliseconds are long runs of digits too.
    logged = re.sub(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,+]+|\"Timestamp\":[0-9]+", "", output.out + output.err)
    assert BSN not in logged
    assert not A_BSN_OR_LONGER.search(logged)


def test_a_privacy_officer_looks_up_prints_corrects_and_erases_a_child(
    stack: Any, clock: MovableClock, browser: Any, tmp_path: Path
) -> None:
    _signal(stack, 0, builders.professional())
    _signal(stack, 1, builders.professional(name="K. Bakker", email="k.bakker@buurtteam.example.nl"))
    _wait_for_the_match_mails(stack)
    visit = Visit(browser.new_page())
    _sign_in(visit, stack, _officer(stack))
    visit.page.click("text=Verzoeken van de familie")
    assert visit.page.url.endswith("/console/verzoeken/zoeken")
    visit.check("look-up form")
    assert visit.page.get_attribute("#bsn", "autocomplete") == "off"
    assert visit.page.get_attribute("#bsn", "inputmode") == "numeric"

    visit.submit(bsn="123456780")
    visit.check("look-up, not a BSN")
    assert "elfproef" in visit.page.inner_text("#bsn-fout")
    assert visit.page.is_visible(".utrecht-alert--error a[href='#bsn']")
    visit.submit(bsn=builders.bsn(4243))
    visit.check("look-up, nothing stored")
    assert "niets opgeslagen" in visit.page.inner_text("#bsn-fout")

    visit.submit(bsn=BSN)
    assert visit.page.url.endswith("/console/verzoeken/overzicht")
    visit.check("access overview")
    overview = visit.page.inner_text("main")
    assert "Noor" in overview and "GGD Regio Utrecht" in overview and "Buurtteam Amsterdam-Oost" in overview
    assert "Melding gedaan" in overview and "het systeem van GGD Regio Utrecht" in overview
    assert "Bericht verstuurd aan de professional die de melding deed" in overview
    assert "Kind opgezocht voor een verzoek van de familie\tPim de Wit (gemeente Utrecht)" in overview
    assert "Overzicht voor de familie bekeken (inzage)\tPim de Wit (gemeente Utrecht)" in overview
    assert not INTERNAL_CODES.search(visit.page.content())
    _, record = http("POST", f"{stack.api_url}/v1/subjects/access", {"bsn": BSN}, stack.municipalities[0]["token"])
    assert "Pim de Wit" in [entry["person_name"] for entry in record["logbook"]], "the API's copy names the person too"

    visit.page.click("text=Afdrukken")
    assert visit.page.url.endswith("/console/verzoeken/afdrukken")
    visit.check("print view")
    assert visit.page.locator("text=Uitloggen").count() == 0
    visit.page.emulate_media(media="print")
    assert not visit.page.is_visible(".console-no-print")
    assert "Inzage in de Verwijsindex" in visit.page.inner_text("main")
    visit.page.emulate_media(media="screen")
    visit.page.click("text=Terug naar het overzicht")

    visit.page.click("text=Gegevens van het kind corrigeren")
    visit.check("correction form")
    assert visit.page.input_value("#family_name") == "Vries"
    assert visit.page.input_value("#postcode") == "3511AB"
    assert visit.page.is_checked("#gender-V")
    visit.submit()
    visit.check("correction, nothing changed")
    visit.submit(given_names="", house_number="nul")
    visit.check("correction, two fields wrong")
    assert visit.page.is_visible("#given_names-fout") and visit.page.is_visible("#house_number-fout")
    visit.submit(given_names="Noor", family_name="Visser", house_number="14")
    visit.check("correction done")
    result = visit.page.inner_text("main")
    assert "Achternaam\tVries\tVisser" in result and "Niemand kreeg een e-mail" in result

    visit.page.click("text=Naar het overzicht voor de familie")
    assert "Gegevens van het kind gecorrigeerd" in visit.page.inner_text("main")
    visit.page.click("text=Alle meldingen verwijderen")
    visit.check("erasure confirmation")
    confirmation = visit.page.inner_text("main")
    assert "2 meldingen" in confirmation and "P. Jansen (GGD Regio Utrecht)" in confirmation
    reference = visit.page.get_attribute("input[name=reference]", "value")
    for csrf in ("", "vervalst"):
        forged = visit.page.request.post(
            visit.page.url,
            data=f"csrf={csrf}&reference={reference}&reason=objection",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            max_redirects=0,
        )
        assert forged.status == 403, "an erasure without the session's CSRF token is refused"
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("erasure, no reason chosen")
    assert visit.page.is_visible("#reason-fout")
    visit.page.check("#reason")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_load_state()
    visit.check("erased")
    assert "2 meldingen zijn verwijderd. 2 professionals kregen daarvan bericht" in visit.page.inner_text("main")

    visit.page.goto(visit.page.url.replace("/verwijderen", "/overzicht"))
    assert visit.page.url.endswith("/console/verzoeken/zoeken"), "the erased child is no longer looked up"
    status, _ = http("POST", f"{stack.api_url}/v1/subjects/access", {"bsn": BSN}, stack.municipalities[0]["token"])
    assert status == 404

    assert [text for text in visit.seen if A_BSN_OR_LONGER.search(text)] == []
    browser.close()
    with sqlite3.connect(tmp_path / "profile" / "Default" / "History") as history:
        rows = history.execute("SELECT url, title FROM urls").fetchall()
    assert rows and [row for row in rows if A_BSN_OR_LONGER.search(" ".join(map(str, row)))] == []


def test_other_people_may_not_open_the_familys_requests(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    regievoerder = next(person for person in stack.people if "regievoerder" in person["roles"])
    _sign_in(visit, stack, regievoerder)
    response = visit.page.goto(visit.page.url.replace("/start", "/verzoeken/zoeken"))
    assert response.status == 403
    visit.check("not permitted, one folder down")
    visit.page.click("text=Naar de startpagina")
    assert visit.page.url.endswith("/console/start")
    visit.page.goto(visit.page.url.replace("/start", "/verzoeken/zoeken"))
    clock.advance(timedelta(minutes=16))
    visit.page.reload()
    assert visit.page.url.endswith("/console/inloggen?melding=verlopen"), "redirected from one folder down"
