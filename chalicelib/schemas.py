"""The HTTP contract as pydantic models: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from chalicelib.domain import validation
from chalicelib.domain.model import Address, Child, Gender, Professional, SignalStatus
from chalicelib.services.municipality import ChildCorrection
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


# Municipality endpoints ------------------------------------------------------------------------


class SubjectIn(_Strict):
    """Body of ``POST /v1/subjects/access``: the BSN travels only here, never in a URL."""

    bsn: Bsn


class ChildCorrectionIn(_Strict):
    """The child's fields to correct; an address is replaced as a whole."""

    given_names: Text | None = None
    family_name_prefix: ShortText | None = None
    family_name: Text | None = None
    birth_date: IsoDate | None = None
    gender: Gender | None = None
    address: AddressIn | None = None

    @model_validator(mode="after")
    def _something_to_correct(self) -> ChildCorrectionIn:
        if not self.model_fields_set:
            raise ValueError("give at least one field to correct")
        return self


class RectifyIn(_Strict):
    bsn: Bsn
    child: ChildCorrectionIn


class EraseIn(_Strict):
    bsn: Bsn
    reason: Literal["objection", "deceased"]


class FollowUpIn(_Strict):
    status: Literal["contact_made", "no_contact_needed", "open"]
    note_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")] | None = None


class AccessQuery(_Strict):
    format: Literal["json", "html"] = "json"


class MatchesQuery(_Strict):
    since: IsoDate | None = None


class ReportQuery(_Strict):
    period: Annotated[str, StringConstraints(max_length=10)]
    region: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,60}$")] | None = None


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
    kind: Literal["child", "address"]
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
