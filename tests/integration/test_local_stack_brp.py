"""``make run`` with the population register on (its default): the stand-in verifies signals, two
organisations signalling Zoey and Alexander get a family match and their mails in the outbox, and
the stand-in command changes a persona (and refuses when the stack runs without the register), and
the next nightly run follows the move and the death through the stand-in's BRP Update API or, with
``--brp-follow ask``, by asking the stand-in about every child with a signal; and with the stand-in
in an outage a signal is accepted as pending and checked again from the recheck queue."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.local_stack import DEMO_BRP_SIGNAL
from tests.integration.test_local_stack import ROOT, START_TIMEOUT, RunningStack, _call, _command, _end, _environment

MAIL_TIMEOUT = 60.0
RECHECK_WAIT = 3


@pytest.fixture(params=["update-api", "ask"])
def brp_stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RunningStack]:
    """The stack with the stand-in, following moves and deaths one way or the other (``--brp-follow``)."""
    # The nightly jobs every two seconds: a move or death is followed without being asked.
    yield from _started(tmp_path, "--brp-follow", request.param, "--lifecycle-interval", "2")


@pytest.fixture
def recheck_stack(tmp_path: Path) -> Iterator[RunningStack]:
    # Rechecks after RECHECK_WAIT seconds rather than 30, and no nightly run in between.
    yield from _started(tmp_path, "--recheck-wait", str(RECHECK_WAIT), "--lifecycle-interval", "3600")


def _started(tmp_path: Path, *extra: str) -> Iterator[RunningStack]:
    state_file = tmp_path / "state" / "stack.json"
    log_file = tmp_path / "stack.log"
    with log_file.open("wb") as log:
        command = _command(state_file, "--brp", "on", *extra)
        process = subprocess.Popen(command, cwd=ROOT, env=_environment(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the stack did not start:\n{log_file.read_text()}")
            time.sleep(0.1)
        yield RunningStack(process, state_file, log_file, json.loads(state_file.read_text()))
    finally:
        _end(process)


def _mails(outbox_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{outbox_url}/messages.json", timeout=10) as response:
        messages: list[dict[str, Any]] = json.loads(response.read())
    return messages


def _match_mails(outbox_url: str) -> dict[str, str]:
    """The match mails by recipient (the outbox also holds the console's invitations)."""
    found = {}
    for mail in _mails(outbox_url):
        text = json.dumps(mail, ensure_ascii=False)
        if "match" in text.lower() and "Verwijsindex" in text:
            recipients = mail["to"] if isinstance(mail["to"], list) else [mail["to"]]
            found.update({recipient: text for recipient in recipients if "invit" not in text.lower()})
    return {to: text for to, text in found.items() if to in {"zoey@ggd.example.nl", "alex@buurtteam.example.nl"}}


def _recipients(outbox_url: str) -> set[str]:
    found: set[str] = set()
    for mail in _mails(outbox_url):
        found.update(mail["to"] if isinstance(mail["to"], list) else [mail["to"]])
    return found


def _sent(outbox_url: str) -> set[tuple[str, str]]:
    """Each (recipient, subject) the outbox holds."""
    return {
        (recipient, mail["subject"])
        for mail in _mails(outbox_url)
        for recipient in (mail["to"] if isinstance(mail["to"], list) else [mail["to"]])
    }


def _stand_in(state_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scripts.brp_stand_in", "--state-file", str(state_file), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)


def _signal(child: dict[str, Any], email: str) -> dict[str, Any]:
    professional = DEMO_BRP_SIGNAL["professional"] | {"email": email}
    return DEMO_BRP_SIGNAL | {"child": DEMO_BRP_SIGNAL["child"] | child, "professional": professional}


def test_the_family_match_locally_with_mails_and_a_refusal(brp_stack: RunningStack) -> None:
    state = brp_stack.state
    assert state["brp_url"].startswith("http://127.0.0.1:")
    api = state["api_url"]
    first, second = state["organisations"]
    status, _, body = _call("POST", f"{api}/v1/signals", _signal({}, "zoey@ggd.example.nl"), first["token"])
    assert status == 201, body
    zoey_signal = json.loads(body)["id"]
    alexander = {"bsn": "999995832", "given_names": "Alexander", "birth_date": "2009-05-29", "gender": "M"}
    status, _, body = _call(
        "POST", f"{api}/v1/signals", _signal(alexander, "alex@buurtteam.example.nl"), second["token"]
    )
    assert status == 201, body
    refused = _signal({"family_name": "Jansen"}, "x@ggd.example.nl")
    status, _, body = _call("POST", f"{api}/v1/signals", refused, second["token"])
    assert status == 422 and b"child.family_name" in body and b"Braber" not in body

    wanted = {"zoey@ggd.example.nl", "alex@buurtteam.example.nl"}
    deadline = time.monotonic() + MAIL_TIMEOUT
    while not wanted <= set(matched := _match_mails(state["outbox_url"])) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(matched) == wanted, brp_stack.log()
    assert all("zelfde gezin (ouder)" in text for text in matched.values())

    # Alexander moves to Utrecht (0344, whose regievoerder the stack registered); Zoey dies.
    move = ["move", "999995832", "--postcode", "3512JE", "--house-number", "7", "--municipality", "0344"]
    moved = _stand_in(brp_stack.state_file, *move)
    assert moved.returncode == 0, moved.stderr
    assert _stand_in(brp_stack.state_file, "death", "999995807", "--on", "2026-12-01").returncode == 0
    assert _stand_in(brp_stack.state_file, "death", "999999999", "--on", "2026-12-01").returncode == 1
    # The next nightly run (the schedule, through the stand-in's Update API or asking it) follows both.
    # Wait for these very mails: Zoey's professional already had one (the match), and a run may
    # fall between the move and the death, telling of the move a minute before the death.
    told = {
        ("regie@utrecht.example.nl", "Verwijsindex: een kind met meldingen woont nu in uw gemeente"),
        ("alex@buurtteam.example.nl", "Verwijsindex: het kind van uw melding is verhuisd"),
        ("zoey@ggd.example.nl", "Verwijsindex: uw melding is verwijderd"),
    }
    deadline = time.monotonic() + MAIL_TIMEOUT
    while not told <= _sent(state["outbox_url"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert told <= _sent(state["outbox_url"]), brp_stack.log()
    status, _, _ = _call("GET", f"{api}/v1/signals/{zoey_signal}", token=first["token"])
    assert status == 404
    again = _stand_in(brp_stack.state_file, "follow")
    if state["environment"]["BRP_FOLLOW"] == "ask":
        assert again.returncode == 0 and "children planned 1 in 1 chunk(s)" in again.stdout, again.stdout
    else:
        assert again.returncode == 0 and "changed 2," in again.stdout and "mails sent 0" in again.stdout, again.stdout
    assert brp_stack.stop() == 0


def test_the_stand_in_command_refuses_without_a_stand_in(tmp_path: Path) -> None:
    state_file = tmp_path / "stack.json"
    state_file.write_text(json.dumps({"brp_url": ""}))
    done = _stand_in(state_file, "death", "999992077", "--on", "2026-12-01")
    assert done.returncode == 1 and "without the register" in done.stderr
    state_file.write_text(json.dumps({"brp_url": "https://brp.example.nl"}))
    assert _stand_in(state_file, "death", "999992077", "--on", "2026-12-01").returncode == 1


def test_a_signal_accepted_during_an_outage_is_checked_again_by_the_recheck_worker(recheck_stack: RunningStack) -> None:
    state = recheck_stack.state
    api, outbox = state["api_url"], state["outbox_url"]
    assert state["recheck_wait"] == RECHECK_WAIT
    first, second = state["organisations"]
    # Two POSTs (a call and its retry each), then the first recheck's call and its two retries: the
    # register is still down for one recheck, which comes back after the queue's visibility timeout.
    outage = _stand_in(recheck_stack.state_file, "outage", "--status", "503", "--count", "7")
    assert outage.returncode == 0, outage.stderr
    paolo = {"bsn": "999990408", "given_names": "Paolo", "family_name_prefix": "de", "family_name": "Jager"}
    mirik = {"bsn": "999992089", "given_names": "Mirik", "family_name_prefix": "de", "family_name": "Jansen"}
    # Another address than Paolo's as typed (a pending signal matches on it): no match mails here.
    mirik["address"] = DEMO_BRP_SIGNAL["child"]["address"] | {"house_number": 16}
    accepted = []
    for child, born, token, email in (
        (paolo, "2009-01-01", first["token"], "paolo@ggd.example.nl"),
        (mirik, "2010-01-01", second["token"], "mirik@buurtteam.example.nl"),
    ):
        status, _, body = _call("POST", f"{api}/v1/signals", _signal(child | {"birth_date": born}, email), token)
        assert status == 201, body  # never lost to the outage
        accepted.append(json.loads(body)["id"])

    deadline = time.monotonic() + MAIL_TIMEOUT
    while "recheck: {'verified': 1}" not in recheck_stack.log() and time.monotonic() < deadline:
        time.sleep(0.5)
    told = {subject for recipient, subject in _sent(outbox) if recipient == "mirik@buurtteam.example.nl"}
    assert told == {"Verwijsindex: uw melding klopt niet met de BRP"}, recheck_stack.log()
    [mail] = [m for m in _mails(outbox) if m["to"] in ("mirik@buurtteam.example.nl", ["mirik@buurtteam.example.nl"])]
    assert accepted[1] in mail["text"] and "999992089" not in json.dumps(mail) and "Jager" not in json.dumps(mail)
    assert "paolo@ggd.example.nl" not in _recipients(outbox)  # verified: nothing to tell
    log = recheck_stack.log()
    assert "recheck: {'verified': 1}" in log and "recheck: {'mismatched': 1}" in log, log
    assert "recheck: 1 failed, delivered again later" in log, log
    assert recheck_stack.stop() == 0
