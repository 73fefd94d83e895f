"""Reports: per municipality and period, or for an administrator per region or the whole country."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import reports
from chalicelib.domain.answers import Answer
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import Principal, PrincipalKind
from chalicelib.domain.reports import MatchFacts, Period, SignalFacts
from chalicelib.ports import Logbook, Municipalities, ReportMatches, ReportSignals
from chalicelib.services.audit import Audit


class ReportService:
    def __init__(
        self,
        signals: ReportSignals,
        matches: ReportMatches,
        municipalities: Municipalities,
        logbook: Logbook,
        audit: Audit,
    ) -> None:
        self._signals = signals
        self._matches = matches
        self._municipalities = municipalities
        self._logbook = logbook
        self._audit = audit

    def report(self, principal: Principal, period_text: str, region: str | None) -> dict[str, object]:
        period = Period.parse(period_text)
        if principal.kind is PrincipalKind.MUNICIPALITY and principal.municipality_code:
            if region is not None:
                # Who may ask, not what was asked: region is for administrators.
                raise Forbidden("a municipality reports on itself; region is for administrators")
            codes = [principal.municipality_code]
            scope = {"municipality": principal.municipality_code}
        elif principal.kind is PrincipalKind.ADMIN:
            codes = self._municipalities.municipality_codes(region)
            scope = {"region": region} if region else {"country": "NL"}
        else:
            raise Forbidden("reports are for municipalities and administrators")
        start, end = period.instants()
        signal_facts: list[SignalFacts] = []
        match_facts: list[MatchFacts] = []
        for code in codes:
            signal_facts.extend(self._signals.signal_facts(code, start, end))
            match_facts.extend(
                MatchFacts(
                    kind=match.kind.value,
                    followed_up=match.follow_up is not FollowUp.OPEN,
                    answered=match.answered_by_both(),
                    already_in_contact=any(
                        side.answer is not None and side.answer.answer is Answer.ALREADY_IN_CONTACT
                        for side in match.sides
                    ),
                )
                # The index filters by UTC date; a Dutch period starts up to two hours earlier.
                for match in self._matches.for_municipality(code, period.first_day - timedelta(days=1))
                if start <= match.since < end
            )
        self._logbook.append(
            self._audit.by(principal, self._audit.now(), Action.REPORT_READ, detail=f"{period.label} {scope}")
        )
        return reports.report(period, scope, signal_facts, match_facts)
