"""Time as the domain sees it: instants in UTC, calendar dates in the Netherlands.

The clock itself is a port of the services: the domain is handed instants and never reads one.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def dutch_date(instant: datetime) -> date:
    return instant.astimezone(AMSTERDAM).date()
