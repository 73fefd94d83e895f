"""Phone numbers: stored in E.164, shown the way a Dutch reader dials them.

Only what people write in a phone number is accepted: ASCII digits, spaces, ``+``, ``-`` and
parentheses. ``phonenumbers`` on its own is lenient on purpose: it turns letters into digits
(``+31 30 FLOWERS``), reads other scripts' digits and skips leading junk (``javascript:+31…``).
"""

from __future__ import annotations

import re

_WRITTEN = re.compile(r"[0-9 ()+-]{1,40}")
NOT_A_PHONE_NUMBER = "not a valid phone number (digits, spaces, +, - and parentheses)"


def normalise(value: str) -> str:
    """The number in E.164 (``+31301234567``); ``ValueError`` when it is no dialable number."""
    import phonenumbers

    if _WRITTEN.fullmatch(value) is None:
        raise ValueError(NOT_A_PHONE_NUMBER)
    try:
        parsed = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(NOT_A_PHONE_NUMBER) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(NOT_A_PHONE_NUMBER)
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def display(stored: str) -> str:
    """A Dutch number as dialled at home (``030 123 4567``), others internationally.

    Signals stored before numbers were normalised hold them as typed; those that no longer parse
    are shown as stored.
    """
    import phonenumbers

    try:
        parsed = phonenumbers.parse(stored, "NL")
    except phonenumbers.NumberParseException:
        return stored
    if not phonenumbers.is_valid_number(parsed):
        return stored
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 31
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, style))
