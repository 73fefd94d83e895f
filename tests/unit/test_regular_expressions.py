"""Every regular expression of the app reads ASCII and the whole value.

In Python ``\\d`` also matches other scripts' digits (full-width digits make a year for ``int()``), ``\\s``
and ``\\w`` are as wide, and ``$`` matches before a trailing newline: checks written with them let
through what they seem to refuse.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
WIDE_CLASSES = re.compile(r"\\[dDsSwW]")


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_regular_expression_uses_unicode_wide_classes_or_a_prefix_match(path: Path) -> None:
    source = path.read_text(encoding="utf-8")

    assert not WIDE_CLASSES.search(source), "use [0-9], [ ] or an explicit class"
    assert ".match(" not in source, "use fullmatch: match() with $ accepts a trailing newline"
