"""The Lambda package ships lighter code than the libraries it replaced; these prove the answers stayed.

- The BSN eleven-test is our own, not python-stdnum's (a 3 MB library for nine lines): it must
  agree with stdnum, which is a development dependency only, on every nine-digit value tried.
- ``phonenumberslite`` is ``phonenumbers`` without its geocoding, carrier and time-zone data. On
  20,000 numbers its ``parse``, ``is_valid_number`` and ``format_number`` give what the full
  package of the same release gives: the digest below was recorded from the full package by
  ``python -m benchmarks.phone_numbers``, which compares the two number by number.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from chalicelib.domain import validation
from tests import builders, phone_numbers

# phonenumbers 9.0.42 (the full package) over tests.phone_numbers.sample(): see the module docstring.
FULL_PHONENUMBERS_VERSION = "9.0.42"
FULL_PHONENUMBERS_DIGEST = "2965099255c5a92ce51a5b3d2364a467b325d0262bbfb5953f315e80560f28c6"


def _nine_digit_values() -> list[str]:
    """Values around the edges (leading zeros, all one digit) and random prefixes with every check digit."""
    values = [digit * 9 for digit in "0123456789"]
    values += [f"{n:09d}" for n in (*range(1, 200), *range(999_999_800, 1_000_000_000))]
    rng = random.Random(11)
    for _ in range(20_000):
        prefix = f"{rng.randrange(100_000_000):08d}"
        values += [prefix + check for check in "0123456789"]
    values += [builders.bsn(seed) for seed in range(200)]
    return values


@pytest.mark.slow
def test_the_eleven_test_agrees_with_stdnum_on_200000_values() -> None:
    values = _nine_digit_values()
    disagreeing = [v for v in values if validation.is_valid_bsn(v) != stdnum_bsn.is_valid(v)]
    assert disagreeing == []
    # Both answers occur often enough for the agreement to mean something.
    assert 15_000 < sum(map(validation.is_valid_bsn, values)) < 30_000


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_nine_digits_are_valid_exactly_when_stdnum_says_so(value: str) -> None:
    assert validation.is_valid_bsn(value) == stdnum_bsn.is_valid(value)


@given(st.text(min_size=9, max_size=9))
def test_nine_characters_that_are_not_all_ascii_digits_never_pass(value: str) -> None:
    if not (value.isascii() and value.isdigit()):
        assert not validation.is_valid_bsn(value)


def test_the_package_installed_is_phonenumbers_without_its_geographic_data() -> None:
    from importlib import metadata

    assert metadata.version("phonenumberslite") == FULL_PHONENUMBERS_VERSION, (
        "a new phonenumberslite needs its digest recorded anew: python -m benchmarks.phone_numbers"
    )
    with pytest.raises(ImportError):
        import phonenumbers.geocoder  # noqa: F401


@pytest.mark.slow
def test_phonenumberslite_answers_20000_numbers_as_the_full_package_does() -> None:
    assert phone_numbers.digest(phone_numbers.outcomes(phonenumbers, phone_numbers.sample())) == (
        FULL_PHONENUMBERS_DIGEST
    )
