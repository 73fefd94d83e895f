"""The HTTP contract as pydantic models: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from chalicelib.domain import validation
from chalicelib.domain.model import Address, Child, Gender, Professional, SignalStatus
from chalicelib.services.signals import NewSignal


def _bsn(value: str) -> str:
    if not validation.is_valid_bsn(value):
        raise ValueError("not a valid BSN (nine digits passing the eleven-test)")
    return value


def _postcode(value: str) -> str:
    return validation.normalise_postcode(value)


def _email(value: str) -> str:
    if not validation.is_valid_email(value):
        raise ValueError("not a valid e-mail address")
    return value


def _phone(value: str) -> str:
    if not validation.is_valid_phone(value):
        raise ValueError("not a valid phone number")
    return value


def _municipality_code(value: str) -> str:
    if not validation.is_valid_municipality_code(value):
        raise ValueError("a CBS municipality code has four digits")
    return value


def _house_letter(value: str) -> str:
    if not validation.is_valid_house_letter(value):
        raise ValueError("a house letter is a single letter")
    return value


def _house_number_suffix(value: str) -> str:
    if not validation.is_valid_house_number_suffix(value):
        raise ValueError("a house number suffix has one to four letters or digits")
    return value


def _iso_date_text(value: object) -> object:
    # JSON has no date type: only the contract's "YYYY-MM-DD" string, never a number of seconds.
    if not isinstance(value, str):
        raise ValueError("a date is a string YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Bsn = Annotated[str, AfterValidator(_bsn)]
Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_postcode)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_phone)]
MunicipalityCode = Annotated[str, AfterValidator(_municipality_code)]
HouseLetter = Annotated[str, AfterValidator(_house_letter)]
HouseNumberSuffix = Annotated[str, AfterValidator(_house_number_suffix)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(_Strict):
    street: Text
    # Strict: the published schema says integer, so "12" and 12.0 are refused, not coerced.
    house_number: int = Field(ge=1, le=99999, strict=True)
    house_letter: HouseLetter | None = None
    house_number_suffix: HouseNumberSuffix | None = None
    postcode: Postcode
    city: Text
    municipality_code: MunicipalityCode

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
    bsn: Bsn
    given_names: Text
    family_name_prefix: ShortText | None = None
    family_name: Text
    birth_date: IsoDate
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
    case_reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    end_date: IsoDate | None = None
    # Strict: a legal record; "yes", "0" or 1 are refused rather than guessed at.
    family_informed: bool = Field(strict=True)


class CloseIn(_Strict):
    """Body of ``POST /v1/signals/{id}/close``."""

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
    phone: str


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
    kind: Literal["child", "address"]
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
    limit: int = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
