"""What the services need from the outside world; adapters and in-memory fakes implement these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.model import Organisation, Principal, Professional, Signal, SignalStatus
from chalicelib.domain.pseudonyms import Pseudonymiser


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a first ``POST`` with an ``Idempotency-Key`` left behind: enough to replay it."""

    organisation_id: str
    key: str
    fingerprint: str
    signal_id: str
    expires_at: datetime


@dataclass(frozen=True)
class SignalPage:
    signals: list[Signal]
    next_after: str | None


class IdempotencyReplay(Exception):
    """The Idempotency-Key was used before; carries the first request's record."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


class SignalStore(Protocol):
    def add(self, signal: Signal, today: date, idempotency: IdempotencyRecord | None, log: LogEntry) -> None:
        """Store a new signal, its active-signal guard, the idempotency record and the log entry
        atomically.

        Raises ``DuplicateActiveSignal`` when the organisation already has an active signal for
        the child, ``IdempotencyReplay`` when the key was used before.
        """
        ...

    def get(self, signal_id: str) -> Signal | None: ...

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None: ...

    def list_for_organisation(
        self,
        organisation_id: str,
        status: SignalStatus | None,
        today: date,
        limit: int,
        after: str | None,
    ) -> SignalPage:
        """The organisation's signals still in existence on ``today``, newest first.

        ``after`` is the sort key of the last signal of the previous page.
        """
        ...

    def reload(self, signal: Signal) -> Signal | None:
        """``signal`` as stored now, with its matches, read strongly consistently (after a ``Conflict``)."""
        ...

    def archive(self, signal: Signal, archived: Signal, log: LogEntry) -> None:
        """Replace ``signal`` by its archived form and release the active-signal guard.

        Like every change of a signal, it is stored as the next version, on condition that
        ``signal.version`` is still the stored one: ``Conflict`` when it was changed meanwhile,
        ``NotFound`` when it is gone.
        """
        ...

    def delete(self, signal: Signal, log: LogEntry) -> None:
        """Delete the signal with its guard, logging it in the same write."""
        ...

    def replace_professional(self, signal: Signal, professional: Professional, log: LogEntry) -> None:
        """Hand ``signal`` over to ``professional``; a versioned change like ``archive``."""
        ...


class Logbook(Protocol):
    def append(self, entry: LogEntry) -> None: ...

    def entries_for_child(self, child_pseudonym: str) -> list[LogEntry]: ...


@dataclass(frozen=True)
class TokenGrant:
    """A stored token: only its hash is kept; ``principal`` is what it authenticates as."""

    token_id: str
    token_hash: str
    principal: Principal
    active: bool


class Registry(Protocol):
    """Organisations, municipalities, tokens and excluded addresses, kept by the admin CLI."""

    def token_by_hash(self, token_hash: str) -> TokenGrant | None: ...

    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None: ...

    def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    def organisation_suspended(self, organisation_id: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class PseudonymiserProvider(Protocol):
    def __call__(self) -> Pseudonymiser: ...
