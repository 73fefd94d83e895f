"""The clock as the domain sees it: an instant in UTC and the Dutch calendar date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


def dutch_date(instant: datetime) -> date:
    return instant.astimezone(AMSTERDAM).date()


class FixedClock:
    """A clock that stands still until moved; used by tests, demos and ``--as-of`` runs."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = instant
