"""The contract's field types: patterns as the OpenAPI document publishes them, and the one validation each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue, WithJsonSchema
from pydantic_core import CoreSchema, core_schema

from chalicelib.domain import municipalities, phones, text, validation

# Characters no free text may hold (domain.text): controls, bidirectional controls, line and
# paragraph separators. Lone surrogates are refused too, but no UTF-8 request can carry one.
_REFUSED = r"\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
# The whitespace domain.text collapses, less what it refuses anyway.
_SPACES = r" \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Free text holds no refused character and something besides spaces. That it shows a visible
# character (a letter, digit, punctuation mark or symbol) has no JSON Schema form: regular
# expressions as JSON Schema tools read them know no Unicode categories.
FREE_TEXT_PATTERN = f"^[^{_REFUSED}]*[^{_REFUSED}{_SPACES}][^{_REFUSED}]*$"
# The year 0000 fits "format: date" (RFC 3339) but no calendar Python knows.
DATE_PATTERN = r"^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
BSN_PATTERN = r"^[0-9]{9}$"
# SA, SD and SS are never issued (domain.validation); surrounding spaces are ignored.
POSTCODE_PATTERN = r"^ *[1-9][0-9]{3} ?(?![Ss][AaDdSs])[A-Za-z]{2} *$"
# domain.validation's e-mail rule, written for JSON Schema: no "..". Its limit of 253 characters
# after the @ follows from maxLength 254, and left out keeps the pattern cheap to generate from.
EMAIL_PATTERN = (
    r"^(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# What people write in a phone number, with at least one digit; whether the numbering plan knows
# the number (phonenumbers) has no JSON Schema form.
PHONE_PATTERN = r"^[ ()+-]*[0-9][0-9 ()+-]*$"
PERIOD_PATTERN = r"^2[0-9]{3}(-(Q[1-4]|0[1-9]|1[0-2]))?$"
REGION_PATTERN = r"^[a-z0-9_-]{1,60}$"
# Surrounding spaces are stripped, as from all free text.
NOTE_CODE_PATTERN = f"^[{_SPACES}]*[A-Za-z0-9_.-]+[{_SPACES}]*$"


@dataclass(frozen=True)
class FreeText:
    """A free-text field: the one normalisation of ``domain.text``, then the length limit.

    ``pattern``, when given, makes it a code rather than prose: the value as given must match it
    whole (the published pattern, read the same way here), then it is normalised as prose is.
    """

    max_length: int
    pattern: str | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._validate, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minLength=1, maxLength=self.max_length, pattern=self.pattern or FREE_TEXT_PATTERN)
        return json_schema

    def _validate(self, value: str) -> str:
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            raise ValueError("has a character this code does not allow")
        normalised = text.normalise(value)
        # Both: what the published maxLength promises, and what is stored (NFC can lengthen).
        if len(value) > self.max_length or len(normalised) > self.max_length:
            raise ValueError(f"has more than {self.max_length} characters")
        return normalised


def _bsn(value: str) -> str:
    if not validation.is_valid_bsn(value):
        raise ValueError("not a valid BSN (nine digits passing the eleven-test)")
    return value


def _postcode(value: str) -> str:
    return validation.normalise_postcode(value)


def _email(value: str) -> str:
    if len(value) > 254 or not validation.is_valid_email(value):
        raise ValueError("not a valid e-mail address")
    return value


def _municipality_code(value: str) -> str:
    if not validation.is_valid_municipality_code(value):
        raise ValueError("not the four-digit CBS code of a current municipality")
    return value


def _house_letter(value: str) -> str:
    if not validation.is_valid_house_letter(value):
        raise ValueError("a house letter is a single letter")
    return value


def _house_number_suffix(value: str) -> str:
    if not validation.is_valid_house_number_suffix(value):
        raise ValueError("a house number suffix has one to four letters or digits")
    return value


def _iso_date(value: object) -> object:
    # JSON has no date type: only the contract's "YYYY-MM-DD" string, never a number of seconds.
    if not isinstance(value, str):
        raise ValueError("a date is a string YYYY-MM-DD")
    return validation.parse_iso_date(value)


def _optional_iso_date(value: object) -> object:
    return None if value is None else _iso_date(value)


def _query_number(value: object) -> object:
    # A query value is text; pydantic's lax int would also read " 50", "5_0", "+50" and "50.0".
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value) is None:
        raise ValueError("a whole number written in digits 0-9")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema(DATE_SCHEMA)]
# One schema with "format: date" at the property, where linters look, rather than pydantic's anyOf.
OptionalIsoDate = Annotated[
    date | None,
    BeforeValidator(_optional_iso_date),
    WithJsonSchema({**DATE_SCHEMA, "type": ["string", "null"]}),
]
Text = Annotated[str, FreeText(200)]
ShortText = Annotated[str, FreeText(40)]
Bsn = Annotated[str, AfterValidator(_bsn), WithJsonSchema({"type": "string", "pattern": BSN_PATTERN})]
Postcode = Annotated[
    str,
    StringConstraints(max_length=10),
    AfterValidator(_postcode),
    WithJsonSchema({"type": "string", "maxLength": 10, "pattern": POSTCODE_PATTERN}),
]
Email = Annotated[
    str,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN}),
]
# Stored in E.164; answered through ``phones.display``.
Phone = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(phones.normalise),
    WithJsonSchema({"type": "string", "maxLength": 40, "pattern": PHONE_PATTERN}),
]
MunicipalityCode = Annotated[
    str,
    AfterValidator(_municipality_code),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(municipalities.current()),
            "description": "The four-digit CBS code of a current municipality",
        }
    ),
]
HouseLetter = Annotated[
    str, AfterValidator(_house_letter), WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z]$"})
]
HouseNumberSuffix = Annotated[
    str,
    AfterValidator(_house_number_suffix),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z0-9]{1,4}$"}),
]
QueryNumber = Annotated[int, BeforeValidator(_query_number)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
