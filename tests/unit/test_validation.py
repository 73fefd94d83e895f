"""Checks of single values: BSN, postcode, e-mail, phone and the address parts."""

from __future__ import annotations

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


@pytest.mark.parametrize("value", ["+31 30 123 4567", "030 123 4567", "0612345678", "+32 2 555 12 12"])
def test_dialable_phone_number_is_valid(value: str) -> None:
    assert validation.is_valid_phone(value)


@pytest.mark.parametrize("value", ["12345", "abc", "", "+31 30 123", "+999 123 456 789"])
def test_undialable_phone_number_is_refused(value: str) -> None:
    assert not validation.is_valid_phone(value)


def test_municipality_code_has_exactly_four_digits() -> None:
    assert validation.is_valid_municipality_code("0344")
    for value in ["344", "03444", "03a4", "0344\n", " 0344"]:
        assert not validation.is_valid_municipality_code(value), value


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
