"""Checks of single values. Messages never repeat the value: it may be personal data."""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")
# SA, SD and SS are never issued as postcode letters in the Netherlands.
_UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_MUNICIPALITY_CODE = re.compile(r"^[0-9]{4}$")
_HOUSE_LETTER = re.compile(r"^[A-Za-z]$")
_HOUSE_NUMBER_SUFFIX = re.compile(r"^[A-Za-z0-9]{1,4}$")


_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """Nine digits, not all zero, passing the eleven-test: weighted 9 down to 2 and the last -1, the
    sum divides by 11."""
    # isascii: str.isdigit() also accepts other scripts' digits, which would hash to another pseudonym.
    if not (len(value) == 9 and value.isascii() and value.isdigit()) or value == "000000000":
        return False
    return sum(weight * int(digit) for weight, digit in zip(_BSN_WEIGHTS, value, strict=True)) % 11 == 0


def normalise_postcode(value: str) -> str:
    """``"3511 ab"`` → ``"3511AB"``; raises ``ValueError`` when it is no Dutch postcode."""
    match = _POSTCODE.match(value)
    if match is None or match.group(2).upper() in _UNUSED_POSTCODE_LETTERS:
        raise ValueError("not a Dutch postcode (1234AB)")
    return f"{match.group(1)}{match.group(2).upper()}"


def is_valid_email(value: str) -> bool:
    # fullmatch, not match: "$" also matches before a trailing newline.
    return _EMAIL.fullmatch(value) is not None and ".." not in value


def is_valid_phone(value: str) -> bool:
    """A dialable Dutch or international number, as ``phonenumbers`` knows them."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


def is_valid_municipality_code(value: str) -> bool:
    return _MUNICIPALITY_CODE.fullmatch(value) is not None


def is_valid_house_letter(value: str) -> bool:
    return _HOUSE_LETTER.fullmatch(value) is not None


def is_valid_house_number_suffix(value: str) -> bool:
    return _HOUSE_NUMBER_SUFFIX.fullmatch(value) is not None
