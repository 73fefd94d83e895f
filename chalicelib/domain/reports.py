"""Counts for municipalities and administrators, with small numbers suppressed.

Every count under 5 is shown as ``"<5"``, and a share is left out when it would let a reader work
out a count under 5 (its numerator, or what is left of the total), so no child or professional
can be singled out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.errors import InvalidInput

SUPPRESS_BELOW = 5
SMALL = "<5"

_PERIOD = re.compile(r"([0-9]{4})(?:-(Q[1-4]|[0-9]{2}))?")
# Reports exist from the system's start; a bound also keeps every period's Dutch midnights within
# what ``date`` and ``datetime`` can hold (year 1 has no UTC start, year 9999 no day after).
FIRST_YEAR = 2000
LAST_YEAR = 2999
_FORMATS = "a year (2026), quarter (2026-Q4) or month (2026-11)"


@dataclass(frozen=True)
class Period:
    """A Dutch calendar period: a year, a quarter (``2026-Q4``) or a month (``2026-11``)."""

    label: str
    first_day: date
    day_after: date

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.fullmatch(text)
        if match is None:
            raise InvalidInput.single("period", _FORMATS)
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidInput.single("period", f"{_FORMATS}, from {FIRST_YEAR} to {LAST_YEAR}")
        part = match.group(2)
        if part is None:
            return cls(text, date(year, 1, 1), date(year + 1, 1, 1))
        if part.startswith("Q"):
            quarter = int(part[1])
            first = date(year, 3 * quarter - 2, 1)
            return cls(text, first, date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1))
        month = int(part)
        if not 1 <= month <= 12:
            raise InvalidInput.single("period", "a month runs from 01 to 12")
        return cls(text, date(year, month, 1), date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))

    def instants(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end): Dutch midnight to Dutch midnight."""
        start = datetime.combine(self.first_day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)
        end = datetime.combine(self.day_after, time(0), tzinfo=AMSTERDAM).astimezone(UTC)
        return start, end


def shown(count: int) -> int | str:
    return SMALL if count < SUPPRESS_BELOW else count


def shown_share(part: int, total: int) -> float | None:
    rest = total - part
    if total < SUPPRESS_BELOW or part < SUPPRESS_BELOW or 0 < rest < SUPPRESS_BELOW:
        return None
    return round(part / total, 3)


@dataclass(frozen=True)
class SignalFacts:
    """What a report needs of one signal: nothing about the child."""

    sector: str
    family_informed: bool


@dataclass(frozen=True)
class MatchFacts:
    kind: str
    followed_up: bool
    # Both professionals answered it; one of them answered "already in contact".
    answered: bool = False
    already_in_contact: bool = False


def report(
    period: Period, scope: dict[str, str], signals: list[SignalFacts], matches: list[MatchFacts]
) -> dict[str, object]:
    by_sector = Counter(signal.sector for signal in signals)
    informed = sum(1 for signal in signals if signal.family_informed)
    by_kind = Counter(match.kind for match in matches)
    followed = sum(1 for match in matches if match.followed_up)
    answered = sum(1 for match in matches if match.answered)
    in_contact = sum(1 for match in matches if match.already_in_contact)
    return {
        "period": period.label,
        "scope": scope,
        "signals": {
            "total": shown(len(signals)),
            "by_sector": {sector: shown(count) for sector, count in sorted(by_sector.items())},
        },
        "families_informed": {"count": shown(informed), "share": shown_share(informed, len(signals))},
        "matches": {
            "total": shown(len(matches)),
            "by_kind": {kind: shown(by_kind.get(kind, 0)) for kind in ("child", "parent", "address")},
        },
        "follow_up": {"followed_up": shown(followed), "rate": shown_share(followed, len(matches))},
        "answers": {
            "answered": shown(answered),
            "answered_share": shown_share(answered, len(matches)),
            "already_in_contact": shown(in_contact),
            "already_in_contact_share": shown_share(in_contact, len(matches)),
        },
    }
