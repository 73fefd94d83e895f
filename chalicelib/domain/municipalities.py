"""The current CBS municipality codes, shipped as data (``chalicelib/data/municipalities.csv``).

The file says where the list comes from, which date it describes and how to refresh it.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


def parse(lines: list[str]) -> dict[str, str]:
    """``{code: name}`` from the data file's lines: comments first, then ``code,name`` CSV."""
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {row["code"]: row["name"] for row in rows}


@cache
def current() -> dict[str, str]:
    """Every current municipality, by its four-digit CBS code."""
    return parse(DATA.read_text(encoding="utf-8").splitlines())


def is_current(code: str) -> bool:
    return code in current()
