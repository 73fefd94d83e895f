"""How a regievoerder records the follow-up of a match: a status and one code from a fixed list.

The list is data, in Dutch, shared by the API (which accepts these codes and no others) and the
console (which offers them in a form). A code says what happened, never why the child is known.
"""

from __future__ import annotations

from typing import Final

from chalicelib.domain.matching import FollowUp, MatchKind

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
    MatchKind.ADDRESS: "Zelfde adres",
}


def is_note_code(code: str) -> bool:
    return code in NOTE_CODES
