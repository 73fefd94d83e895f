"""The clock and the id source every use case shares, and the one way it writes down what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.clock import dutch_date
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Principal, Pseudonym, Signal
from chalicelib.domain.people import Person
from chalicelib.ports import Clock


@dataclass(frozen=True)
class Audit:
    clock: Clock
    new_id: Callable[[datetime], str]

    def now(self) -> datetime:
        """This instant to the second: what the logbook, the ledger and the API keep of it."""
        return self.clock.now().replace(microsecond=0)

    def today(self) -> date:
        return dutch_date(self.clock.now())

    def entry(
        self,
        at: datetime,
        action: Action,
        *,
        client_id: str,
        organisation_id: str | None = None,
        municipality_code: str | None = None,
        signal: Signal | None = None,
        signal_id: str | None = None,
        child: Pseudonym | None = None,
        detail: str | None = None,
        person: Person | None = None,
    ) -> LogEntry:
        """A logbook entry; ``signal`` names the signal and its child at once."""
        if signal is not None:
            signal_id, child = signal.id, signal.child_pseudonym
        return LogEntry(
            id=self.new_id(at),
            at=at,
            action=action,
            client_id=client_id,
            organisation_id=organisation_id,
            municipality_code=municipality_code,
            signal_id=signal_id,
            child_pseudonym=child.value if child else None,
            key_version=child.key_version if child else None,
            detail=detail,
            person_id=person.id if person else None,
            person_name=person.display_name if person else None,
        )

    def by(
        self,
        principal: Principal,
        at: datetime,
        action: Action,
        *,
        signal: Signal | None = None,
        signal_id: str | None = None,
        child: Pseudonym | None = None,
        detail: str | None = None,
    ) -> LogEntry:
        """An entry of what ``principal`` (an organisation's system, a municipality, an administrator) did,
        under the name of the person behind it when one signed in."""
        return self.entry(
            at,
            action,
            client_id=principal.client_id,
            organisation_id=principal.organisation.id if principal.organisation else None,
            municipality_code=principal.municipality_code,
            signal=signal,
            signal_id=signal_id,
            child=child,
            detail=detail,
            person=principal.person,
        )
