"""Signing in to the console in a real browser: password, TOTP, enrolment, timeouts, CSRF.

Every page and state the tests pass through is checked with axe-core (WCAG 2.1 A and AA, and
axe's best practices): 0 violations.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.console import invitations, wiring
from chalicelib.console.ports import Invitation
from chalicelib.console.signin import session_key
from chalicelib.console.views import COOKIE
from chalicelib.domain.people import Role
from scripts.totp import fresh_code
from tests.browser.conftest import AXE, MovableClock
from tests.browser.console_pages import A_BSN_OR_LONGER

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class Visit:
    """A page in the browser, with every URL and title it showed kept for the leak check."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []
        page.on("framenavigated", lambda frame: self.seen.append(frame.url))

    def check(self, state: str) -> None:
        """axe-core on the page as it is now: no violation, whatever the state."""
        self.seen.append(self.page.title())
        self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
            WCAG,
        )
        assert violations == [], f"{state}: {violations}"

    def submit(self, **fields: str) -> None:
        for name, value in fields.items():
            self.page.fill(f"#{name}", value)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()


def _invite(username: str) -> str:
    root = bootstrap.container()
    invitation = Invitation(
        username=username,
        email=f"{username}@utrecht.example.nl",
        display_name="Anna de Boer",
        roles=frozenset({Role.PRIVACY_OFFICER}),
        municipality_code="0344",
    )
    return invitations.invite(wiring.console().cognito, root.mailer, invitation, "http://127.0.0.1/console/inloggen")


def _refresh_token(browser: Any) -> str:
    [cookie] = [c for c in browser.cookies() if c["name"] == COOKIE]
    session = wiring.console().sessions.get(session_key(cookie["value"]))
    assert session is not None and session.refresh_token is not None
    return session.refresh_token


def _refresh_works(refresh_token: str) -> bool:
    try:
        boto3.client("cognito-idp").initiate_auth(
            ClientId=wiring.console().settings.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError:
        return False
    return True


def test_first_sign_in_enrols_totp_and_a_later_one_asks_the_code(stack: Any, clock: MovableClock, browser: Any) -> None:
    temporary = _invite("anna-0344")
    visit = Visit(browser.new_page())
    visit.page.goto(stack.console_url)
    visit.check("sign-in form")
    assert visit.page.get_attribute("#username", "autocomplete") == "username"
    assert visit.page.get_attribute("#password", "autocomplete") == "current-password"

    visit.submit(username="anna-0344", password=temporary)
    assert visit.page.url.endswith("/console/wachtwoord")
    visit.check("new password")
    assert visit.page.get_attribute("#password", "autocomplete") == "new-password"
    visit.submit(password="een zin van vier woorden", confirmation="een andere zin")
    visit.check("new password, confirmation differs")
    assert visit.page.is_visible("#confirmation-fout")
    visit.submit(password="een zin van vier woorden", confirmation="een zin van vier woorden")

    assert visit.page.url.endswith("/console/koppelen")
    assert visit.page.is_visible(".console-qr svg")
    visit.check("TOTP enrolment")
    assert visit.page.get_attribute("#code", "autocomplete") == "one-time-code"
    visit.submit(code="000000")
    visit.check("TOTP enrolment, wrong code")
    visit.submit(code=fresh_code())
    assert visit.page.url.endswith("/console/start")
    assert "Anna de Boer" in visit.page.inner_text("main")
    visit.check("landing page")

    refresh_token = _refresh_token(browser)
    assert _refresh_works(refresh_token)
    visit.page.click("text=Uitloggen")
    visit.page.wait_for_load_state()
    visit.check("signed out")
    assert not _refresh_works(refresh_token), "signing out revokes the refresh token"
    assert [c for c in browser.cookies() if c["name"] == COOKIE] == []

    visit.page.goto(stack.console_url)
    visit.submit(username="anna-0344", password="een zin van vier woorden")
    assert visit.page.url.endswith("/console/code")
    visit.check("code")
    visit.submit(code="000000")
    visit.check("code, wrong")
    assert "Deze code klopt niet" in visit.page.inner_text("#code-fout")
    visit.submit(code=fresh_code())
    assert visit.page.url.endswith("/console/start")
    _no_bsn_in(visit.seen)


def _sign_in(visit: Visit, stack: Any, person: dict[str, Any]) -> None:
    visit.page.goto(stack.console_url)
    visit.submit(username=person["username"], password=person["password"])
    visit.submit(code=fresh_code(person["totp_secret"]))
    assert visit.page.url.endswith("/console/start")


def test_a_wrong_password_and_an_unknown_user_read_the_same(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    visit.page.goto(stack.console_url)
    visit.submit(username=stack.people[0]["username"], password="niet-het-wachtwoord")
    visit.check("sign-in, rejected")
    wrong_password = visit.page.inner_text("main")
    visit.submit(username="niemand-die-bestaat", password="niet-het-wachtwoord")
    assert visit.page.inner_text("main") == wrong_password
    visit.submit(username="", password="")
    visit.check("sign-in, fields empty")
    assert visit.page.is_visible("#username-fout") and visit.page.is_visible("#password-fout")


def test_a_session_idle_for_15_minutes_must_sign_in_again(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    regievoerder = next(p for p in stack.people if "regievoerder" in p["roles"])
    _sign_in(visit, stack, regievoerder)
    assert "Matches" in visit.page.inner_text("main")
    clock.advance(timedelta(minutes=14))
    visit.page.reload()
    assert visit.page.url.endswith("/console/start")
    clock.advance(timedelta(minutes=15, seconds=1))
    visit.page.reload()
    assert visit.page.url.endswith("/console/inloggen?melding=verlopen")
    assert "Uw sessie is verlopen" in visit.page.inner_text("main")
    visit.check("session expired")


def test_a_form_without_its_csrf_token_is_refused(stack: Any, clock: MovableClock, browser: Any) -> None:
    visit = Visit(browser.new_page())
    _sign_in(visit, stack, stack.people[1])
    logout = stack.console_url.replace("/inloggen", "/uitloggen")
    for body in ("", "csrf=", "csrf=" + "A" * 43):
        response = visit.page.request.post(
            logout, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, max_redirects=0
        )
        assert response.status == 403
    visit.page.goto(logout.replace("/uitloggen", "/start"))
    assert visit.page.url.endswith("/console/start"), "still signed in"
    response = visit.page.request.post(logout, data="", max_redirects=0)
    assert response.status == 403
    visit.page.set_content("")  # the refusal page, rendered for the check
    visit.page.goto(logout.replace("/uitloggen", "/start"))
    visit.page.evaluate("document.querySelector('input[name=csrf]').value = 'vervalst'")
    visit.page.click("text=Uitloggen")
    visit.page.wait_for_load_state()
    assert "Formulier geweigerd" in visit.page.title()
    visit.check("form refused")


def test_pages_send_the_security_headers_and_a_strict_cookie(stack: Any, browser: Any) -> None:
    page = browser.new_page()
    response = page.goto(stack.console_url)
    headers = response.headers
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert page.evaluate("document.documentElement.lang") == "nl"
    [cookie] = [c for c in browser.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"


def _no_bsn_in(seen: list[str]) -> None:
    assert [text for text in seen if A_BSN_OR_LONGER.search(text)] == []


def test_the_browser_history_holds_no_bsn(stack: Any, clock: MovableClock, browser: Any, tmp_path: Path) -> None:
    visit = Visit(browser.new_page())
    _sign_in(visit, stack, stack.people[2])
    visit.check("landing page of a municipal admin")
    browser.close()
    with sqlite3.connect(tmp_path / "profile" / "Default" / "History") as history:
        rows = history.execute("SELECT url, title FROM urls").fetchall()
    assert rows, "the browser kept a history to check"
    _no_bsn_in([text for row in rows for text in row])


@pytest.fixture(autouse=True)
def _no_bsn_in_the_log(capfd: Any) -> Any:
    yield
    output = capfd.readouterr()
    assert not A_BSN_OR_LONGER.search(re.sub(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,+]+", "", output.out + output.err))


def test_the_shipped_nl_design_system_css_is_that_of_the_pinned_packages() -> None:
    from tests.browser.conftest import ROOT

    static = ROOT / "chalicelib" / "console" / "static"
    packages = ROOT / "node_modules" / "@utrecht"
    assert (static / "utrecht-components.css").read_bytes() == (
        packages / "component-library-css" / "dist" / "index.css"
    ).read_bytes(), "run make console-assets"
    assert (static / "utrecht-theme.css").read_bytes() == (
        packages / "design-tokens" / "dist" / "theme.css"
    ).read_bytes()
