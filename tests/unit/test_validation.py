"""Checks of single values: BSN, postcode, e-mail, dates, municipality code and the address parts."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import validation
from tests import builders


@pytest.mark.parametrize("value", ["111222333", "123456782", "012345672", builders.bsn(1), builders.bsn(42)])
def test_bsn_passing_the_eleven_test_is_valid(value: str) -> None:
    assert validation.is_valid_bsn(value)


@pytest.mark.parametrize("value", ["111222334", "123456781", "999999999", "000000000"])
def test_bsn_failing_the_eleven_test_is_refused(value: str) -> None:
    assert not validation.is_valid_bsn(value)


@pytest.mark.parametrize("value", ["11122233", "1112223330", "", "12345672"])
def test_bsn_of_the_wrong_length_is_refused(value: str) -> None:
    assert not validation.is_valid_bsn(value)


@pytest.mark.parametrize(
    "value",
    [
        "11122233a",
        "1112.22.333",
        "111 222 333",
        " 111222333",
        "111-22-333",
        "+11222333",
        # Full-width digits are digits to str.isdigit(); hashed, they would give the same child a
        # second pseudonym.
        "\uff11\uff11\uff11\uff12\uff12\uff12\uff13\uff13\uff13",
    ],
)
def test_bsn_with_anything_but_nine_ascii_digits_is_refused(value: str) -> None:
    assert not validation.is_valid_bsn(value)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("3511AB", "3511AB"),
        ("3511 AB", "3511AB"),
        ("3511ab", "3511AB"),
        ("3511 aB", "3511AB"),
        (" 1012 jk ", "1012JK"),
        ("9999ZZ", "9999ZZ"),
    ],
)
def test_postcode_is_normalised_to_four_digits_and_two_capitals(given: str, normalised: str) -> None:
    assert validation.normalise_postcode(given) == normalised


@pytest.mark.parametrize(
    "value",
    [
        "0123AB",
        "351AB",
        "35111AB",
        "3511A",
        "3511ABC",
        "3511-AB",
        "3511  AB",
        "AB3511",
        "",
        "3511 SA",
        "3511sd",
        "3511SS",
        "3511\nAB",
        "3511AB\n",
        "\t3511AB",
        "3511\u00a0AB",
        "\uff13\uff15\uff11\uff11AB",
        "\u0663\u0665\u0661\u0661AB",
    ],
)
def test_invalid_postcode_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ValueError, match="not a Dutch postcode") as raised:
        validation.normalise_postcode(value)
    assert value.strip() == "" or value not in str(raised.value)


@pytest.mark.parametrize("value", ["p.jansen@ggd.example.nl", "a+b@example.com", "x@sub.domain.example.org"])
def test_ordinary_email_address_is_valid(value: str) -> None:
    assert validation.is_valid_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "p.jansen",
        "@example.nl",
        "p.jansen@",
        "p.jansen@example",
        "p..jansen@example.nl",
        "p jansen@example.nl",
        "p.jansen@exa_mple.nl",
        "p.jansen@example.nl\n",
        "p.jansen@example.nl\nBcc: x@example.nl",
        "a" * 65 + "@example.nl",
    ],
)
def test_malformed_email_address_is_refused(value: str) -> None:
    assert not validation.is_valid_email(value)


def test_municipality_code_has_exactly_four_digits() -> None:
    assert validation.is_valid_municipality_code("0344")
    for value in ["344", "03444", "03a4", "0344\n", " 0344", "\uff10\uff13\uff14\uff14"]:
        assert not validation.is_valid_municipality_code(value), value


@pytest.mark.parametrize("value", ["0000", "9999", "0457", "0501", "1234"])
def test_four_digits_that_name_no_current_municipality_are_refused(value: str) -> None:
    assert not validation.is_valid_municipality_code(value)


@pytest.mark.parametrize("value", ["0344", "0363", "0355", "0014", "0345", "1992", "0518"])
def test_codes_of_current_municipalities_are_valid(value: str) -> None:
    assert validation.is_valid_municipality_code(value)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("2014-05-01", date(2014, 5, 1)), ("2024-02-29", date(2024, 2, 29)), ("0001-01-01", date(1, 1, 1))],
)
def test_a_date_is_read_from_yyyy_mm_dd(value: str, parsed: date) -> None:
    assert validation.parse_iso_date(value) == parsed


@pytest.mark.parametrize(
    "value",
    [
        "1398902400",  # seconds since 1970
        "1398902400000",
        "2014-05-01T00:00:00",
        "2014-05-01T00:00:00Z",
        "2014-05-01 00:00",
        "20140501",  # date.fromisoformat takes these two
        "2014-W18-4",
        "2014-5-1",
        " 2014-05-01",
        "2014-05-01\n",
        "\uff12\uff10\uff11\uff14-05-01",
        "2014-02-30",
        "2014-13-01",
        "0000-01-01",
        "",
    ],
)
def test_anything_but_a_calendar_date_yyyy_mm_dd_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ValueError) as raised:
        validation.parse_iso_date(value)
    assert value.strip() == "" or value not in str(raised.value)


def test_house_letter_is_one_letter() -> None:
    assert validation.is_valid_house_letter("a")
    assert validation.is_valid_house_letter("B")
    for value in ["", "ab", "1", "a\n"]:
        assert not validation.is_valid_house_letter(value), value


def test_house_number_suffix_has_one_to_four_letters_or_digits() -> None:
    for value in ["bis", "2", "A1", "hs12"]:
        assert validation.is_valid_house_number_suffix(value), value
    for value in ["", "12345", "b-s", "bis\n"]:
        assert not validation.is_valid_house_number_suffix(value), value
