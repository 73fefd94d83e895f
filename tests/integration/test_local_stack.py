"""``make run`` as a developer meets it: the local stack in its own process, on free loopback ports.

The stack writes its URLs and demo tokens to a state file in ``tmp_path`` (never the developer's
``.local/stack.json``) once it answers; every test stops the process, and the fixture kills it if
a test fails half-way, so no process or port outlives the test.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scripts.local_stack import DEMO_SIGNAL
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0
BURST_TIMEOUT = 120.0


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    state_file: Path
    log_file: Path
    state: dict[str, Any]

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a supervisor or ``kill`` sends it; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_TIMEOUT)


def _command(state_file: Path, *extra: str) -> list[str]:
    # The demo signal's child is no BRP persona: these tests run the stack without the register
    # (tests/integration/test_local_stack_brp.py runs it with the stand-in).
    if "--brp" not in extra:
        extra = ("--brp", "off", *extra)
    return [
        sys.executable,
        "-m",
        "scripts.local_stack",
        "--port",
        "0",
        "--emulator-port",
        "0",
        "--outbox-port",
        "0",
        "--state-file",
        str(state_file),
        *extra,
    ]


def _environment() -> dict[str, str]:
    # The stack sets its own AWS variables; drop the test session's so nothing leaks either way.
    return {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[RunningStack]:
    state_file = tmp_path / "state" / "stack.json"
    log_file = tmp_path / "stack.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            _command(state_file), cwd=ROOT, env=_environment(), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not state_file.exists():
            if process.poll() is not None:
                pytest.fail(f"the stack exited with {process.returncode}:\n{log_file.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the stack was not ready after {START_TIMEOUT}s:\n{log_file.read_text()}")
            time.sleep(0.1)
        yield RunningStack(process, state_file, log_file, json.loads(state_file.read_text()))
    finally:
        _end(process)


def _call(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _expected_inform(birth_date: str) -> list[str]:
    born, today = date.fromisoformat(birth_date), datetime.now(UTC).date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < 12:
        return ["parents"]
    return ["parents", "child"] if age < 16 else ["child"]


def _assert_state_describes_a_loopback_stack_with_demo_clients(stack: RunningStack) -> None:
    state = stack.state
    assert state["api_url"].startswith("http://127.0.0.1:")
    assert state["emulator_url"].startswith("http://127.0.0.1:")
    assert state["stage"] == "local"
    assert state["pid"] == stack.process.pid
    assert stack.state_file.stat().st_mode & 0o077 == 0, "the state file holds tokens: owner only"
    organisations = state["organisations"]
    assert [(o["name"], o["sector"], o["region"]) for o in organisations] == [
        ("GGD Regio Utrecht", "jgz", "utrecht"),
        ("Buurtteam Amsterdam-Oost", "wijkteam", "amsterdam"),
    ]
    assert all(o["token"] and o["id"].startswith("org_") for o in organisations)
    [municipality] = state["municipalities"]
    assert (municipality["code"], municipality["region"], municipality["regievoerder_email"]) == (
        "0344",
        "utrecht",
        "regie@utrecht.example.nl",
    )
    assert municipality["token"]
    assert len(state["excluded_addresses"]) == 1


def test_demo_token_creates_a_signal_and_sigterm_leaves_nothing_behind(stack: RunningStack) -> None:
    _assert_state_describes_a_loopback_stack_with_demo_clients(stack)
    api = stack.state["api_url"]
    first, second = stack.state["organisations"]

    status, _, body = _call("GET", f"{api}/v1/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    status, _, _ = _call("POST", f"{api}/v1/signals", DEMO_SIGNAL)
    assert status == 401
    status, headers, _ = _call("POST", f"{api}/v1/signals", DEMO_SIGNAL, "vwi_unknown_token")
    assert status == 401
    assert headers["Content-Type"].startswith("application/problem+json")

    status, headers, body = _call("POST", f"{api}/v1/signals", DEMO_SIGNAL, first["token"])
    assert status == 201, body
    assert headers["Content-Type"].startswith("application/json")
    assert DEMO_SIGNAL["child"]["bsn"].encode() not in body
    signal_out = json.loads(body)
    assert headers["Location"] == f"/v1/signals/{signal_out['id']}"
    assert set(signal_out) >= {
        "id",
        "status",
        "created_at",
        "active_until",
        "delete_after",
        "family_informed",
        "inform",
        "case_reference",
        "organisation",
        "professional",
        "child",
        "matches",
    }
    assert signal_out["status"] == "active"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", signal_out["created_at"])
    assert date.fromisoformat(signal_out["active_until"]) < date.fromisoformat(signal_out["delete_after"])
    assert signal_out["family_informed"] is True
    assert signal_out["inform"] == _expected_inform(DEMO_SIGNAL["child"]["birth_date"])
    assert signal_out["case_reference"] == DEMO_SIGNAL["case_reference"]
    assert signal_out["organisation"] == {key: first[key] for key in ("id", "name", "sector", "region")}
    # Stored in E.164, answered as dialled in the Netherlands.
    assert signal_out["professional"] == DEMO_SIGNAL["professional"] | {"phone": "030 123 4567"}
    assert "bsn" not in signal_out["child"]
    assert signal_out["child"]["family_name"] == "Vries"
    assert isinstance(signal_out["matches"], list)

    status, _, body = _call("GET", f"{api}/v1/signals/{signal_out['id']}", token=first["token"])
    assert status == 200
    assert json.loads(body)["id"] == signal_out["id"]
    status, _, _ = _call("GET", f"{api}/v1/signals/{signal_out['id']}", token=second["token"])
    assert status == 404, "another organisation's signal answers 404"
    status, _, _ = _call("POST", f"{api}/v1/signals", DEMO_SIGNAL, first["token"])
    assert status == 409

    assert stack.stop() == 0, stack.log()
    assert not stack.state_file.exists(), "the state file describes a running stack only"
    for url in (stack.state["api_url"], stack.state["emulator_url"]):
        assert not _listening(_port_of(url)), f"{url} still listening"
    log = stack.log()
    assert first["token"] in log, "the demo tokens are printed"
    assert "curl -s -X POST" in log
    assert "Stopped." in log


def test_check_mode_starts_calls_and_stops(tmp_path: Path) -> None:
    state_file = tmp_path / "stack.json"
    process = subprocess.Popen(
        _command(state_file, "--check"), cwd=ROOT, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output, _ = process.communicate(timeout=START_TIMEOUT)
    finally:
        _end(process)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    assert "check passed" in text
    assert not state_file.exists()


def _signal_for(seed: int) -> dict[str, Any]:
    body = copy.deepcopy(DEMO_SIGNAL)
    body["child"]["bsn"] = builders.bsn(seed)
    body["child"]["address"]["house_number"] = seed
    return body


def _burst(api: str, requests: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, bytes] | OSError]:
    """All requests at once, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[tuple[int, bytes] | OSError | None] = [None] * len(requests)

    def post(slot: int) -> None:
        token, body = requests[slot]
        request = urllib.request.Request(
            f"{api}/v1/signals",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        barrier.wait(BURST_TIMEOUT)
        try:
            with urllib.request.urlopen(request, timeout=BURST_TIMEOUT) as response:
                outcomes[slot] = (response.status, response.read())
        except urllib.error.HTTPError as error:
            outcomes[slot] = (error.code, error.read())
        except OSError as error:  # a reset or refused connection: what the test is about
            outcomes[slot] = error

    threads = [threading.Thread(target=post, args=(slot,)) for slot in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BURST_TIMEOUT)
    assert all(outcome is not None for outcome in outcomes), "a request did not finish"
    return [outcome for outcome in outcomes if outcome is not None]


def _scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        response = dynamodb.scan(**kwargs)
        found.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def test_a_burst_of_parallel_signals_loses_nothing_and_breaks_no_rule(stack: RunningStack) -> None:
    """20 clients at once: the same child from both demo organisations, several times each, and
    distinct children. Every request is answered, exactly one signal per organisation and child is
    created, and every acknowledged signal is stored with its log line."""
    import boto3

    api = stack.state["api_url"]
    first, second = stack.state["organisations"]
    shared_child = [(organisation["token"], _signal_for(1)) for organisation in (first, second) for _ in range(4)]
    distinct = [((first, second)[seed % 2]["token"], _signal_for(seed)) for seed in range(100, 112)]
    requests = shared_child + distinct

    outcomes = _burst(api, requests)

    assert [o for o in outcomes if isinstance(o, OSError)] == [], "every client is served, none reset"
    answered = [o for o in outcomes if not isinstance(o, OSError)]
    assert Counter(status for status, _ in answered) == {201: 2 + len(distinct), 409: 6}, answered
    created: dict[str, str] = {}  # signal id: the token of the organisation that made it
    for (token, _), outcome in zip(requests, answered, strict=True):
        if outcome[0] == 201:
            created[json.loads(outcome[1])["id"]] = token
    for signal_id, token in created.items():
        status, _, _ = _call("GET", f"{api}/v1/signals/{signal_id}", token=token)
        assert status == 200, f"acknowledged signal {signal_id} answers {status}"

    environment = stack.state["environment"]
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.state["emulator_url"],
        region_name=stack.state["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    signals = [i for i in _scan(dynamodb, environment["SIGNALS_TABLE"]) if i.get("item_type") == {"S": "signal"}]
    assert {i["signal_id"]["S"] for i in signals} == set(created)
    active = Counter((i["pk"]["S"], i["org_id"]["S"]) for i in signals if "archived_on" not in i)
    assert max(active.values()) == 1, "at most one active signal per organisation and child"
    logged = Counter(
        i["signal_id"]["S"]
        for i in _scan(dynamodb, environment["LOGBOOK_TABLE"])
        if i["action"]["S"] == "signal.created"
    )
    assert logged == dict.fromkeys(created, 1), "every created signal has exactly one log line"
    assert stack.stop() == 0, stack.log()
