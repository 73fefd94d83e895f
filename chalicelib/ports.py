"""Every port the use cases need from the outside world, and the values that cross it.

The DynamoDB, SES, SSM and BRP adapters (``chalicelib.adapters``) implement them, the fakes in ``tests/fakes.py`` in
memory; a contract suite per port (``tests/integration/test_*_contract.py``) holds both to the same behaviour, errors
included. Adapters import this module and the domain, never a service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.answers import MatchAnswer
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import FollowUp, Match, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Professional, Signal, SignalStatus
from chalicelib.domain.nightly import Chunk, DuePage
from chalicelib.domain.notifications import Notification
from chalicelib.domain.pseudonyms import Pseudonymiser
from chalicelib.domain.reports import SignalFacts

# A write that lost to a concurrent one is made this often in all: by a use case, which reads again
# and computes its change afresh, and by an adapter, which makes the same write again.
WRITE_ATTEMPTS = 3


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class PseudonymiserProvider(Protocol):
    def __call__(self) -> Pseudonymiser: ...


# Signals ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class IdempotencyRecord:
    """What a first ``POST`` with an ``Idempotency-Key`` left behind: enough to replay it."""

    organisation_id: str
    key: str
    fingerprint: str
    signal_id: str
    expires_at: datetime


class IdempotencyReplay(Exception):
    """The Idempotency-Key was used before; carries the first request's record."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key already used")
        self.record = record


@dataclass(frozen=True)
class SignalPage:
    signals: list[SignalWithMatches]
    next_after: str | None


class SignalChanges(Protocol):
    """Reading a signal back and the changes the lifecycle job makes too."""

    def get(self, signal_id: str) -> SignalWithMatches | None: ...

    def reload(self, signal: Signal) -> SignalWithMatches | None:
        """``signal`` as stored now, with its matches, read strongly consistently (after a ``Conflict``)."""
        ...

    def archive(self, read: SignalWithMatches, archived: Signal, log: LogEntry) -> None:
        """Replace the signal ``read`` by its archived form and release the active-signal guard.

        Like every change of a signal, it is stored as the next version, on condition that the
        version read is still the stored one: ``Conflict`` when it was changed meanwhile, ``NotFound``
        when it is gone. The copies its matches keep on the other sides follow.
        """
        ...

    def delete(self, read: SignalWithMatches, log: LogEntry) -> None:
        """Delete the signal with its guard, logging it in the same write, then what derives from it
        (its match records on both sides, the mails filed under it): ``NotFound`` when it is gone."""
        ...


class SignalStore(SignalChanges, Protocol):
    def add(self, signal: Signal, today: date, idempotency: IdempotencyRecord | None, log: LogEntry) -> None:
        """Store a new signal, its active-signal guard, the idempotency record and the log entry
        atomically: ``DuplicateActiveSignal`` when the organisation already has an active signal for
        the child, ``IdempotencyReplay`` when the key was used before."""
        ...

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None: ...

    def list_for_organisation(
        self, organisation_id: str, status: SignalStatus | None, today: date, limit: int, after: str | None
    ) -> SignalPage:
        """The organisation's signals still in existence on ``today``, newest first, with their
        matches. ``after`` is the sort key of the last signal of the previous page."""
        ...

    def replace_professional(self, read: SignalWithMatches, professional: Professional, log: LogEntry) -> None:
        """Hand the signal over to ``professional``; a versioned change like ``archive``."""
        ...

    def replace_signals(self, updated: Sequence[SignalWithMatches], log: LogEntry) -> list[SignalWithMatches]:
        """Store each signal as the next version of the one read (a correction of the child's data),
        all or nothing (``Conflict`` if any changed meanwhile); returns them as stored."""
        ...


class LifecycleStore(SignalChanges, Protocol):
    def due_signals(self, today: date) -> list[Signal]:
        """Signals the lifecycle job must act on by ``today``, missed days included."""
        ...

    def load(self, child_pseudonym: str, signal_id: str) -> SignalWithMatches | None: ...  # by key, as ``reload``


class DueWork(Protocol):  # up to ``limit`` keys of what is due by ``today``, a page after ``cursor``
    def due_page(self, today: date, cursor: str | None, limit: int) -> DuePage: ...

    def signal_page(self, cursor: str | None, limit: int) -> DuePage:
        """Up to ``limit`` keys of every signal that still exists, due or not, a page after ``cursor``."""
        ...


class WorkQueue(Protocol):  # the nightly job's chunks, to parallel workers
    def send(self, chunks: Sequence[Chunk]) -> None: ...


class Logbook(Protocol):
    def append(self, entry: LogEntry) -> None: ...

    def entries_for_child(self, child_pseudonym: str) -> list[LogEntry]: ...


# Matching --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildPartition:
    """Everything stored under one child pseudonym, read with one Query."""

    signals: list[Signal]
    matches: list[Match]
    sent: dict[tuple[str, str], str] = field(default_factory=dict)
    """Notification state by (new signal id, recipient key): ``sending``, ``sent`` or ``failed``."""


class ChildPartitions(Protocol):
    def child_partition(self, child_pseudonym: str) -> ChildPartition: ...


class MatchStore(ChildPartitions, Protocol):
    def signals_at_address(self, address_pseudonym: str) -> list[Signal]: ...
    def signals_with_parent(self, parent_pseudonym: str) -> list[Signal]: ...

    def save_matches(self, new_signal_id: str, records: list[Match], municipal: Sequence[MunicipalMatch] = ()) -> None:
        """Store match records and follow-up records; the records shown with the new signal last."""
        ...


class Regievoerders(Protocol):
    def regievoerder_email(self, municipality_code: str) -> str | None: ...


class MatchRegistry(Regievoerders, Protocol):
    def is_excluded_address(self, address_pseudonym: str) -> bool: ...


# The family's rights, the regievoerder, the lifecycle job and reports --------------------------


class ReportMatches(Protocol):
    def for_municipality(self, municipality_code: str, since: date | None) -> list[MunicipalMatch]:
        """The municipality's matches, newest first; with ``since``, those that arose on or after it."""
        ...


class MunicipalMatches(ReportMatches, Protocol):
    def get(self, municipality_code: str, match_id: str) -> MunicipalMatch | None: ...

    def record_follow_up(
        self, match: MunicipalMatch, status: FollowUp, note_code: str | None, at: datetime, log: LogEntry
    ) -> None:
        """Set the follow-up and log it; ``NotFound``: the match is gone, ``Conflict``: changed since read."""
        ...


class MatchAnswers(Protocol):
    def find(self, match_id: str) -> MunicipalMatch | None: ...

    def record_answer(self, match: MunicipalMatch, side: int, answer: MatchAnswer, log: LogEntry) -> None:
        """``side``'s answer on the regievoerder's and both match records, with ``log``, all or nothing."""
        ...


class ReminderStore(Protocol):
    def due_reminders(self, today: date) -> list[MunicipalMatch]: ...
    def get(self, municipality_code: str, match_id: str) -> MunicipalMatch | None: ...

    def mark_reminded(self, match: MunicipalMatch, side: int) -> None:
        """Record that side ``side`` (0 or 1) was reminded; idempotent."""
        ...


class ReportSignals(Protocol):
    def signal_facts(self, municipality_code: str, start: datetime, end: datetime) -> list[SignalFacts]: ...


class Municipalities(Protocol):
    def municipality_codes(self, region: str | None) -> list[str]: ...


# Mail ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send one e-mail; returns the provider's message id."""
        ...


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    ALREADY_SENT = "already_sent"
    IN_FLIGHT = "in_flight"
    GONE = "gone"
    """The signal the notification is filed under no longer exists: there is nobody to tell."""


class NotificationLedger(Protocol):
    def claim(self, notification: Notification, now: datetime, lease_until: datetime) -> ClaimOutcome: ...

    def release(self, notification: Notification) -> None: ...

    def mark_sent(self, notification: Notification, message_id: str, log: LogEntry) -> None:
        """Mark the claim sent and write ``log`` with it; only ``log`` when the entry went with its signal."""
        ...
