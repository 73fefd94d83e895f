"""A clock that stands still: for tests, demos and the admin CLI's ``--as-of`` runs."""

from __future__ import annotations

from datetime import datetime


class FixedClock:
    """Stands still until moved."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = instant
