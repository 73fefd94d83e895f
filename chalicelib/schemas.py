"""The HTTP contract as pydantic models: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, WithJsonSchema
from pydantic_core import CoreSchema, core_schema

from chalicelib.domain import municipalities, phones, text, validation
from chalicelib.domain.model import Address, Child, Gender, Professional, SignalStatus
from chalicelib.services.signals import NewSignal
from chalicelib.services.subjects import ChildCorrection
from chalicelib.web import CURSOR_PATTERN

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Examples in the document: valid requests (the BSN passes the eleven-test; the child is 12 in 2026).
# A signal's are given per field: the Logius ruleset reads a "postcode" key in an example body as an
# HTTP method ("post") that answers no 400.
EXAMPLE_BSN = "111222333"
PROFESSIONAL_EXAMPLE: dict[str, Any] = {
    "name": "P. Jansen",
    "function": "Jeugdverpleegkundige",
    "email": "p.jansen@ggd.example.nl",
    "phone": "+31 30 123 4567",
}


class AddressIn(_Strict):
    street: Text = Field(examples=["Dorpsstraat"])
    # Strict: the published schema says integer, so "12" and 12.0 are refused, not coerced.
    house_number: int = Field(ge=1, le=99999, strict=True, examples=[12])
    house_letter: HouseLetter | None = None
    house_number_suffix: HouseNumberSuffix | None = None
    postcode: Postcode = Field(examples=["3511 AB"])
    city: Text = Field(examples=["Utrecht"])
    municipality_code: MunicipalityCode = Field(examples=["0344"])

    def to_domain(self) -> Address:
        return Address(
            street=self.street,
            house_number=self.house_number,
            house_letter=self.house_letter,
            house_number_suffix=self.house_number_suffix,
            postcode=self.postcode,
            city=self.city,
            municipality_code=self.municipality_code,
        )


class ChildIn(_Strict):
    bsn: Bsn = Field(examples=[EXAMPLE_BSN])
    given_names: Text = Field(examples=["Sanne"])
    family_name_prefix: ShortText | None = None
    family_name: Text = Field(examples=["Vries"])
    birth_date: IsoDate = Field(examples=["2014-05-01"])
    gender: Gender
    address: AddressIn

    def to_domain(self) -> Child:
        return Child(
            given_names=self.given_names,
            family_name_prefix=self.family_name_prefix,
            family_name=self.family_name,
            birth_date=self.birth_date,
            gender=self.gender,
            address=self.address.to_domain(),
        )


class ProfessionalIn(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [PROFESSIONAL_EXAMPLE]})

    name: Text
    function: Text
    email: Email
    phone: Phone

    def to_domain(self) -> Professional:
        return Professional(name=self.name, function=self.function, email=self.email, phone=self.phone)


class SignalIn(_Strict):
    """Body of ``POST /v1/signals``."""

    child: ChildIn
    professional: ProfessionalIn
    case_reference: Annotated[str, FreeText(100)] | None = Field(default=None, examples=["JGZ-2026-0042"])
    end_date: OptionalIsoDate = None
    # Strict: a legal record; "yes", "0" or 1 are refused rather than guessed at.
    family_informed: bool = Field(strict=True)


class CloseIn(_Strict):
    """Body of ``POST /v1/signals/{id}/close``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"reason": "risk_resolved"}]}
    )

    reason: Literal["risk_resolved", "unjustified"]


class AddressOut(BaseModel):
    street: str
    house_number: int
    house_letter: str | None = None
    house_number_suffix: str | None = None
    postcode: str
    city: str
    municipality_code: str


class ChildOut(BaseModel):
    """The child as stored: never with a BSN."""

    given_names: str
    family_name_prefix: str | None = None
    family_name: str
    birth_date: date
    gender: Gender
    address: AddressOut


class ProfessionalOut(BaseModel):
    name: str
    function: str
    email: str
    phone: str = Field(
        description="A Dutch number as dialled in the Netherlands (030 123 4567), others as +32 2 555 12 12"
    )


class OrganisationOut(BaseModel):
    id: str
    name: str
    sector: str
    region: str


class MatchedOrganisationOut(BaseModel):
    name: str
    sector: str
    region: str


class MatchOut(BaseModel):
    kind: Literal["child", "parent", "address"]
    status: Literal["active", "archived"]
    since: datetime
    signal_created_at: datetime
    organisation: MatchedOrganisationOut
    professional: ProfessionalOut


class SignalOut(BaseModel):
    id: str
    status: Literal["active", "archived"]
    created_at: datetime
    active_until: date
    delete_after: date
    family_informed: bool
    inform: list[Literal["parents", "child"]]
    case_reference: str | None = None
    organisation: OrganisationOut
    professional: ProfessionalOut
    child: ChildOut
    matches: list[MatchOut] = []


class SignalPage(BaseModel):
    items: list[SignalOut]
    next_cursor: str | None = None


class DeletedOut(BaseModel):
    id: str
    status: Literal["deleted"]


class HealthOut(BaseModel):
    status: Literal["ok"]


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    signal_id: str | None = None


def new_signal(body: SignalIn) -> NewSignal:
    """The validated body as the service's command; the BSN goes no further than the service."""
    return NewSignal(
        bsn=body.child.bsn,
        child=body.child.to_domain(),
        professional=body.professional.to_domain(),
        family_informed=body.family_informed,
        case_reference=body.case_reference,
        end_date=body.end_date,
        body_fingerprint_source=body.model_dump(mode="json"),
    )


class ListQuery(_Strict):
    """Query of ``GET /v1/signals``."""

    status: SignalStatus | None = None
    limit: QueryNumber = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(pattern=f"^{CURSOR_PATTERN}$")] | None = None


# Municipality endpoints ------------------------------------------------------------------------


class SubjectIn(_Strict):
    """Body of ``POST /v1/subjects/access``: the BSN travels only here, never in a URL."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN}]})

    bsn: Bsn


class ChildCorrectionIn(_Strict):
    """The child's fields to correct; an address is replaced as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"minProperties": 1})

    given_names: Text | None = None
    family_name_prefix: ShortText | None = None
    family_name: Text | None = None
    birth_date: OptionalIsoDate = None
    gender: Gender | None = None
    address: AddressIn | None = None

    @model_validator(mode="after")
    def _something_to_correct(self) -> ChildCorrectionIn:
        if not self.model_fields_set:
            raise ValueError("give at least one field to correct")
        return self


class RectifyIn(_Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN, "child": {"family_name": "Jansen"}}]},
    )

    bsn: Bsn
    child: ChildCorrectionIn


class EraseIn(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN, "reason": "objection"}]}
    )

    bsn: Bsn
    reason: Literal["objection", "deceased"]


class FollowUpIn(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"status": "contact_made", "note_code": "TEL"}]}
    )

    status: Literal["contact_made", "no_contact_needed", "open"]
    note_code: Annotated[str, FreeText(40, pattern=NOTE_CODE_PATTERN)] | None = None


class AccessQuery(_Strict):
    format: Literal["json", "html"] = "json"


class MatchesQuery(_Strict):
    since: OptionalIsoDate = None


class ReportQuery(_Strict):
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
    region: Annotated[str, StringConstraints(pattern=REGION_PATTERN)] | None = None


class LogEntryOut(BaseModel):
    at: datetime
    action: str
    client_id: str
    organisation_id: str | None = None
    municipality_code: str | None = None
    signal_id: str | None = None
    detail: str | None = None


class SubjectSignalOut(SignalOut):
    """A signal in a family's access request, with the e-mails it caused."""

    notifications: list[LogEntryOut] = []


class SubjectAccessOut(BaseModel):
    child: ChildOut
    signals: list[SubjectSignalOut]
    logbook: list[LogEntryOut]


class RectifiedOut(BaseModel):
    child: ChildOut
    signals_updated: int
    new_municipality_notified: bool


class ErasedOut(BaseModel):
    status: Literal["erased"]
    signals_erased: int
    professionals_notified: int


class MatchPartyOut(BaseModel):
    signal_created_at: datetime
    organisation: MatchedOrganisationOut
    professional: ProfessionalOut


class MunicipalMatchOut(BaseModel):
    id: str
    kind: Literal["child", "parent", "address"]
    since: datetime
    follow_up: Literal["open", "contact_made", "no_contact_needed"]
    follow_up_at: datetime | None = None
    note_code: str | None = None
    reminder_sent: bool
    parties: list[MatchPartyOut]


class MatchesOut(BaseModel):
    items: list[MunicipalMatchOut]


def child_correction(body: ChildCorrectionIn) -> ChildCorrection:
    return ChildCorrection(
        given_names=body.given_names,
        family_name_prefix=body.family_name_prefix,
        family_name=body.family_name,
        birth_date=body.birth_date,
        gender=body.gender,
        address=body.address.to_domain() if body.address else None,
        clear_family_name_prefix="family_name_prefix" in body.model_fields_set and body.family_name_prefix is None,
    )


# Reports: every count under 5 is "<5"; a share that would reveal one is null --------------------

Count = Annotated[int, Field(ge=5)] | Literal["<5"]
Share = Annotated[float, Field(ge=0, le=1)] | None


class _Exact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MunicipalityScope(_Exact):
    municipality: str


class RegionScope(_Exact):
    region: str


class CountryScope(_Exact):
    country: Literal["NL"]


class SignalCounts(_Exact):
    total: Count
    by_sector: dict[str, Count]


class FamiliesInformed(_Exact):
    count: Count
    share: Share


class MatchCounts(_Exact):
    total: Count
    by_kind: dict[Literal["child", "parent", "address"], Count]


class FollowUpCounts(_Exact):
    followed_up: Count
    rate: Share


class ReportOut(_Exact):
    period: str
    scope: MunicipalityScope | RegionScope | CountryScope
    signals: SignalCounts
    families_informed: FamiliesInformed
    matches: MatchCounts
    follow_up: FollowUpCounts
