"""The period report: every count under 5 is "<5"; a share that would reveal one is null."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from chalicelib.schemas.answers import AnswerCounts

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
    answers: AnswerCounts
