"""What the console's browser tests share: a page with axe-core and the leak check, signing in,
and two API signals for the same child that make a match."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from scripts.local_stack import http
from scripts.totp import fresh_code
from tests import builders
from tests.browser.conftest import AXE

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Nine digits or more standing as a number: a BSN, or one that could hide one. Not a run inside a
# word of letters and digits: a random hex id (an API token's, in a URL) may hold nine digits.
A_BSN_OR_LONGER = re.compile(r"(?<![0-9A-Za-z])[0-9]{9,}(?![0-9A-Za-z])")
MATCH_ID = re.compile(r"mt_[0-9a-f]{24}")
# The BSNs the signals of these tests carry (match ids are hex, so a page may hold nine digits).
SIGNALLED: list[str] = []


class Visit:
    """A page in the browser; every URL, title and text it showed is kept for the BSN check."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []
        self.contents: list[str] = []
        page.on("framenavigated", lambda frame: self.seen.append(frame.url))

    def check(self, state: str) -> None:
        """axe-core on the page as it is now: no violation, whatever the state."""
        self.seen.append(self.page.title())
        self.contents.append(self.page.content())
        self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
            WCAG,
        )
        assert violations == [], f"{state}: {violations}"

    def submit(self, button: str = "main button[type=submit]", **fields: str) -> None:
        for name, value in fields.items():
            self.page.fill(f"#{name}", value)
        self.page.click(button)
        self.page.wait_for_load_state()

    def no_bsn_seen(self) -> None:
        """No nine digits in a URL or title (a match's hex id aside); no BSN signalled here in a page."""
        seen = [MATCH_ID.sub("mt_", text) for text in self.seen]
        assert [text for text in seen if A_BSN_OR_LONGER.search(text)] == []
        assert [bsn for bsn in SIGNALLED for html in self.contents if bsn in html] == []


def without_timestamps(log: str) -> str:
    """The log less its times (ISO instants, and the metrics' epoch milliseconds): what is left
    must hold no nine digits in a row."""
    return re.sub(r'[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,+]+|"Timestamp":[0-9]+', "", log)


def sign_in(visit: Visit, stack: Any, role: str, person: dict[str, Any] | None = None) -> dict[str, Any]:
    person = person or next(p for p in stack.people if role in p["roles"])
    visit.page.goto(stack.console_url)
    visit.submit(username=person["username"], password=person["password"])
    visit.submit(code=fresh_code(person["totp_secret"]))
    assert visit.page.url.endswith("/console/start")
    return person


def enrolled(username: str, name: str, roles: frozenset[Any], municipality_code: str | None = None) -> dict[str, Any]:
    """A person invited, with their own password and TOTP enrolled, as ``make run`` seeds them."""
    from chalicelib.console import wiring
    from chalicelib.console.ports import Invitation
    from infra.identity import EMULATOR_TOTP_SECRET

    identity = wiring.console().cognito
    invitation = Invitation(username, f"{username}@example.nl", name, roles, municipality_code)
    identity.invite(invitation, "Tijdelijk-wachtwoord-1")
    password = "een zin van vier woorden"
    challenge = identity.set_new_password(identity.sign_in(username, "Tijdelijk-wachtwoord-1"), password)
    _, challenge = identity.begin_enrolment(challenge)
    identity.finish_enrolment(challenge, fresh_code())
    return {"username": username, "password": password, "totp_secret": EMULATOR_TOTP_SECRET, "roles": list(roles)}


def console_page(stack: Any, name: str) -> str:
    return stack.console_url.replace("/inloggen", f"/{name}")


def make_a_match(stack: Any, seed: int, clock_today: Any) -> str:
    """Two organisations signal the same child through the API; returns the match's id once the
    stream has stored it for the municipality."""
    SIGNALLED.append(builders.bsn(seed))
    child = builders.child(bsn=SIGNALLED[-1], birth_date=builders.birth_date_for_age(9, clock_today))
    end_date = (clock_today + timedelta(days=180)).isoformat()
    ggd, buurtteam = stack.organisations[0], stack.organisations[1]
    municipality = stack.municipalities[0]
    status, _ = http("GET", f"{stack.api_url}/v1/matches", token=municipality["token"])
    assert status == 200
    _, before = http("GET", f"{stack.api_url}/v1/matches", token=municipality["token"])
    known = {item["id"] for item in before["items"]}
    for organisation, name in ((ggd, "P. Jansen"), (buurtteam, "K. de Groot")):
        body = builders.signal_body(
            child=child,
            end_date=end_date,
            professional=builders.professional(name=name, email=f"{name[3:].lower().replace(' ', '')}@example.nl"),
        )
        status, answer = http("POST", f"{stack.api_url}/v1/signals", body, token=organisation["token"])
        assert status == 201, answer
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, now = http("GET", f"{stack.api_url}/v1/matches", token=municipality["token"])
        new = [item["id"] for item in now["items"] if item["id"] not in known]
        if new:
            return str(new[0])
        time.sleep(0.2)
    raise AssertionError("no match within 30 seconds")
