"""The contract as a client meets it: ``make contract`` (its parts: ``make adr``, ``make schemathesis``).

Starts the local stack on free loopback ports and, against the document it serves at
``/v1/openapi.json``:

1. **adr**: lints the document with Spectral and the Logius API Design Rules ruleset
   (``linters/logius-adr.yaml``); any error fails.
2. **schemathesis**: runs every schemathesis check (``--checks all``) and every phase, each
   operation as the caller it is for: the organisations' operations (and the service's) with an
   organisation's token, the municipalities' (and reports) with a municipality's. The budget is
   small and the seed fixed, so a run is repeatable. The only failures allowed are
   ``positive_data_acceptance`` for rules JSON Schema cannot express (:data:`EXPRESSIBLE_ONLY_IN_CODE`):
   each is listed at the end; anything else fails.

Then it stops the stack. Reports land in ``out/contract/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RULESET = PROJECT_DIR / "linters" / "logius-adr.yaml"
SPECTRAL = PROJECT_DIR / "node_modules" / ".bin" / "spectral"
SCHEMATHESIS = Path(sys.executable).with_name("st")
REPORTS = PROJECT_DIR / "out" / "contract"
SEED = 20261202
MAX_EXAMPLES = 5

# Which caller runs which operations (by the document's tags).
CALLERS = {
    "organisation": ("organisations", ("signals", "health", "openapi.json")),
    "municipality": ("municipalities", ("subjects", "matches", "reports")),
}

# Rules the server checks that no JSON Schema can state, by the words of the message it answers
# with (422). A schema-valid request refused for one of these is the only failure allowed.
EXPRESSIBLE_ONLY_IN_CODE = {
    "eleven-test": "a BSN passes the eleven-test",
    "phone number": "a phone number exists in the numbering plan (phonenumbers)",
    "visible character": "free text shows a visible character (Unicode categories)",
    "more than": "free text keeps to its length after NFC normalisation",
    "birth date lies in the future": "dates relative to today: a birth date is not in the future",
    "23 or older": "dates relative to today: the child is under 23",
    "end date lies in the past": "dates relative to today: an end date is not in the past",
    "at most 2 years": "dates relative to today: an end date within 2 years",
    "23rd birthday": "dates relative to today: an end date before the 23rd birthday",
    "Idempotency-Key was already used": "state: an Idempotency-Key reused with another body",
}


class ContractFailure(Exception):
    """The contract does not hold; the message says where."""


def say(*parts: object) -> None:
    """To the terminal, also while the stack's own output goes to its log file."""
    print(*parts, file=sys.__stdout__, flush=True)


@dataclass(frozen=True)
class Stack:
    api_url: str
    tokens: dict[str, str]


@contextmanager
def local_stack() -> Iterator[Stack]:
    """The local stack on free ports, as ``make run`` starts it; stopped on the way out."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    log = REPORTS / "stack.log"
    say(f"starting the local stack (its output: {log.relative_to(PROJECT_DIR)})")
    with (
        tempfile.TemporaryDirectory(prefix="contract-") as scratch,
        log.open("w") as output,
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
    ):
        # Imported here, so the app's log handler writes to the log file too.
        from scripts.local_stack import LocalStack, Options

        options = Options(
            port=0,
            emulator_port=0,
            outbox_port=0,
            state_file=Path(scratch) / "stack.json",
            lifecycle_interval=24 * 3600.0,
        )
        with LocalStack(options) as state:
            yield Stack(
                api_url=state.api_url,
                tokens={
                    "organisations": state.organisations[0]["token"],
                    "municipalities": state.municipalities[0]["token"],
                },
            )


def fetch_document(api_url: str, target: Path) -> Path:
    with urllib.request.urlopen(f"{api_url}/v1/openapi.json", timeout=30) as response:
        target.write_bytes(response.read())
    return target


def adr(document: Path) -> None:
    if not SPECTRAL.exists():
        raise ContractFailure(f"{SPECTRAL.relative_to(PROJECT_DIR)} is missing: run `make node_modules/.installed`")
    started = time.monotonic()
    result = subprocess.run(
        [
            str(SPECTRAL),
            "lint",
            "--ruleset",
            str(RULESET),
            "--format",
            "text",
            "--fail-severity",
            "error",
            str(document),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    say(result.stdout.strip() or result.stderr.strip())
    say(f"adr: Spectral with the Logius ruleset, {time.monotonic() - started:.1f}s")
    if result.returncode != 0:
        raise ContractFailure("the served document breaks the API Design Rules")


@dataclass(frozen=True)
class Finding:
    caller: str
    check: str
    operation: str
    status: int | None
    messages: tuple[str, ...]

    def allowed_because(self) -> str | None:
        """Why this failure is allowed, or ``None`` when it is not."""
        if self.check != "positive_data_acceptance" or self.status != 422 or not self.messages:
            return None
        reasons = set()
        for message in self.messages:
            reason = next((why for words, why in EXPRESSIBLE_ONLY_IN_CODE.items() if words in message), None)
            if reason is None:
                return None
            reasons.add(reason)
        return "; ".join(sorted(reasons))


def _messages(body: dict[str, Any] | None) -> tuple[str, ...]:
    if not body:
        return ()
    raw = base64.b64decode(body["$base64"]) if "$base64" in body else str(body.get("text", "")).encode()
    try:
        problem = json.loads(raw)
    except ValueError:
        return ()
    if not isinstance(problem, dict):
        return ()
    errors = problem.get("errors") or [{"message": problem.get("detail", "")}]
    return tuple(f"{error.get('field', '')}: {error.get('message', '')}" for error in errors)


def findings(report: Path, caller: str) -> list[Finding]:
    """Every failed check in a schemathesis NDJSON report, with the problem the server answered."""
    found = []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind in ("NonFatalError", "FatalError", "Interrupted"):
            if kind in event:
                raise ContractFailure(f"schemathesis as {caller}: {kind} {json.dumps(event[kind])[:2000]}")
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            interaction = recorder.get("interactions", {}).get(case_id) or {}
            response = interaction.get("response") or {}
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                found.append(
                    Finding(
                        caller=caller,
                        check=check["name"],
                        operation=failure.get("operation") or recorder["label"],
                        status=response.get("status_code"),
                        messages=_messages(response.get("content")),
                    )
                )
    return found


def run_schemathesis(
    stack: Stack, document_url: str, caller: str, max_examples: int, seed: int | None
) -> tuple[list[Finding], int]:
    token_key, tags = CALLERS[caller]
    report = REPORTS / f"schemathesis-{caller}.ndjson"
    report.unlink(missing_ok=True)
    command = [
        str(SCHEMATHESIS),
        "run",
        document_url,
        "--url",
        f"{stack.api_url}/v1",
        "--header",
        f"Authorization: Bearer {stack.tokens[token_key]}",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        # One worker: the machine is shared, and schemathesis 4.32's coverage phase is not
        # thread-safe (a KeyError in its cache with two).
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    for tag in tags:
        command += ["--include-tag", tag]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    summary = [line for line in result.stdout.splitlines() if "generated" in line or line.startswith("Seed")]
    say(f"schemathesis as {caller}: {' '.join(s.strip() for s in summary)} ({seconds:.0f}s)")
    if not report.exists():
        say(result.stdout[-4000:], result.stderr[-4000:])
        raise ContractFailure(f"schemathesis as {caller} wrote no report (exit {result.returncode})")
    return findings(report, caller), result.returncode


def schemathesis(stack: Stack, max_examples: int = MAX_EXAMPLES, seed: int | None = SEED) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    document_url = f"{stack.api_url}/v1/openapi.json"
    all_findings: list[Finding] = []
    for caller in CALLERS:
        found, _ = run_schemathesis(stack, document_url, caller, max_examples, seed)
        all_findings += found
    unexpected = [finding for finding in all_findings if finding.allowed_because() is None]
    allowed = Counter(
        (finding.operation, finding.allowed_because()) for finding in all_findings if finding.allowed_because()
    )
    for (operation, reason), count in sorted(allowed.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        say(f"  allowed positive_data_acceptance, {operation}: {reason} ({count}x)")
    for finding in unexpected:
        say(f"  FAILED {finding.check} as {finding.caller}, {finding.operation}: {finding.status} {finding.messages}")
    if unexpected:
        raise ContractFailure(f"{len(unexpected)} schemathesis failures besides the allowed ones; see {REPORTS}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.contract", description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", metavar="adr|schemathesis", help="default: both")
    parser.add_argument(
        "--max-examples", type=int, default=MAX_EXAMPLES, help=f"per operation and phase (default {MAX_EXAMPLES})"
    )
    parser.add_argument(
        "--random", action="store_true", help=f"a new seed each run instead of the fixed {SEED}, for a deeper search"
    )
    arguments = parser.parse_args(argv)
    parts = set(arguments.parts or ["adr", "schemathesis"])
    if parts - {"adr", "schemathesis"}:
        parser.error("the parts are adr and schemathesis")
    if not SCHEMATHESIS.exists() and "schemathesis" in parts:
        print(f"{SCHEMATHESIS} is missing: make venv installs requirements-dev.txt", file=sys.stderr)
        return 1
    started = time.monotonic()
    try:
        with local_stack() as stack:
            REPORTS.mkdir(parents=True, exist_ok=True)
            if "adr" in parts:
                adr(fetch_document(stack.api_url, REPORTS / "openapi.json"))
            if "schemathesis" in parts:
                schemathesis(stack, arguments.max_examples, None if arguments.random else SEED)
    except ContractFailure as exc:
        say(f"contract: FAILED: {exc}")
        return 1
    say(f"contract: holds ({time.monotonic() - started:.0f}s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
