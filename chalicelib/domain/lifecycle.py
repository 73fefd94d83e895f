"""Dates that decide a signal's life: the age rule, informing, active period and deletion.

All calendar dates are Dutch (Europe/Amsterdam) dates; the caller converts the clock once.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.domain.model import InformParty, Signal, SignalStatus

MAX_AGE_YEARS = 23
ACTIVE_YEARS = 2
ARCHIVE_YEARS = 5


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February.

    Choosing 28 February (not 1 March) makes every deadline derived from it the earlier one,
    which is the safe side for data that must be deleted in time.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day``."""
    years = day.year - birth_date.year
    if add_years(birth_date, years) > day:
        years -= 1
    return years


def last_day_before_23(birth_date: date) -> date:
    """The day before the 23rd birthday: the last day anything about the child may exist."""
    return add_years(birth_date, MAX_AGE_YEARS) - timedelta(days=1)


def check_child_may_be_signalled(birth_date: date, today: date) -> None:
    """The child must be born and younger than 23 on the day of the signal."""
    if birth_date > today:
        raise InvalidInput.single("child.birth_date", "birth date lies in the future")
    if today > last_day_before_23(birth_date):
        raise InvalidInput.single("child.birth_date", "the child is 23 or older")


def who_to_inform(birth_date: date, today: date) -> tuple[InformParty, ...]:
    """Under 12 the parents; 12 to 15 the parents and the child; 16 and over the child."""
    age = age_on(birth_date, today)
    if age < 12:
        return (InformParty.PARENTS,)
    if age < 16:
        return (InformParty.PARENTS, InformParty.CHILD)
    return (InformParty.CHILD,)


def active_until(today: date, birth_date: date, end_date: date | None) -> date:
    """End of the active period: at most 2 years, an earlier ``end_date`` allowed.

    Never past the day before the 23rd birthday; an explicit ``end_date`` beyond either bound is
    refused rather than silently shortened, so the organisation knows what it registered.
    """
    limit = min(add_years(today, ACTIVE_YEARS), last_day_before_23(birth_date))
    if end_date is None:
        return limit
    errors: list[FieldError] = []
    if end_date < today:
        errors.append(FieldError("end_date", "end date lies in the past"))
    elif end_date > add_years(today, ACTIVE_YEARS):
        errors.append(FieldError("end_date", "a signal is active for at most 2 years"))
    elif end_date > limit:
        errors.append(FieldError("end_date", "end date lies on or after the child's 23rd birthday"))
    if errors:
        raise InvalidInput(errors)
    return end_date


def delete_after(active_end: date, birth_date: date) -> date:
    """The last day the signal may exist: 5 archived years, never past the day before 23."""
    return min(add_years(active_end, ARCHIVE_YEARS), last_day_before_23(birth_date))


class Lifespan(Protocol):
    """The dates that decide a signal's status: a signal's own, or the copy a match keeps of them."""

    @property
    def active_until(self) -> date: ...

    @property
    def delete_after(self) -> date: ...

    @property
    def archived_on(self) -> date | None: ...


def status_on(signal: Lifespan, today: date) -> SignalStatus | None:
    """The status a signal has on ``today``; ``None`` when it must no longer exist."""
    if today > signal.delete_after:
        return None
    if signal.archived_on is not None and signal.archived_on <= today:
        return SignalStatus.ARCHIVED
    if today > signal.active_until:
        return SignalStatus.ARCHIVED
    return SignalStatus.ACTIVE


class Transition(StrEnum):
    ARCHIVE = "archive"
    DELETE = "delete"


def next_due(signal: Signal) -> date:
    """The first day on which the lifecycle job must act on ``signal``.

    An active signal is archived the day after its active period, unless that period runs to the
    day before the 23rd birthday: then it is deleted, never archived. An archived signal is
    deleted the day after ``delete_after``.
    """
    if signal.archived_on is None and signal.active_until < signal.delete_after:
        return signal.active_until + timedelta(days=1)
    return signal.delete_after + timedelta(days=1)


def due_transition(signal: Signal, today: date) -> Transition | None:
    """What the job does to ``signal`` on ``today``: nothing, archive it, or delete it."""
    status = status_on(signal, today)
    if status is None:
        return Transition.DELETE
    if status is SignalStatus.ARCHIVED and signal.archived_on is None:
        return Transition.ARCHIVE
    return None
