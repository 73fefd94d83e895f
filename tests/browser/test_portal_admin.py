"""The organisation's own administration in a real browser: the seeded ``beheer-ggd`` invites a
professional and disables them; issues an API token that works against the API, sees its last use,
revokes it after confirming (the API then answers 401); another organisation's person is not found;
a professional gets no administration. axe-core on every page and state."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.console import wiring
from chalicelib.domain.people import Role
from tests.browser.conftest import MovableClock
from tests.browser.console_pages import A_BSN_OR_LONGER, Visit, console_page, sign_in, without_timestamps


def _person(stack: Any, username: str) -> dict[str, Any]:
    return next(person for person in stack.people if person["username"] == username)


def _logged(action: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(bootstrap.container().settings.logbook_table)
    return [item for item in table.scan()["Items"] if item["action"] == action]


def test_an_org_admin_invites_a_professional_and_disables_them(stack: Any, clock: MovableClock, browser: Any) -> None:
    admin = _person(stack, "beheer-ggd")
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "org_admin", admin)
    visit.page.click("text=Collega's")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/console/portaal/beheer/collegas")
    visit.check("portal colleagues")
    listed = visit.page.inner_text("#collegas")
    assert "Professional GGD Regio Utrecht" in listed and "Buurtteam" not in listed
    assert {o.get_attribute("value") for o in visit.page.locator("#rol option").all()} == {"professional", "org_admin"}

    visit.submit("#uitnodigen button", naam="", email="geen-adres")
    assert visit.page.title().startswith("Fout: ")
    visit.check("portal colleagues, invitation refused")
    assert visit.page.is_visible("#naam-fout") and visit.page.is_visible("#email-fout")

    visit.submit("#uitnodigen button", naam="Sanne  de Vries", email="sanne@ggd.example.nl")
    assert "De uitnodiging is verstuurd" in visit.page.inner_text("main")
    visit.check("portal colleagues, invited")
    row = visit.page.locator("#collegas tr", has_text="Sanne de Vries")
    assert "Professional" in row.inner_text() and "nog niet ingelogd" in row.inner_text()
    account = wiring.console().cognito.account("sanne@ggd.example.nl")
    assert account is not None and account.person.organisation_id == admin["organisation_id"]
    assert account.person.roles == {Role.PROFESSIONAL} and account.person.municipality_code is None
    with urllib.request.urlopen(stack.outbox_url + "/messages.json", timeout=30) as response:
        [mail] = [m for m in json.loads(response.read()) if m["to"] == "sanne@ggd.example.nl"]
    assert stack.console_url in str(mail)  # the sign-in page at the console's level, not under beheer/
    [invited] = [i for i in _logged("person.invited") if i["detail"].startswith("sanne@")]
    assert (invited["person_name"], invited["organisation_id"]) == (
        "Beheerder GGD Regio Utrecht",
        account.person.organisation_id,
    )

    row.locator("button").click()
    visit.page.wait_for_load_state()
    assert "Het account is geblokkeerd" in visit.page.inner_text("main")
    visit.check("portal colleagues, disabled")
    assert [i["detail"] for i in _logged("person.disabled")] == ["sanne@ggd.example.nl"]

    visit.page.click("text=Startpagina")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/console/start")
    visit.no_bsn_seen()


def _api_status(stack: Any, token: str) -> int:
    request = urllib.request.Request(stack.api_url + "/v1/signals", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_org_admin_issues_a_token_sees_its_use_and_revokes_it(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "org_admin", _person(stack, "beheer-ggd"))
    visit.page.click("text=API-sleutels")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/console/portaal/beheer/sleutels")
    visit.check("portal tokens")

    visit.submit("#uitgeven button", label="")
    assert visit.page.title().startswith("Fout: ") and visit.page.is_visible("#label-fout")
    visit.check("portal tokens, label missing")

    visit.submit("#uitgeven button", label="Dossier  jeugdarts")
    token = visit.page.inner_text("#sleutel").strip()
    assert token.startswith("vwi_")
    visit.check("portal tokens, issued")
    row = visit.page.locator("#sleutels tr", has_text="Dossier jeugdarts")
    assert "Nog niet gebruikt" in row.inner_text() and "Actief" in row.inner_text()
    [issued] = _logged("token.issued")
    assert issued["person_name"] == "Beheerder GGD Regio Utrecht" and token not in str(issued)

    assert _api_status(stack, token) == 200
    visit.page.goto(console_page(stack, "portaal/beheer/sleutels"))
    assert token not in visit.page.content()
    row = visit.page.locator("#sleutels tr", has_text="Dossier jeugdarts")
    assert "Nog niet gebruikt" not in row.inner_text() and "rond" in row.inner_text()
    visit.check("portal tokens, used")

    row.locator("a", has_text="Intrekken").click()
    visit.page.wait_for_load_state()
    assert "Dossier jeugdarts" in visit.page.inner_text("#bevestigen")
    visit.check("portal tokens, confirm revocation")
    visit.page.click("#bevestigen button")
    visit.page.wait_for_load_state()
    assert "De sleutel is ingetrokken" in visit.page.inner_text("main")
    assert "Ingetrokken" in visit.page.locator("#sleutels tr", has_text="Dossier jeugdarts").inner_text()
    visit.check("portal tokens, revoked")
    assert _api_status(stack, token) == 401
    assert len(_logged("token.revoked")) == 1
    visit.no_bsn_seen()


def test_a_person_of_another_organisation_or_a_municipal_role_is_refused(
    stack: Any, clock: MovableClock, browser: Any
) -> None:
    other = _person(stack, "professional-buurtteam")
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "org_admin", _person(stack, "beheer-ggd"))
    page = console_page(stack, "portaal/beheer/collegas")
    visit.page.goto(page)
    csrf = visit.page.get_attribute("input[name=csrf]", "value")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = visit.page.request.post(
        page, data=f"csrf={csrf}&actie=blokkeren&gebruiker={other['username']}", headers=form, max_redirects=0
    )
    assert response.status == 404
    account = wiring.console().cognito.account(other["username"])
    assert account is not None and account.enabled
    response = visit.page.request.post(
        page, data=f"csrf={csrf}&naam=X&email=x@ggd.example.nl&rol=regievoerder", headers=form, max_redirects=0
    )
    assert response.status == 400
    assert wiring.console().cognito.account("x@ggd.example.nl") is None


def test_a_professional_gets_no_administration(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    sign_in(visit, stack, "professional", _person(stack, "professional-ggd"))
    assert "Collega's" not in visit.page.inner_text("main")
    assert visit.page.goto(console_page(stack, "portaal/beheer/collegas")).status == 403
    visit.check("portal colleagues, not permitted")


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    yield
    output = capfd.readouterr()
    assert not A_BSN_OR_LONGER.search(without_timestamps(output.out + output.err))
