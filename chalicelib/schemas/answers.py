"""The professionals' answers to a match: what they send, and how the other side and the regievoerder see it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

AnswerValue = Literal["contact_made", "already_in_contact", "no_contact_needed", "coordinating"]


class AnswerIn(BaseModel):
    """Body of ``PUT /v1/signals/{id}/matches/{match_id}/answer``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [{"answer": "already_in_contact"}]}
    )

    answer: AnswerValue = Field(
        description="contact_made: contact opgenomen; already_in_contact: was al in contact; "
        "no_contact_needed: geen contact nodig; coordinating: ik neem de regie"
    )


class MatchAnswerOut(BaseModel):
    answer: AnswerValue
    answered_at: datetime


class AnswerOut(BaseModel):
    """A match's answers as the answering signal's side sees them."""

    match_id: str
    signal_id: str
    answer: MatchAnswerOut
    other_answer: MatchAnswerOut | None = None


Count = Annotated[int, Field(ge=5)] | Literal["<5"]
Share = Annotated[float, Field(ge=0, le=1)] | None


class AnswerCounts(BaseModel):
    """Matches both professionals answered, and matches where one answered "already in contact"."""

    model_config = ConfigDict(extra="forbid")

    answered: Count
    answered_share: Share
    already_in_contact: Count
    already_in_contact_share: Share
