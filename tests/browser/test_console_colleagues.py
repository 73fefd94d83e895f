"""The municipal administrator's colleagues page in a real browser: invite, disable, the errors,
and no reach into another municipality. axe-core on every page and state."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.console import wiring
from chalicelib.console.ports import Invitation
from chalicelib.domain.people import Role
from tests.browser.conftest import MovableClock
from tests.browser.console_pages import A_BSN_OR_LONGER, Visit, console_page, sign_in, without_timestamps


def _logged(action: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(bootstrap.container().settings.logbook_table)
    return [item for item in table.scan()["Items"] if item["action"] == action]


def test_an_admin_invites_a_colleague_and_disables_them(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "municipal_admin")
    visit.page.click("text=Collega's")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/console/collegas")
    visit.check("colleagues")
    assert "Ria Vermeer" in visit.page.inner_text("#collegas")

    visit.submit("#uitnodigen button", naam="", email="geen-adres")
    assert visit.page.title().startswith("Fout: ")
    visit.check("colleagues, invitation refused")
    assert visit.page.is_visible("#naam-fout") and visit.page.is_visible("#email-fout")
    assert visit.page.locator(".utrecht-alert a[href='#email']").count() == 1

    visit.page.select_option("#rol", "privacy_officer")
    visit.submit("#uitnodigen button", naam="Noor  Jansen", email="noor@utrecht.example.nl")
    assert "De uitnodiging is verstuurd" in visit.page.inner_text("main")
    visit.check("colleagues, invited")
    row = visit.page.locator("#collegas tr", has_text="Noor Jansen")
    assert "Privacyfunctionaris" in row.inner_text() and "nog niet ingelogd" in row.inner_text()
    [invited] = [i for i in _logged("person.invited") if i["detail"].startswith("noor@")]
    assert (invited["person_name"], invited["municipality_code"]) == ("Bas Smit", "0344")

    visit.submit("#uitnodigen button", naam="Noor Jansen", email="noor@utrecht.example.nl")
    assert "Er is al een account met dit e-mailadres" in visit.page.inner_text("#email-fout")
    visit.check("colleagues, address taken")

    row = visit.page.locator("#collegas tr", has_text="Noor Jansen")
    row.locator("button").click()
    visit.page.wait_for_load_state()
    assert "Het account is geblokkeerd" in visit.page.inner_text("main")
    row = visit.page.locator("#collegas tr", has_text="Noor Jansen")
    assert "Geblokkeerd" in row.inner_text() and row.locator("button").count() == 0
    visit.check("colleagues, disabled")
    assert [i["person_name"] for i in _logged("person.disabled")] == ["Bas Smit"]
    visit.no_bsn_seen()


def test_disabling_someone_of_another_municipality_is_not_found(stack: Any, clock: MovableClock, browser: Any) -> None:
    wiring.console().cognito.invite(
        Invitation("olga-0363", "olga@amsterdam.example.nl", "Olga", frozenset({Role.REGIEVOERDER}), "0363"),
        "Tijdelijk-wachtwoord-1",
    )
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "municipal_admin")
    visit.page.goto(console_page(stack, "collegas"))
    assert "Olga" not in visit.page.inner_text("main")
    csrf = visit.page.get_attribute("input[name=csrf]", "value")
    response = visit.page.request.post(
        console_page(stack, "collegas"),
        data=f"csrf={csrf}&actie=blokkeren&gebruiker=olga-0363",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert response.status == 404
    account = wiring.console().cognito.account("olga-0363")
    assert account is not None and account.enabled


def test_a_regievoerder_gets_no_colleagues_page(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "regievoerder")
    assert "Collega's" not in visit.page.inner_text("main")
    assert visit.page.goto(console_page(stack, "collegas")).status == 403
    visit.check("colleagues, not permitted")


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    yield
    output = capfd.readouterr()
    assert not A_BSN_OR_LONGER.search(without_timestamps(output.out + output.err))
