"""The README's picture of the matches page: ``python -m scripts.console_screenshot [PATH]``.

Starts the local stack on free ports, has two demo organisations signal the same (invented)
child through the API, signs in as the demo regievoerder with Debian's Chromium and saves the
matches page as a PNG (default ``docs/images/console-matches.png``). Everything stops afterwards.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scripts.local_stack import LocalStack, Options, http
from scripts.totp import fresh_code

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "docs" / "images" / "console-matches.png"
CHROMIUM = "/usr/bin/chromium"
# An invented child: the number passes the eleven-test and is nobody's.
CHILD = {
    "bsn": "111222333",
    "given_names": "Sanne",
    "family_name": "Vries",
    "family_name_prefix": "de",
    "gender": "V",
    "address": {
        "street": "Dorpsstraat",
        "house_number": 12,
        "postcode": "3511 AB",
        "city": "Utrecht",
        "municipality_code": "0344",
    },
}
PROFESSIONALS = (
    {"name": "P. Jansen", "function": "Jeugdverpleegkundige", "email": "p.jansen@ggd.example.nl"},
    {"name": "K. de Groot", "function": "Buurtwerker", "email": "k.degroot@buurtteam.example.nl"},
)
PHONES = ("030 123 4567", "020 765 4321")


def _signal_twice(state: Any) -> None:
    today = date.today()
    child = {**CHILD, "birth_date": today.replace(year=today.year - 9, day=1).isoformat()}
    for organisation, professional, phone in zip(state.organisations[:2], PROFESSIONALS, PHONES, strict=True):
        body = {
            "child": child,
            "professional": {**professional, "phone": phone},
            "family_informed": True,
            "end_date": (today + timedelta(days=180)).isoformat(),
        }
        status, answer = http("POST", f"{state.api_url}/v1/signals", body, token=organisation["token"])
        if status != 201:
            raise SystemExit(f"signal refused: {status} {answer}")
    token = state.municipalities[0]["token"]
    deadline = time.monotonic() + 30
    while not http("GET", f"{state.api_url}/v1/matches", token=token)[1]["items"]:
        if time.monotonic() > deadline:
            raise SystemExit("no match within 30 seconds")
        time.sleep(0.2)


def _screenshot(state: Any, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    person = next(p for p in state.people if "regievoerder" in p["roles"])
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(state.console_url)
        page.fill("#username", person["username"])
        page.fill("#password", person["password"])
        page.click("main button[type=submit]")
        page.fill("#code", fresh_code(person["totp_secret"]))
        page.click("main button[type=submit]")
        page.goto(state.console_url.replace("/inloggen", "/matches"))
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        browser.close()


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    state_dir = Path(tempfile.mkdtemp(prefix="vwi-screenshot-"))
    options = Options(port=0, emulator_port=0, outbox_port=0, state_file=state_dir / "stack.json")
    try:
        with LocalStack(options) as state:
            _signal_twice(state)
            _screenshot(state, path)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    print(f"{path}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
