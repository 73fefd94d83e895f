"""The regievoerder's use cases: the municipality's matches, and how each was followed up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.follow_up import is_note_code
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import FollowUp, MunicipalMatch
from chalicelib.domain.model import Principal, Pseudonym
from chalicelib.ports import Logbook, MunicipalMatches
from chalicelib.services.audit import Audit
from chalicelib.services.optimistic import on_fresh_reads
from chalicelib.services.subjects import require_municipality


class FollowUpService:
    def __init__(self, matches: MunicipalMatches, logbook: Logbook, audit: Audit) -> None:
        self._matches = matches
        self._logbook = logbook
        self._audit = audit

    def matches(self, principal: Principal, since: date | None) -> list[MunicipalMatch]:
        code = require_municipality(principal)
        found = self._matches.for_municipality(code, since)
        self._logbook.append(self._audit.by(principal, self._audit.now(), Action.MATCHES_LISTED))
        return found

    def follow_up(self, principal: Principal, match_id: str, status: FollowUp, note_code: str | None) -> MunicipalMatch:
        """Record the follow-up; written against the match as read, read again if a reminder was
        recorded meanwhile."""
        code = require_municipality(principal)
        if note_code is not None and not is_note_code(note_code):
            raise InvalidInput.single("note_code", "not one of the note codes")
        return on_fresh_reads(
            self._match(code, match_id),
            lambda _: self._match(code, match_id),
            lambda match: self._follow_up(principal, match, status, note_code),
        )

    def _match(self, code: str, match_id: str) -> MunicipalMatch:
        match = self._matches.get(code, match_id)
        if match is None:
            raise NotFound("no such match")
        return match

    def _follow_up(
        self, principal: Principal, match: MunicipalMatch, status: FollowUp, note_code: str | None
    ) -> MunicipalMatch:
        now = self._audit.now()
        side = match.sides[0]
        log = self._audit.by(
            principal,
            now,
            Action.MATCH_FOLLOWED_UP,
            signal_id=side.signal_id,
            child=Pseudonym(side.child_pseudonym, side.key_version),
            detail=f"{match.id}: {status.value}",
        )
        self._matches.record_follow_up(match, status, note_code, now, log)
        return replace(match, follow_up=status, follow_up_at=now, note_code=note_code)
