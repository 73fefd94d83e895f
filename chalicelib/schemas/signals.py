"""The organisations' side of the contract: signals in and out, problems, paging."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from chalicelib.domain.model import Address, Child, Gender, Professional, SignalStatus
from chalicelib.schemas.answers import MatchAnswerOut
from chalicelib.schemas.fields import (
    Bsn,
    Email,
    FreeText,
    HouseLetter,
    HouseNumberSuffix,
    IsoDate,
    MunicipalityCode,
    OptionalIsoDate,
    Phone,
    Postcode,
    QueryNumber,
    ShortText,
    Strict,
    Text,
)
from chalicelib.services.signals import NewSignal
from chalicelib.web import CURSOR_PATTERN

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


class AddressIn(Strict):
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


class ChildIn(Strict):
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


class ProfessionalIn(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [PROFESSIONAL_EXAMPLE]})

    name: Text
    function: Text
    email: Email
    phone: Phone

    def to_domain(self) -> Professional:
        return Professional(name=self.name, function=self.function, email=self.email, phone=self.phone)


class SignalIn(Strict):
    """Body of ``POST /v1/signals``."""

    child: ChildIn
    professional: ProfessionalIn
    case_reference: Annotated[str, FreeText(100)] | None = Field(default=None, examples=["JGZ-2026-0042"])
    end_date: OptionalIsoDate = None
    # Strict: a legal record; "yes", "0" or 1 are refused rather than guessed at.
    family_informed: bool = Field(strict=True)


class CloseIn(Strict):
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
    id: str
    kind: Literal["child", "parent", "address"]
    status: Literal["active", "archived"]
    since: datetime
    signal_created_at: datetime
    organisation: MatchedOrganisationOut
    professional: ProfessionalOut
    answer: MatchAnswerOut | None = Field(default=None, description="How this signal's professional answered")
    other_answer: MatchAnswerOut | None = Field(default=None, description="How the other professional answered")


VERIFICATION_DESCRIPTION = (
    "How the child was checked against the population register (BRP); never what the register holds. "
    "`not_checked`: this deployment runs without the register. "
    "`verified`: the BSN exists and the family name and birth date agree with the register. "
    "`pending`: the register could not be reached when the signal arrived; it is checked again "
    "automatically and becomes `verified` or `mismatched`. "
    "`mismatched`: that later check found the BSN, family name or birth date not agreeing with the "
    "register; the professional was mailed once. The signal stays until the organisation closes it "
    "(as `unjustified` for a typing error, then signals again with the right data)."
)


class SignalOut(BaseModel):
    id: str
    status: Literal["active", "archived"]
    verification: Literal["not_checked", "verified", "pending", "mismatched"] = Field(
        description=VERIFICATION_DESCRIPTION
    )
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


class ListQuery(Strict):
    """Query of ``GET /v1/signals``."""

    status: SignalStatus | None = None
    limit: QueryNumber = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(pattern=f"^{CURSOR_PATTERN}$")] | None = None
