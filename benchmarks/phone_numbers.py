"""``phonenumberslite`` against the full ``phonenumbers``, number by number, on 20,000 numbers.

The Lambda package ships the lite build (no geocoding, carrier or time-zone data). This downloads
the full build of the same release (or ``--against VERSION``) from PyPI into a temporary folder,
runs ``parse``, ``is_valid_number`` and ``format_number`` of both over ``tests.phone_numbers``'
sample and prints every difference. The digest it prints for the full build is the one
``tests/unit/test_replaced_dependencies.py`` checks the installed lite build against.

Run: ``.venv/bin/python -m benchmarks.phone_numbers [--against VERSION]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from importlib import metadata
from pathlib import Path

import phonenumbers

from tests import phone_numbers

ROOT = Path(__file__).resolve().parent.parent
_FULL = """
import json, sys
sys.path[0:0] = [sys.argv[1], sys.argv[2]]
import phonenumbers
from tests import phone_numbers
assert phonenumbers.__file__.startswith(sys.argv[1]), phonenumbers.__file__
print(json.dumps([phonenumbers.__version__, list(phone_numbers.outcomes(phonenumbers, phone_numbers.sample()))]))
"""


def full_outcomes(version: str) -> tuple[str, list[str]]:
    with tempfile.TemporaryDirectory(prefix="phonenumbers-") as scratch:
        download = ["download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", scratch]
        subprocess.run([sys.executable, "-m", "pip", *download, f"phonenumbers=={version}"], check=True)
        [wheel] = Path(scratch).glob("phonenumbers-*.whl")
        unpacked = Path(scratch) / "full"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked)
        output = subprocess.run(
            [sys.executable, "-I", "-c", _FULL, str(unpacked), str(ROOT)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    found, lines = json.loads(output)
    return found, lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phone_numbers", description=__doc__.splitlines()[0])
    lite_version = metadata.version("phonenumberslite")
    parser.add_argument("--against", default=lite_version, help=f"the full release to compare (default {lite_version})")
    arguments = parser.parse_args(argv)
    lite = list(phone_numbers.outcomes(phonenumbers, phone_numbers.sample()))
    full_version, full = full_outcomes(arguments.against)
    differing = [(a, b) for a, b in zip(full, lite, strict=True) if a != b]
    print(f"{len(lite)} numbers: phonenumberslite {lite_version} against phonenumbers {full_version}")
    valid = sum(" True [" in line for line in lite)
    errors = sum(" error " in line for line in lite)
    print(f"  lite: {valid} valid, {len(lite) - valid - errors} invalid, {errors} not parsed")
    print(f"  digest lite {phone_numbers.digest(iter(lite))}")
    print(f"  digest full {phone_numbers.digest(iter(full))}")
    by_country: Counter[str] = Counter(full_line.split("' ", 1)[1].split()[0] for full_line, _ in differing)
    for full_line, lite_line in differing[:10]:
        print(f"  full: {full_line}\n  lite: {lite_line}")
    validity = sum((" True [" in a) != (" True [" in b) for a, b in differing)
    print(
        f"identical results for {len(lite) - len(differing)} of {len(lite)} numbers; {len(differing)} differ "
        f"({validity} in validity), by country code: {dict(by_country) or 'none'}"
    )


if __name__ == "__main__":
    main()
