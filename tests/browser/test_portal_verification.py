"""A signal's check against the population register (BRP) in the portal, in a real browser, with the
register's stand-in on: one signal accepted while the register was down and found wrong by its
recheck (a warning that says what to do), one still waiting because the register stays down (it says
so, and that nothing needs doing). "Mijn meldingen" lists both states in words. axe-core (WCAG 2.1 A
and AA, and best practices) reports nothing on any of these pages; no BSN in a URL, title or page."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.console import wiring
from scripts.brp_stand_in import post
from scripts.local_stack import DEMO_BRP_SIGNAL, http
from tests.browser.console_pages import SIGNALLED, Visit, sign_in

RECHECK_WAIT = 2
PROFESSIONAL = "professional@ggd.example.nl"
# RvIG test personas the stand-in knows (local/brp_personas.json): Mirik is "de Jager", not "de Jansen".
MIRIK = {"bsn": "999992089", "given_names": "Mirik", "family_name_prefix": "de", "family_name": "Jansen"}
PAOLO = {"bsn": "999990408", "given_names": "Paolo", "family_name_prefix": "de", "family_name": "Jager"}


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    """The browser tests' stack, with the register's stand-in and rechecks RECHECK_WAIT seconds apart."""
    from scripts.local_stack import LocalStack, Options

    saved = dict(os.environ)
    state_dir = Path(tempfile.mkdtemp(prefix="vwi-browser-brp-"))
    options = Options(
        port=0,
        emulator_port=0,
        outbox_port=0,
        state_file=state_dir / "stack.json",
        lifecycle_interval=3600,
        brp=True,
        recheck_wait=RECHECK_WAIT,
    )
    local = LocalStack(options)
    try:
        yield local.start()
    finally:
        local.stop()
        wiring.use(None)
        bootstrap.use(None)
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state_dir, ignore_errors=True)


def _signal(stack: Any, child: dict[str, Any], birth_date: str, house_number: int) -> str:
    """A signal by the seeded professional through the API; its id."""
    SIGNALLED.append(child["bsn"])
    address = DEMO_BRP_SIGNAL["child"]["address"] | {"house_number": house_number}
    body = DEMO_BRP_SIGNAL | {
        "child": DEMO_BRP_SIGNAL["child"] | child | {"birth_date": birth_date, "address": address},
        "professional": DEMO_BRP_SIGNAL["professional"] | {"email": PROFESSIONAL},
    }
    status, answer = http("POST", f"{stack.api_url}/v1/signals", body, token=stack.organisations[0]["token"])
    assert status == 201, answer  # never lost to the outage
    return str(answer["id"])


def _verification(stack: Any, signal_id: str, wanted: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, answer = http("GET", f"{stack.api_url}/v1/signals/{signal_id}", token=stack.organisations[0]["token"])
        if answer["verification"] == wanted:
            return
        time.sleep(0.5)
    raise AssertionError(f"{signal_id} not {wanted} within {timeout} s")


def _outage(stack: Any, count: int) -> None:
    post(stack.brp_url + "/stand-in/storing", {"status": 503, "aantal": count})


def test_a_mismatched_and_a_pending_signal_say_so_on_their_pages_and_in_the_list(stack: Any, browser: Any) -> None:
    _outage(stack, 2)  # the POST's call and its one retry; the recheck then reaches the register
    mismatched = _signal(stack, MIRIK, "2010-01-01", 16)
    _verification(stack, mismatched, "mismatched")
    # Down for the POST and for every try of the recheck (three calls each) until it gives up.
    _outage(stack, 2 + 3 * 40)
    pending = _signal(stack, PAOLO, "2009-01-01", 18)
    _verification(stack, pending, "pending", timeout=5)

    visit = Visit(browser.new_page())
    sign_in(visit, stack, "professional", next(p for p in stack.people if p["username"] == "professional-ggd"))
    visit.page.goto(stack.console_url.replace("/inloggen", f"/portaal/meldingen/{mismatched}"))
    visit.check("signal, mismatched")
    warning = visit.page.locator("#brp-controle")
    assert "utrecht-alert--warning" in (warning.get_attribute("class") or "")
    assert warning.locator("h2").inner_text() == "Let op: deze melding klopt niet met de BRP"
    assert "onterecht" in warning.inner_text() and "nieuwe melding" in warning.inner_text()
    assert visit.page.locator("#brp-status strong").inner_text() == "Klopt niet met de BRP"
    assert "Jager" not in visit.page.content()  # the register's family name: never shown

    visit.page.goto(stack.console_url.replace("/inloggen", f"/portaal/meldingen/{pending}"))
    visit.check("signal, pending")
    notice = visit.page.locator("#brp-controle")
    assert "utrecht-alert--info" in (notice.get_attribute("class") or "")
    assert notice.locator("h2").inner_text() == "Nog niet gecontroleerd in de BRP"
    assert "U hoeft niets te doen" in notice.inner_text()

    visit.page.goto(stack.console_url.replace("/inloggen", "/portaal/meldingen"))
    visit.check("my signals, mismatched and pending")
    column = visit.page.locator("th", has_text="Controle in de BRP")
    assert column.count() == 1
    cells = visit.page.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert sorted(cells) == ["Klopt niet met de BRP", "Nog niet gecontroleerd in de BRP"]
    assert visit.page.locator("tbody strong", has_text="Klopt niet met de BRP").count() == 1
    visit.no_bsn_seen()
