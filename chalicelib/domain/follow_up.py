"""How a regievoerder records the follow-up of a match: a status and one code from a fixed list.

The list is data, in Dutch, shared by the API (which accepts these codes and no others) and the
console (which offers them in a form). A code says what happened, never why the child is known.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

from chalicelib.domain.matching import FollowUp, MatchKind, MunicipalMatch

NOTE_CODES: Final[dict[str, str]] = {
    "TEL": "Telefonisch contact met de professionals",
    "OVERLEG": "Overleg tussen de professionals georganiseerd",
    "AL_IN_CONTACT": "De professionals waren al met elkaar in contact",
    "REGIE_BELEGD": "De regie is bij een van de professionals belegd",
    "NIET_BEREIKT": "De professionals waren niet bereikbaar",
    "GEEN_ACTIE": "Na navraag is geen verdere actie nodig",
}

FOLLOW_UP_LABELS: Final[dict[FollowUp, str]] = {
    FollowUp.OPEN: "Open",
    FollowUp.CONTACT_MADE: "Contact gelegd",
    FollowUp.NO_CONTACT_NEEDED: "Geen contact nodig",
}

KIND_LABELS: Final[dict[MatchKind, str]] = {
    MatchKind.CHILD: "Zelfde kind",
    MatchKind.PARENT: "Zelfde gezin (ouder)",
    MatchKind.ADDRESS: "Zelfde adres",
}


def is_note_code(code: str) -> bool:
    return code in NOTE_CODES


class Shown(StrEnum):
    """Which of the municipality's matches a regievoerder looks at."""

    ALL = "alle"
    OPEN = "open"
    FOLLOWED_UP = "opgevolgd"
    OVERDUE = "open-14-dagen"

    def includes(self, match: MunicipalMatch, today: date) -> bool:
        # Open: neither followed up nor answered by both professionals (``MunicipalMatch.is_open``).
        if self is Shown.OPEN:
            return match.is_open()
        if self is Shown.FOLLOWED_UP:
            return not match.is_open()
        if self is Shown.OVERDUE:
            # The same day the reminder falls due: open for 14 days or more.
            return match.is_open() and today >= match.reminder_due()
        return True


SHOWN_LABELS: Final[dict[Shown, str]] = {
    Shown.ALL: "Alle matches",
    Shown.OPEN: "Open",
    Shown.FOLLOWED_UP: "Opgevolgd",
    Shown.OVERDUE: "14 dagen of langer open",
}
