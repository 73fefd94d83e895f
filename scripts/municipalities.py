"""Rewrite ``chalicelib/data/municipalities.csv`` from CBS's yearly table of municipalities.

CBS publishes the municipal division on 1 January of each year ("Gemeentelijke indeling op
1 januari <year>", table "Gemeenten alfabetisch <year>"). Save that table as CSV (comma or
semicolon) and run::

    .venv/bin/python -m scripts.municipalities "Gemeenten alfabetisch 2027.csv" --as-of 2027-01-01

It needs a column ``Gemeentecode`` (``344``, ``0344``) or ``GemeentecodeGM`` (``GM0344``) and a
column ``Gemeentenaam``. Review the diff (abolished and new codes) before committing it.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from chalicelib.domain import municipalities

HEADER = """\
# CBS municipality codes (gemeentecodes) of the Netherlands, in force on {day}: {count} municipalities.
#
# Source: CBS (Statistics Netherlands), "Gemeentelijke indeling op {dutch_day}"
#   (the table "Gemeenten alfabetisch {year}": Gemeentecode, Gemeentenaam).
# Written by `python -m scripts.municipalities` from that table.
#
# Refresh (every year, after CBS publishes the division for 1 January): export the CBS table to
# CSV and run `.venv/bin/python -m scripts.municipalities CBS.csv --as-of YYYY-01-01`; it rewrites
# this file. Codes of abolished municipalities disappear: new signals and corrections can no longer
# use them, stored signals keep theirs.
#
# Format: lines starting with # are comments; then CSV with a header, one municipality a line.
"""
_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
_CODE = re.compile(r"(?:GM)?([0-9]{1,4})")


def read_cbs_table(text: str) -> dict[str, str]:
    """``{code: name}`` from CBS's table as CSV; ``ValueError`` on anything unexpected."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    found: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        fields = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        raw_code = fields.get("GemeentecodeGM") or fields.get("Gemeentecode") or ""
        name = fields.get("Gemeentenaam", "")
        match = _CODE.fullmatch(raw_code)
        if match is None or not name:
            raise ValueError(f"line {number}: no Gemeentecode/GemeentecodeGM and Gemeentenaam")
        code = match.group(1).zfill(4)
        if code in found:
            raise ValueError(f"line {number}: code {code} twice")
        found[code] = name
    if not found:
        raise ValueError("no municipalities in the table")
    return found


def data_file(found: dict[str, str], day: date) -> str:
    """The data file's text: the header, then ``code,name`` in the table's order."""
    out = io.StringIO()
    out.write(
        HEADER.format(
            day=f"{day.day} {day.strftime('%B')} {day.year}",
            dutch_day=f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
            year=day.year,
            count=len(found),
        )
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name"])
    writer.writerows(found.items())
    return out.getvalue()


def changes(before: dict[str, str], after: dict[str, str]) -> Iterable[str]:
    for code in sorted(before.keys() - after.keys()):
        yield f"- {code} {before[code]}"
    for code in sorted(after.keys() - before.keys()):
        yield f"+ {code} {after[code]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.municipalities", description=__doc__)
    parser.add_argument("table", type=Path, help="CBS's table of municipalities, saved as CSV")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="the date it describes")
    parser.add_argument("--output", type=Path, default=municipalities.DATA)
    args = parser.parse_args(argv)
    try:
        found = read_cbs_table(args.table.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        print(f"{args.table}: {exc}", file=sys.stderr)
        return 1
    before = municipalities.parse(args.output.read_text(encoding="utf-8").splitlines()) if args.output.exists() else {}
    args.output.write_text(data_file(found, args.as_of), encoding="utf-8")
    for line in changes(before, found):
        print(line)
    print(f"{len(found)} municipalities written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
