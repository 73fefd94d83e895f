"""The professionals' answers to their matches: one set of rules for the API and the portal.

A professional of an organisation with a signal in a match answers for that side: contact made,
already in contact, no contact needed, or "I coordinate". Another organisation's match answers 404,
as one that does not exist. Giving the answer the side gave already writes nothing; a changed answer
is the next version, written only if the answer read is still the stored one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain.answers import Answer, next_answer
from chalicelib.domain.errors import NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import MatchSide, MunicipalMatch
from chalicelib.domain.model import Principal, Pseudonym
from chalicelib.ports import Logbook, MatchAnswers
from chalicelib.services.audit import Audit
from chalicelib.services.optimistic import on_fresh_reads
from chalicelib.services.signals import require_organisation


@dataclass(frozen=True)
class SideOfMatch:
    """A match as one of its sides sees it."""

    match: MunicipalMatch
    side: int

    @property
    def own(self) -> MatchSide:
        return self.match.sides[self.side]

    @property
    def other(self) -> MatchSide:
        return self.match.sides[1 - self.side]


class AnswerService:
    def __init__(self, answers: MatchAnswers, logbook: Logbook, audit: Audit) -> None:
        self._answers = answers
        self._logbook = logbook
        self._audit = audit

    def read(self, principal: Principal, match_id: str) -> SideOfMatch:
        """The match as the caller's organisation sees it (the portal's page); the reading is logged."""
        seen = self._side(principal, match_id, None)
        self._logbook.append(
            self._audit.by(
                principal,
                self._audit.now(),
                Action.MATCH_READ,
                signal_id=seen.own.signal_id,
                child=Pseudonym(seen.own.child_pseudonym, seen.own.key_version),
                detail=seen.match.id,
            )
        )
        return seen

    def answer(self, principal: Principal, match_id: str, answer: Answer, signal_id: str | None = None) -> SideOfMatch:
        """Answer for the caller's side; with ``signal_id`` (the API's path), that signal must be it."""
        return on_fresh_reads(
            self._side(principal, match_id, signal_id),
            lambda _: self._side(principal, match_id, signal_id),
            lambda seen: self._answer(principal, seen, answer),
        )

    def _side(self, principal: Principal, match_id: str, signal_id: str | None) -> SideOfMatch:
        organisation = require_organisation(principal)
        match = self._answers.find(match_id)
        side = match.side_of(organisation.id) if match is not None else None
        if match is None or side is None or signal_id not in (None, match.sides[side].signal_id):
            raise NotFound("no such match")
        return SideOfMatch(match, side)

    def _answer(self, principal: Principal, seen: SideOfMatch, answer: Answer) -> SideOfMatch:
        now = self._audit.now()
        given = next_answer(seen.own.answer, answer, now)
        if given is None:
            return seen
        own = seen.own
        log = self._audit.by(
            principal,
            now,
            Action.MATCH_ANSWERED,
            signal_id=own.signal_id,
            child=Pseudonym(own.child_pseudonym, own.key_version),
            detail=f"{seen.match.id}: {answer.value}",
        )
        self._answers.record_answer(seen.match, seen.side, given, log)
        sides = list(seen.match.sides)
        sides[seen.side] = replace(own, answer=given)
        return SideOfMatch(replace(seen.match, sides=(sides[0], sides[1])), seen.side)
