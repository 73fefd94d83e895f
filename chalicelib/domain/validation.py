"""Checks of single values. Messages never repeat the value: it may be personal data."""

from __future__ import annotations

import re
from datetime import date

from chalicelib.domain import municipalities

# Only ASCII digits and one optional space: surrounding spaces are stripped first.
_POSTCODE = re.compile(r"([1-9][0-9]{3}) ?([A-Za-z]{2})")
# SA, SD and SS are never issued as postcode letters in the Netherlands.
_UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}\Z)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")
_HOUSE_LETTER = re.compile(r"[A-Za-z]")
_HOUSE_NUMBER_SUFFIX = re.compile(r"[A-Za-z0-9]{1,4}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    match = _POSTCODE.fullmatch(value.strip(" "))
    if match is None or match.group(2).upper() in _UNUSED_POSTCODE_LETTERS:
        raise ValueError("not a Dutch postcode (1234AB)")
    return f"{match.group(1)}{match.group(2).upper()}"


def is_valid_email(value: str) -> bool:
    # fullmatch, not match: "$" also matches before a trailing newline.
    return _EMAIL.fullmatch(value) is not None and ".." not in value


def is_valid_municipality_code(value: str) -> bool:
    """Four digits naming a current municipality (the CBS list in ``chalicelib/data``)."""
    return _MUNICIPALITY_CODE.fullmatch(value) is not None and municipalities.is_current(value)


def is_valid_house_letter(value: str) -> bool:
    return _HOUSE_LETTER.fullmatch(value) is not None


def is_valid_house_number_suffix(value: str) -> bool:
    return _HOUSE_NUMBER_SUFFIX.fullmatch(value) is not None


def parse_iso_date(value: str) -> date:
    """Exactly ``YYYY-MM-DD``: no timestamps, times, week dates or other scripts' digits.

    ``date.fromisoformat`` alone also takes ``20140501`` and ``2014-W18-4``; pydantic's lax dates
    take ``"1398902400"`` as seconds since 1970.
    """
    if _ISO_DATE.fullmatch(value) is None:
        raise ValueError("a date is written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date in the calendar") from None
