"""The local stack in this process, and Debian's Chromium driven by Playwright against it.

The stack runs in-process (not as ``make run`` does, in a process of its own) so a test can move
the clock the console reads: idle timeouts are tested by moving it, never by sleeping. The
environment and the composition root are restored afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.clock import SystemClock
from chalicelib.console import wiring

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class MovableClock:
    """The wall clock plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return SystemClock().now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


# Module scope: the stack sets AWS_ENDPOINT_URL and serialises moto in this process while it runs,
# so it must be gone before other test modules run.
@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    if not CHROMIUM.exists() or not AXE.exists():
        pytest.fail("Chromium or axe-core is missing: run `make browser-deps` (installs chromium as root, npm ci)")
    from scripts.local_stack import LocalStack, Options

    saved = dict(os.environ)
    state_dir = Path(tempfile.mkdtemp(prefix="vwi-browser-"))
    options = Options(
        port=0, emulator_port=0, outbox_port=0, state_file=state_dir / "stack.json", lifecycle_interval=3600
    )
    local = LocalStack(options)
    try:
        yield local.start()
    finally:
        local.stop()  # which also empties the emulator's state, kept in this process by moto
        wiring.use(None)
        bootstrap.use(None)
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def clock(stack: Any) -> Iterator[MovableClock]:
    """The clock of the API's composition root, installed for this test."""
    moving = MovableClock()
    bootstrap.use(bootstrap.Container(clock=moving))
    yield moving
    bootstrap.use(None)


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh profile for every test, so no cookie or history carries over."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
    )
    try:
        yield context
    finally:
        context.close()
