"""A professional's answer to a match, for their side of it.

The evaluation of the national VIR found "already in contact" the most common reason a match leads
to no contact: a match nobody can answer is noise. Each side of a match answers for itself; the
other side and the regievoerder see it, a match both sides answered is no longer open, and the
14-day reminder goes only to a side that did not answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Answer(StrEnum):
    CONTACT_MADE = "contact_made"
    ALREADY_IN_CONTACT = "already_in_contact"
    NO_CONTACT_NEEDED = "no_contact_needed"
    COORDINATING = "coordinating"


LABELS = {
    Answer.CONTACT_MADE: "Contact opgenomen",
    Answer.ALREADY_IN_CONTACT: "Was al in contact",
    Answer.NO_CONTACT_NEEDED: "Geen contact nodig",
    Answer.COORDINATING: "Ik neem de regie",
}


@dataclass(frozen=True, kw_only=True)
class MatchAnswer:
    """One side's answer as it stands.

    ``version`` counts the answers this side gave: each is written on condition that the one it
    replaces is still the stored one, so of two answers given at once neither is lost unseen.
    """

    answer: Answer
    at: datetime
    version: int = 1


def next_answer(previous: MatchAnswer | None, answer: Answer, at: datetime) -> MatchAnswer | None:
    """The answer to store, or ``None`` when ``answer`` is what the side answered already: giving
    the same answer twice (a retried request, a double click) changes nothing."""
    if previous is not None and previous.answer is answer:
        return None
    return MatchAnswer(answer=answer, at=at, version=(previous.version if previous else 0) + 1)
