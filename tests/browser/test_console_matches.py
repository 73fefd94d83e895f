"""The regievoerder's matches and the report, in a real browser against the local stack.

Two API signals for the same child make a match; the regievoerder sees it, records its follow-up
and finds it under "opgevolgd"; every page and state passes axe-core; no BSN anywhere.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.logbook import Action
from chalicelib.domain.people import Role
from tests.browser.conftest import MovableClock
from tests.browser.console_pages import (
    A_BSN_OR_LONGER,
    Visit,
    console_page,
    enrolled,
    make_a_match,
    sign_in,
    without_timestamps,
)


def _match_section(visit: Visit, match_id: str) -> Any:
    return visit.page.locator(f"#match-{match_id}")


def test_a_regievoerder_sees_a_match_and_records_its_follow_up(stack: Any, clock: MovableClock, browser: Any) -> None:
    match_id = make_a_match(stack, 101, dutch_date(clock.now()))
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "regievoerder")
    visit.page.click("text=Matches")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/console/matches")
    visit.check("matches, all")
    section = _match_section(visit, match_id)
    shown = section.inner_text()
    assert "Zelfde kind" in shown and "Open" in shown
    assert "GGD Regio Utrecht" in shown and "Jeugdgezondheidszorg" in shown
    assert "P. Jansen" in shown and "K. de Groot" in shown and "Jeugdverpleegkundige" in shown, shown
    assert "030 123 4567" in shown and "+31301234567" not in shown  # as dialled at home; E.164 in tel:
    assert section.locator('a[href="tel:+31301234567"]').count() >= 1

    visit.page.select_option("#toon", "opgevolgd")
    visit.submit("main form.console-filter button")
    assert "toon=opgevolgd" in visit.page.url
    assert _match_section(visit, match_id).count() == 0
    visit.check("matches, followed up, none yet")

    visit.page.goto(console_page(stack, "matches?toon=open"))
    visit.page.select_option(f"#status-{match_id}", "contact_made")
    visit.page.select_option(f"#note_code-{match_id}", "OVERLEG")
    visit.submit(f"#match-{match_id} button")
    assert "De opvolging is vastgelegd" in visit.page.inner_text("main")
    assert _match_section(visit, match_id).count() == 0, "no longer open"
    visit.check("matches, open, after recording")

    visit.page.goto(console_page(stack, "matches?toon=opgevolgd"))
    shown = _match_section(visit, match_id).inner_text()
    assert "Contact gelegd" in shown and "Overleg tussen de professionals georganiseerd" in shown
    visit.check("matches, followed up")

    entries = _log_of_match(match_id)
    [recorded] = [entry for entry in entries if entry.action is Action.MATCH_FOLLOWED_UP]
    assert (recorded.person_name, recorded.municipality_code) == ("Ria Vermeer", "0344")
    assert recorded.detail == f"{match_id}: contact_made"
    visit.no_bsn_seen()


def _log_of_match(match_id: str) -> list[Any]:
    root = bootstrap.container()
    match = root.municipal_matches.get("0344", match_id)
    assert match is not None
    return root.logbook.entries_for_child(match.sides[0].child_pseudonym)


def test_a_follow_up_with_a_field_missing_says_so_next_to_it_and_in_the_summary(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    match_id = make_a_match(stack, 102, dutch_date(clock.now()))
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "regievoerder")
    visit.page.goto(console_page(stack, "matches"))
    visit.page.evaluate(f"document.querySelector('#status-{match_id}').remove()")
    visit.page.click(f"#match-{match_id} button")
    visit.page.wait_for_load_state()
    assert visit.page.title().startswith("Fout: ")
    visit.check("matches, follow-up refused")
    assert "Kies hoe de match is opgevolgd" in visit.page.inner_text(f"#status-{match_id}-fout")
    assert visit.page.locator(f".utrecht-alert a[href='#status-{match_id}']").count() == 1
    assert bootstrap.container().municipal_matches.get("0344", match_id).note_code is None  # type: ignore[union-attr]

    forged = visit.page.request.post(
        console_page(stack, "matches"),
        data=f"csrf=vervalst&match={match_id}&status=contact_made",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert forged.status == 403
    assert bootstrap.container().municipal_matches.get("0344", match_id).follow_up.value == "open"  # type: ignore[union-attr]

    visit.page.goto(console_page(stack, "matches?toon=iets"))
    visit.check("matches, unknown filter")
    assert visit.page.is_visible("#toon-fout")


def test_the_report_shows_tables_and_charts_with_small_counts_hidden(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    make_a_match(stack, 104, dutch_date(clock.now()))
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "regievoerder")
    visit.page.click("text=Rapportage")
    visit.page.wait_for_load_state()
    visit.check("report, this month")
    chart = visit.page.locator("svg[role=img]").first
    assert chart.get_attribute("aria-labelledby") == "grafiek-sectoren-titel"
    assert visit.page.is_visible("#tabel-sectoren")
    cells = visit.page.locator("#tabel-sectoren td").all_inner_texts()
    assert cells and all(cell == "<5" or int(cell) >= 5 for cell in cells)
    assert all(not re.fullmatch("[1-4]", text) for text in visit.page.locator("svg text").all_text_contents())

    visit.submit(periode="2026-13")
    visit.check("report, period refused")
    assert visit.page.is_visible("#periode-fout")
    visit.submit(periode="2026-Q4")
    assert "2026-Q4" in visit.page.inner_text("main h2")
    visit.no_bsn_seen()


def test_ops_see_the_country_or_a_region(stack: Any, clock: MovableClock, browser: Any) -> None:
    ops = enrolled("ops-1", "Olaf Ops", frozenset({Role.ADMIN}))
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "admin", ops)
    assert "Matches" not in visit.page.inner_text("main")
    visit.page.click("text=Rapportage")
    visit.page.wait_for_load_state()
    assert "heel Nederland" in visit.page.inner_text("main h2")
    visit.check("report, the country")
    visit.submit(regio="Utrecht!")
    assert visit.page.is_visible("#regio-fout")
    visit.check("report, region refused")
    visit.submit(regio="utrecht")
    assert "regio utrecht" in visit.page.inner_text("main h2")
    assert visit.page.goto(console_page(stack, "matches")).status == 403


def test_a_privacy_officer_gets_no_matches_page(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "privacy_officer")
    response = visit.page.goto(console_page(stack, "matches"))
    assert response.status == 403
    visit.check("matches, not permitted")
    assert visit.page.goto(console_page(stack, "rapportage")).status == 403


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    yield
    output = capfd.readouterr()
    assert not A_BSN_OR_LONGER.search(without_timestamps(output.out + output.err))
