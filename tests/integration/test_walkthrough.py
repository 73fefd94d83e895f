"""docs/walkthrough.md, run as a reader runs it: every shell block in order, in one bash, against
the local stack of ``make run``; each block's output must be what the page shows (see
``tests.walkthrough`` for how outputs are compared).

The stack runs in its own process on free loopback ports and writes its state file into
``tmp_path``, which the page reads through ``STACK_STATE``; it is stopped when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import walkthrough

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "walkthrough.md"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0
# The page takes about 15 seconds on an idle machine; the limit only stops a hanging block.
RUN_TIMEOUT = 240.0
MARKER = "::walkthrough-step-done::"


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _without_aws_settings() -> dict[str, str]:
    # The stack and the page set their own AWS variables; the test session's must not reach either.
    return {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}


@pytest.fixture
def stack_state(tmp_path: Path) -> Iterator[Path]:
    """A running ``make run`` stack on free ports; yields its state file."""
    state_file = tmp_path / "stack.json"
    log_file = tmp_path / "stack.log"
    command = [sys.executable, "-m", "scripts.local_stack", "--state-file", str(state_file)]
    command += ["--port", "0", "--emulator-port", "0", "--outbox-port", "0", "--brp", "off"]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=_without_aws_settings(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the local stack did not start:\n{log_file.read_text(errors='replace')}")
            time.sleep(0.1)
        yield state_file
    finally:
        _end(process)


def _run_in_one_bash(page_steps: list[walkthrough.Step], state_file: Path) -> str:
    environment = _without_aws_settings() | {
        "STACK_STATE": str(state_file),
        # `python3` on the page is a plain Python 3; the project's own keeps the test self-contained.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
    }
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-s"],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a hanging block's children are stopped with it
    )
    try:
        printed, _ = process.communicate(walkthrough.script(page_steps, MARKER).encode(), timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        printed, _ = process.communicate()
        printed += f"\n(stopped after {RUN_TIMEOUT:.0f}s)".encode()
    return printed.decode(errors="replace")


def _report(step: walkthrough.Step, why: str, printed: str) -> str:
    return (
        f"docs/walkthrough.md line {step.line}: {why}\n"
        f"--- commands\n{step.commands}"
        f"--- the page shows\n{step.expected or '(nothing)'}"
        f"--- printed\n{printed}\n"
    )


def test_the_walkthrough_prints_what_it_shows(stack_state: Path) -> None:
    assert shutil.which("curl"), "the walk-through uses curl"
    page_steps = walkthrough.steps(PAGE.read_text())
    assert len(page_steps) >= 20, "docs/walkthrough.md lost its shell blocks"

    printed = walkthrough.outputs(_run_in_one_bash(page_steps, stack_state), MARKER)

    failures: list[str] = []
    for number, step in enumerate(page_steps):
        if number >= len(printed) - 1:
            failures.append(_report(step, "did not run (an earlier block ended the shell)", printed[-1]))
            break
        why = walkthrough.mismatch(step.expected, printed[number])
        if why is not None:
            failures.append(_report(step, why, printed[number]))
    assert not failures, "\n".join(failures)
    assert not printed[-1].strip(), f"printed after the last block: {printed[-1]}"
