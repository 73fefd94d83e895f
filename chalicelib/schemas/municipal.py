"""The municipalities' side of the contract: the family's rights and the follow-up of matches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from chalicelib.domain.model import Gender
from chalicelib.schemas.answers import MatchAnswerOut
from chalicelib.schemas.fields import (
    PERIOD_PATTERN,
    REGION_PATTERN,
    Bsn,
    NoteCode,
    OptionalIsoDate,
    ShortText,
    Strict,
    Text,
)
from chalicelib.schemas.signals import (
    EXAMPLE_BSN,
    AddressIn,
    ChildOut,
    MatchedOrganisationOut,
    ProfessionalOut,
    SignalOut,
)
from chalicelib.services.subjects import ChildCorrection


class SubjectIn(Strict):
    """Body of ``POST /v1/subjects/access``: the BSN travels only here, never in a URL."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN}]})

    bsn: Bsn


class ChildCorrectionIn(Strict):
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


class RectifyIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN, "child": {"family_name": "Jansen"}}]},
    )

    bsn: Bsn
    child: ChildCorrectionIn


class EraseIn(Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"bsn": EXAMPLE_BSN, "reason": "objection"}]}
    )

    bsn: Bsn
    reason: Literal["objection", "deceased"]


class FollowUpIn(Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"status": "contact_made", "note_code": "TEL"}]}
    )

    status: Literal["contact_made", "no_contact_needed", "open"]
    note_code: NoteCode | None = None


class AccessQuery(Strict):
    format: Literal["json", "html"] = "json"


class MatchesQuery(Strict):
    since: OptionalIsoDate = None


class ReportQuery(Strict):
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
    person_name: str | None = Field(default=None, description="The person who acted, when one signed in")


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
    answer: MatchAnswerOut | None = None


class MunicipalMatchOut(BaseModel):
    id: str
    kind: Literal["child", "parent", "address"]
    since: datetime
    follow_up: Literal["open", "contact_made", "no_contact_needed"]
    follow_up_at: datetime | None = None
    note_code: str | None = None
    reminder_sent: bool
    open: bool = Field(description="Neither followed up nor answered by both professionals")
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
