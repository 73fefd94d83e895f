"""Phone numbers: only what people write in one, stored in E.164, shown as dialled at home."""

from __future__ import annotations

import pytest

from chalicelib.domain import phones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+31 30 123 4567", "+31301234567"),
        ("030 123 4567", "+31301234567"),
        ("030-1234567", "+31301234567"),
        ("(030) 123 45 67", "+31301234567"),
        ("0612345678", "+31612345678"),
        ("+32 2 555 12 12", "+3225551212"),
    ],
)
def test_a_dialable_number_is_stored_in_e164(typed: str, stored: str) -> None:
    assert phones.normalise(typed) == stored


@pytest.mark.parametrize(
    "value",
    [
        "+31 30 FLOWERS",  # phonenumbers reads letters as the keypad's digits
        "\uff10\uff13\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17",  # full-width digits
        "\u0660\u0663\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667",  # Arabic-Indic digits
        "javascript:+31301234567",  # phonenumbers skips leading junk
        "tel:+31301234567",
        "030 123 4567 ext. 5",
        "030 123 4567\n",
        "030\r\n1234567",
        "+31\u202e301234567",
        "12345",
        "abc",
        "",
        "+31 30 123",
        "+999 123 456 789",
        "0" * 41,
    ],
)
def test_anything_but_a_dialable_number_in_digits_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ValueError) as raised:
        phones.normalise(value)
    assert value.strip() == "" or value not in str(raised.value)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+31301234567", "030 123 4567"),
        ("+31612345678", "06 12345678"),
        ("+31205550101", "020 555 0101"),
        ("+3225551212", "+32 2 555 12 12"),
        ("+4930123456", "+49 30 123456"),
    ],
)
def test_a_dutch_number_is_shown_national_and_others_international(stored: str, shown: str) -> None:
    assert phones.display(stored) == shown


def test_a_number_stored_before_normalisation_is_shown_cleaned_up_or_as_it_was() -> None:
    assert phones.display("+31 30 123 4567") == "030 123 4567"
    assert phones.display("javascript:+31301234567") == "030 123 4567"
    assert phones.display("call me") == "call me"
