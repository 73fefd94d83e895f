"""In-memory fakes of the ports in ``chalicelib.ports``.

They keep the same rules as the DynamoDB adapters (one active signal per organisation per child,
idempotency records, newest-first pages, all-or-nothing writes with their log line), so a service
test on these fakes tells the truth about the service on DynamoDB. The contract suite in
``tests/integration/test_signal_store_contract.py`` holds both to the same behaviour.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.console.ports import (
    Account,
    Authenticated,
    Challenge,
    ChallengeExpired,
    ChallengeKind,
    CodeRejected,
    ConsoleSession,
    Invitation,
    LookedUpChild,
    PasswordRejected,
    SignInRejected,
)
from chalicelib.domain.answers import MatchAnswer
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal, InvalidInput, NotFound
from chalicelib.domain.lifecycle import next_due
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import FollowUp, Match, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Organisation, Professional, Signal, SignalStatus
from chalicelib.domain.nightly import Chunk, DueItem, DueKind, DuePage
from chalicelib.domain.notifications import Notification
from chalicelib.domain.people import Person
from chalicelib.domain.reports import SignalFacts
from chalicelib.ports import (
    ChildPartition,
    ClaimOutcome,
    EmailMessage,
    IdempotencyRecord,
    IdempotencyReplay,
    SignalPage,
)
from chalicelib.ports_registry import MAX_ACTIVE_TOKENS, USE_RESOLUTION, AlreadyRegistered, TokenGrant


def signal_in(store: Any, signal_id: str) -> Signal | None:
    """The signal as ``store`` (any signal store, fake or real) holds it, read through its port."""
    read = store.get(signal_id)
    return read.signal if read is not None else None


def sort_key(signal: Signal) -> str:
    """The page cursor of a signal: creation second, then id, as the DynamoDB index sorts."""
    return f"{signal.created_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}#{signal.id}"


def _log_key(entry: LogEntry) -> tuple[str, str]:
    subject = entry.child_pseudonym or f"CLIENT#{entry.client_id}"
    return subject, f"{entry.at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}#{entry.id}"


class InMemoryLogbook:
    """Append-only, like the DynamoDB logbook: an entry that exists already is refused."""

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self._keys: set[tuple[str, str]] = set()

    def check_new(self, entry: LogEntry) -> None:
        if _log_key(entry) in self._keys:
            raise Conflict(f"log entry {entry.id} exists already")

    def append(self, entry: LogEntry) -> None:
        self.check_new(entry)
        self._keys.add(_log_key(entry))
        self.entries.append(entry)

    def entries_for_child(self, child_pseudonym: str) -> list[LogEntry]:
        found = [entry for entry in self.entries if entry.child_pseudonym == child_pseudonym]
        return sorted(found, key=_log_key)


@dataclass(frozen=True)
class _Guard:
    signal_id: str
    active_until: date


class InMemorySignalStore:
    """Signals, active-signal guards and idempotency records in dictionaries.

    Every write first checks all its conditions and only then changes anything, log line
    included, as a DynamoDB transaction does. Every change of a signal stores it as the next
    version, on condition that the version it was computed from is still the stored one.
    """

    def __init__(self, logbook: InMemoryLogbook) -> None:
        self.logbook = logbook
        self.signals: dict[str, Signal] = {}
        self.guards: dict[tuple[str, str], _Guard] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self._lock = threading.Lock()

    def add(self, signal: Signal, today: date, idempotency: IdempotencyRecord | None, log: LogEntry) -> None:
        guard_key = (signal.child_pseudonym.value, signal.organisation.id)
        with self._lock:
            if idempotency is not None:
                first = self.idempotency.get((idempotency.organisation_id, idempotency.key))
                # DynamoDB compares whole epoch seconds: a record expires strictly after its second.
                if first is not None and int(first.expires_at.timestamp()) >= int(log.at.timestamp()):
                    raise IdempotencyReplay(first)
            guard = self.guards.get(guard_key)
            # An expired guard (active period over) may be taken over by the new signal.
            if guard is not None and not guard.active_until < today:
                raise DuplicateActiveSignal(guard.signal_id)
            if signal.id in self.signals:
                raise Conflict(f"signal {signal.id} exists already")
            self.logbook.check_new(log)
            self.signals[signal.id] = signal
            self.guards[guard_key] = _Guard(signal.id, signal.active_until)
            if idempotency is not None:
                self.idempotency[(idempotency.organisation_id, idempotency.key)] = idempotency
            self.logbook.append(log)

    def get(self, signal_id: str) -> SignalWithMatches | None:
        signal = self.signals.get(signal_id)
        return SignalWithMatches(signal=signal) if signal else None

    def reload(self, signal: Signal) -> SignalWithMatches | None:
        return self.get(signal.id)

    def load(self, child_pseudonym: str, signal_id: str) -> SignalWithMatches | None:
        read = self.get(signal_id)
        return read if read is not None and read.signal.child_pseudonym.value == child_pseudonym else None

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None:
        return self.idempotency.get((organisation_id, key))

    def due_signals(self, today: date) -> list[Signal]:
        due = [s for s in self.signals.values() if next_due(s) <= today]
        return sorted(due, key=lambda s: (next_due(s), s.id))

    def signal_facts(self, municipality_code: str, start: datetime, end: datetime) -> list[SignalFacts]:
        """As ``DynamoDBReportSignals``: by the child's current address, created in [start, end)."""
        return [
            SignalFacts(sector=s.organisation.sector, family_informed=s.family_informed)
            for s in self.signals.values()
            if s.child.address.municipality_code == municipality_code
            and start <= s.created_at.replace(microsecond=0) < end
        ]

    def list_for_organisation(
        self,
        organisation_id: str,
        status: SignalStatus | None,
        today: date,
        limit: int,
        after: str | None,
    ) -> SignalPage:
        found = [
            signal
            for signal in self.signals.values()
            if signal.organisation.id == organisation_id
            and signal.delete_after >= today
            and _has_status(signal, status, today)
            and (after is None or sort_key(signal) < after)
        ]
        found.sort(key=sort_key, reverse=True)
        page = [read for read in (self.get(signal.id) for signal in found[:limit]) if read is not None]
        return SignalPage(page, sort_key(found[limit - 1]) if len(found) > limit else None)

    def archive(self, read: SignalWithMatches, archived: Signal, log: LogEntry) -> None:
        signal = read.signal
        with self._lock:
            self._check_version(signal)
            self.logbook.check_new(log)
            stored = self.signals[signal.id] = _next_version(signal, archived)
            self._release_guard(signal)
            self.logbook.append(log)
        self.refresh_counterparts(read.changed(stored))

    def delete(self, read: SignalWithMatches, log: LogEntry) -> None:
        signal = read.signal
        with self._lock:
            self._check_exists(signal)
            self.logbook.check_new(log)
            del self.signals[signal.id]
            self._release_guard(signal)
            self.logbook.append(log)

    def replace_professional(self, read: SignalWithMatches, professional: Professional, log: LogEntry) -> None:
        signal = read.signal
        with self._lock:
            self._check_version(signal)
            self.logbook.check_new(log)
            stored = self.signals[signal.id] = _next_version(signal, replace(signal, professional=professional))
            self.logbook.append(log)
        self.refresh_counterparts(read.changed(stored))

    def replace_signals(self, updated: Sequence[SignalWithMatches], log: LogEntry) -> list[SignalWithMatches]:
        with self._lock:
            for read in updated:
                self._check_version(read.signal)
            self.logbook.check_new(log)
            stored = [read.changed(_next_version(read.signal, read.signal)) for read in updated]
            for read in stored:
                self.signals[read.signal.id] = read.signal
            self.logbook.append(log)
        for read in stored:
            self.refresh_counterparts(read)
        return stored

    def refresh_counterparts(self, read: SignalWithMatches) -> None:
        """Nothing to refresh: this store keeps no match records (``InMemoryMatchStore`` does)."""

    def _check_exists(self, signal: Signal) -> None:
        if signal.id not in self.signals:
            raise NotFound("no such signal")

    def _check_version(self, signal: Signal) -> None:
        self._check_exists(signal)
        if self.signals[signal.id].version != signal.version:
            raise Conflict("the signal was changed meanwhile; retry")

    def _release_guard(self, signal: Signal) -> None:
        """Only this signal's own guard: a newer signal may have taken over an expired one."""
        key = (signal.child_pseudonym.value, signal.organisation.id)
        guard = self.guards.get(key)
        if guard is not None and guard.signal_id == signal.id:
            del self.guards[key]


def _next_version(read: Signal, changed: Signal) -> Signal:
    """``changed`` as stored: one version after the ``read`` it was computed from."""
    return replace(changed, version=read.version + 1)


def _has_status(signal: Signal, status: SignalStatus | None, today: date) -> bool:
    if status is SignalStatus.ACTIVE:
        return signal.active_until >= today and signal.archived_on is None
    if status is SignalStatus.ARCHIVED:
        return signal.active_until < today or signal.archived_on is not None
    return True


ACTIVE = "active"
REVOKED = "revoked"
SUSPENDED = "suspended"


@dataclass
class _StoredToken:
    grant: TokenGrant
    status: str

    def held_by(self, organisation_id: str) -> bool:
        organisation = self.grant.principal.organisation
        return organisation is not None and organisation.id == organisation_id


class InMemoryRegistry:
    """Organisations, municipalities, tokens (by hash only) and excluded addresses.

    The same methods and the same refusals as ``DynamoDBRegistry`` (the registry contract).
    """

    def __init__(self) -> None:
        self._organisations: dict[str, tuple[Organisation, str]] = {}
        self._municipalities: dict[str, dict[str, object]] = {}
        self._tokens: dict[str, _StoredToken] = {}
        self._excluded_addresses: dict[str, str] = {}
        self.use_writes = 0  # write requests ``record_use`` made (on DynamoDB refused ones cost too)

    # Tokens

    def token_by_hash(self, token_hash: str) -> TokenGrant | None:
        stored = self._tokens.get(token_hash)
        if stored is None:
            return None
        return replace(stored.grant, active=stored.status == ACTIVE)

    def put_token(self, grant: TokenGrant, created_at: datetime) -> None:
        if grant.token_hash in self._tokens or any(t.grant.token_id == grant.token_id for t in self._tokens.values()):
            raise AlreadyRegistered("token already registered")
        organisation = grant.principal.organisation
        if organisation is not None:
            if organisation.id not in self._organisations:
                raise NotFound(f"no organisation {organisation.id}")
            if self.organisation_suspended(organisation.id):
                raise InvalidInput.single("organisation", "the organisation is suspended")
            if len(self._active_tokens_of(organisation.id)) >= MAX_ACTIVE_TOKENS:
                raise InvalidInput.single(
                    "organisation", f"the organisation holds {MAX_ACTIVE_TOKENS} active tokens; revoke one first"
                )
        stored = replace(grant, created_at=created_at, last_used=None)
        self._tokens[grant.token_hash] = _StoredToken(stored, ACTIVE if grant.active else SUSPENDED)

    def record_use(self, token_hash: str, at: datetime) -> None:
        self.use_writes += 1
        stored = self._tokens.get(token_hash)
        if stored is None:
            return
        last = stored.grant.last_used
        if last is None or last < at - USE_RESOLUTION:
            stored.grant = replace(stored.grant, last_used=at)

    def tokens_of(self, organisation_id: str) -> list[TokenGrant]:
        held = [self.token_by_hash(t.grant.token_hash) for t in self._tokens.values() if t.held_by(organisation_id)]
        found = [grant for grant in held if grant is not None]
        return sorted(found, key=lambda g: (g.created_at or datetime.min.replace(tzinfo=UTC), g.token_id), reverse=True)

    def revoke_token(self, token_id: str) -> None:
        for stored in self._tokens.values():
            if stored.grant.token_id == token_id:
                stored.status = REVOKED
                return
        raise NotFound(f"no token {token_id}")

    # Organisations and municipalities

    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None:
        if organisation.id in self._organisations:
            raise AlreadyRegistered("org already registered")
        self._organisations[organisation.id] = (organisation, ACTIVE)

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        found = self._organisations.get(organisation_id)
        return found[0] if found else None

    def organisation_suspended(self, organisation_id: str) -> bool:
        found = self._organisations.get(organisation_id)
        return found is not None and found[1] == SUSPENDED

    def suspend_organisation(self, organisation_id: str) -> int:
        found = self._organisations.get(organisation_id)
        if found is None:
            raise NotFound(f"no organisation {organisation_id}")
        self._organisations[organisation_id] = (found[0], SUSPENDED)
        active = self._active_tokens_of(organisation_id)
        for stored in active:
            stored.status = SUSPENDED
        return len(active)

    def _active_tokens_of(self, organisation_id: str) -> list[_StoredToken]:
        return [t for t in self._tokens.values() if t.held_by(organisation_id) and t.status == ACTIVE]

    def put_municipality(
        self, code: str, name: str, region: str, regievoerder_email: str | None, created_at: datetime
    ) -> None:
        if code in self._municipalities:
            raise AlreadyRegistered("muni already registered")
        item: dict[str, Any] = {"name": name, "region": region, "status": ACTIVE}
        if regievoerder_email:
            item["regievoerder_email"] = regievoerder_email
        self._municipalities[code] = item

    def get_municipality(self, code: str) -> dict[str, object] | None:
        return self._municipalities.get(code)

    def regievoerder_email(self, municipality_code: str) -> str | None:
        item = self._municipalities.get(municipality_code)
        email = item.get("regievoerder_email") if item else None
        return str(email) if email else None

    def municipality_codes(self, region: str | None) -> list[str]:
        return sorted(code for code, item in self._municipalities.items() if region is None or item["region"] == region)

    # Excluded addresses

    def add_excluded_address(self, address_pseudonym: str, key_version: str, created_at: datetime) -> bool:
        if address_pseudonym in self._excluded_addresses:
            return False
        self._excluded_addresses[address_pseudonym] = key_version
        return True

    def is_excluded_address(self, address_pseudonym: str) -> bool:
        return address_pseudonym in self._excluded_addresses


# The match function and the lifecycle job


SENDING = "sending"
SENT = "sent"
FAILED = "failed"


@dataclass
class LedgerRecord:
    """One (event, recipient) item of the ledger: its state and the lease of a live claim."""

    status: str
    lease_until: datetime
    message_id: str | None = None


def ledger_key(notification: Notification) -> tuple[str, str, str]:
    """Where ``DynamoDBNotificationLedger`` keeps it: beside the signal it is filed under."""
    return notification.filed_under_child_pseudonym, notification.filed_under_signal_id, notification.key


class InMemoryNotificationLedger:
    """The same states and conditions as ``DynamoDBNotificationLedger``.

    A claim succeeds on a new recipient, after a release (``failed``) or when the lease of a
    ``sending`` claim has run out; leases compare whole epoch seconds, as the item stores them.
    Once a store is attached (``InMemoryMatchStore`` attaches itself), a claim needs the signal
    the notification is filed under to exist. ``mark_sent`` writes its log line in the same
    all-or-nothing step, and only the log line when the entry went with its signal.
    """

    def __init__(self, logbook: InMemoryLogbook) -> None:
        self.logbook = logbook
        self.records: dict[tuple[str, str, str], LedgerRecord] = {}
        self._signals: Mapping[str, Signal] | None = None
        self._lock = threading.Lock()

    def attach(self, signals: Mapping[str, Signal]) -> None:
        self._signals = signals

    def claim(self, notification: Notification, now: datetime, lease_until: datetime) -> ClaimOutcome:
        key = ledger_key(notification)
        with self._lock:
            if self._signals is not None and notification.filed_under_signal_id not in self._signals:
                return ClaimOutcome.GONE
            record = self.records.get(key)
            if record is not None and record.status == SENT:
                return ClaimOutcome.ALREADY_SENT
            if (
                record is not None
                and record.status == SENDING
                and not int(record.lease_until.timestamp()) < int(now.timestamp())
            ):
                return ClaimOutcome.IN_FLIGHT
            self.records[key] = LedgerRecord(SENDING, lease_until)
            return ClaimOutcome.CLAIMED

    def release(self, notification: Notification) -> None:
        with self._lock:
            record = self.records.get(ledger_key(notification))
            if record is None or record.status != SENDING:
                raise Conflict("the notification is not being sent")
            record.status = FAILED

    def mark_sent(self, notification: Notification, message_id: str, log: LogEntry) -> None:
        with self._lock:
            self.logbook.check_new(log)
            record = self.records.get(ledger_key(notification))
            if record is not None:
                record.status = SENT
                record.message_id = message_id
            self.logbook.append(log)

    def status(self, notification: Notification) -> str | None:
        record = self.records.get(ledger_key(notification))
        return record.status if record else None

    def states_for_child(self, child_pseudonym: str) -> dict[tuple[str, str], str]:
        return {
            (new_signal_id, recipient): record.status
            for (child, new_signal_id, recipient), record in self.records.items()
            if child == child_pseudonym
        }

    def forget_signal(self, signal: Signal) -> None:
        """Drop what ``DynamoDBSignalStore.delete_derived`` drops: mails about the signal, and the
        other signals' records of having mailed its professional."""
        for key in list(self.records):
            child, new_signal_id, recipient = key
            about_it = child == signal.child_pseudonym.value and new_signal_id == signal.id
            if about_it or recipient == f"signal:{signal.id}":
                del self.records[key]


class InMemoryMatchStore(InMemorySignalStore):
    """The signal store with the reads and writes of the match function and the lifecycle job.

    ``child_partition`` returns what one Query on the child's partition returns in DynamoDB:
    its signals, its match records and the ledger's states of mails about its new signals.
    ``get`` returns a signal with its match records; ``delete`` takes them along, as the
    DynamoDB store does. Every change of a signal refreshes its snapshots on the other sides.
    """

    def __init__(self, logbook: InMemoryLogbook, ledger: InMemoryNotificationLedger | None = None) -> None:
        super().__init__(logbook)
        self.ledger = ledger
        if ledger is not None:
            ledger.attach(self.signals)
        self.matches: dict[tuple[str, str], Match] = {}
        self.match_writes: list[list[Match]] = []
        self.municipal_matches: dict[str, MunicipalMatch] = {}

    def put(self, *signals: Signal) -> None:
        """Store signals as they stand, with the guard of an active one: test setup, no log line."""
        for signal in signals:
            self.signals[signal.id] = signal
            if signal.archived_on is None:
                key = (signal.child_pseudonym.value, signal.organisation.id)
                self.guards.setdefault(key, _Guard(signal.id, signal.active_until))

    def child_partition(self, child_pseudonym: str) -> ChildPartition:
        signals = [s for s in self.signals.values() if s.child_pseudonym.value == child_pseudonym]
        matches = [m for m in self.matches.values() if m.owner_child_pseudonym == child_pseudonym]
        sent = self.ledger.states_for_child(child_pseudonym) if self.ledger is not None else {}
        return ChildPartition(signals, matches, sent)

    def signals_at_address(self, address_pseudonym: str) -> list[Signal]:
        return [s for s in self.signals.values() if s.address_pseudonym.value == address_pseudonym]

    def signals_with_parent(self, parent_pseudonym: str) -> list[Signal]:
        return [s for s in self.signals.values() if parent_pseudonym in {p.value for p in s.parent_pseudonyms}]

    def save_matches(self, new_signal_id: str, records: list[Match], municipal: Sequence[MunicipalMatch] = ()) -> None:
        self.match_writes.append(list(records))
        for match in records:
            self.matches[(match.signal_id, match.id)] = match
        for followed in municipal:
            self.municipal_matches[followed.id] = followed

    def matches_of(self, signal_id: str) -> list[Match]:
        return sorted(
            (m for m in self.matches.values() if m.signal_id == signal_id), key=lambda m: (m.other.created_at, m.id)
        )

    def get(self, signal_id: str) -> SignalWithMatches | None:
        signal = self.signals.get(signal_id)
        return SignalWithMatches.of(signal, self.matches_of(signal_id)) if signal else None

    def lose_match_record(self, shown_with: str, match_id: str) -> None:
        """Test setup: one side's record was never written (a batch cut short) or went with its signal."""
        del self.matches[(shown_with, match_id)]

    def delete(self, read: SignalWithMatches, log: LogEntry) -> None:
        super().delete(read, log)
        signal = read.signal
        for key in [k for k, m in self.matches.items() if signal.id in (m.signal_id, m.other.signal_id)]:
            del self.matches[key]
        for match in read.matches:
            self.municipal_matches.pop(match.id, None)
        if self.ledger is not None:
            self.ledger.forget_signal(signal)

    def refresh_counterparts(self, read: SignalWithMatches) -> None:
        """As ``DynamoDBSignalStore.refresh_counterparts``: the snapshots of the signal that its
        matches lead to, each replaced only by a newer version."""
        signal = read.signal
        with self._lock:
            for match in read.matches:
                key = (match.other.signal_id, match.id)
                theirs = self.matches.get(key)
                if theirs is not None and theirs.other.version < signal.version:
                    snapshot = replace(
                        theirs.other,
                        professional=signal.professional,
                        active_until=signal.active_until,
                        delete_after=signal.delete_after,
                        archived_on=signal.archived_on or theirs.other.archived_on,
                        version=signal.version,
                    )
                    self.matches[key] = replace(theirs, other=snapshot)
                followed = self.municipal_matches.get(match.id) if match.municipality_code else None
                if followed is not None:
                    sides = tuple(
                        replace(side, professional=signal.professional, version=signal.version)
                        if side.signal_id == signal.id and side.version < signal.version
                        else side
                        for side in followed.sides
                    )
                    self.municipal_matches[match.id] = replace(followed, sides=(sides[0], sides[1]))


class InMemoryMunicipalMatches:
    """The regievoerder's records kept by an ``InMemoryMatchStore``, with the conditions of
    ``DynamoDBMunicipalMatches``: a match is in the reminder index while it is open and not every
    side was reminded; an ``open`` follow-up conflicts with a reminder recorded since its read."""

    def __init__(self, store: InMemoryMatchStore) -> None:
        self.store = store
        self._lock = threading.Lock()

    @property
    def records(self) -> dict[str, MunicipalMatch]:
        return self.store.municipal_matches

    def for_municipality(self, municipality_code: str, since: date | None) -> list[MunicipalMatch]:
        found = [
            m
            for m in self.records.values()
            if m.municipality_code == municipality_code and (since is None or m.since.astimezone(UTC).date() >= since)
        ]
        return sorted(found, key=lambda match: (match.since, match.id), reverse=True)

    def get(self, municipality_code: str, match_id: str) -> MunicipalMatch | None:
        match = self.records.get(match_id)
        return match if match is not None and match.municipality_code == municipality_code else None

    def record_follow_up(
        self, match: MunicipalMatch, status: FollowUp, note_code: str | None, at: datetime, log: LogEntry
    ) -> None:
        with self._lock:
            current = self.get(match.municipality_code, match.id)
            if current is None:
                raise NotFound("no such match")
            if status is FollowUp.OPEN and not all(match.reminded) and current.reminded != match.reminded:
                raise Conflict("the match was changed meanwhile; retry")
            self.store.logbook.check_new(log)
            self.records[match.id] = replace(current, follow_up=status, follow_up_at=at, note_code=note_code)
            self.store.logbook.append(log)

    def due_reminders(self, today: date) -> list[MunicipalMatch]:
        due = [
            m
            for m in self.records.values()
            if m.follow_up is FollowUp.OPEN and not all(m.reminded) and m.reminder_due() <= today
        ]
        return sorted(due, key=lambda m: (m.reminder_due(), m.id))

    def mark_reminded(self, match: MunicipalMatch, side: int) -> None:
        with self._lock:
            current = self.records.get(match.id)
            if current is None:
                return
            reminded = (True, current.reminded[1]) if side == 0 else (current.reminded[0], True)
            self.records[match.id] = replace(current, reminded=reminded)


class InMemoryMatchAnswers:
    """The answers kept by an ``InMemoryMatchStore``, with the conditions of ``DynamoDBMatchAnswers``:
    all three copies or none, only while the side's answer is still the one read."""

    def __init__(self, store: InMemoryMatchStore) -> None:
        self.store = store
        self._lock = threading.Lock()

    def find(self, match_id: str) -> MunicipalMatch | None:
        return self.store.municipal_matches.get(match_id)

    def record_answer(self, match: MunicipalMatch, side: int, answer: MatchAnswer, log: LogEntry) -> None:
        own, other = match.sides[side], match.sides[1 - side]
        with self._lock:
            current = self.store.municipal_matches.get(match.id)
            mine = self.store.matches.get((own.signal_id, match.id))
            theirs = self.store.matches.get((other.signal_id, match.id))
            if current is None or mine is None or theirs is None:
                raise NotFound("no such match")
            if current.sides[side].answer != own.answer or mine.answer != own.answer:
                raise Conflict("the answer was changed meanwhile; retry")
            self.store.logbook.check_new(log)
            sides = list(current.sides)
            sides[side] = replace(sides[side], answer=answer)
            self.store.municipal_matches[match.id] = replace(current, sides=(sides[0], sides[1]))
            self.store.matches[(own.signal_id, match.id)] = replace(mine, answer=answer)
            self.store.matches[(other.signal_id, match.id)] = replace(theirs, other_answer=answer)
            self.store.logbook.append(log)


class MailRefused(Exception):
    """What ``RecordingMailer`` raises for an address told to fail."""


class RecordingMailer:
    """Keeps every message it accepts in ``sent``; refuses an address a set number of times."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.refused: list[EmailMessage] = []
        self._failures: dict[str, int] = {}

    def fail_for(self, address: str, times: int = 1) -> None:
        self._failures[address] = times

    def send(self, message: EmailMessage) -> str:
        remaining = self._failures.get(message.to, 0)
        if remaining > 0:
            self._failures[message.to] = remaining - 1
            self.refused.append(message)
            raise MailRefused(f"refused for {message.to}")
        self.sent.append(message)
        return f"message-{len(self.sent)}"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.sent if message.to == address]

    @property
    def recipients(self) -> list[str]:
        return [message.to for message in self.sent]


class RivalFirst:
    """Wraps an adapter so that ``rival`` runs once, just before the first call of ``method``.

    A controlled interleaving: wrapped around a store's write, the rival lands between the read a
    use case made and its write; around a mailer's ``send``, it runs while the mail is out. What
    the rival returned (or raised) is kept in ``rival_result``. Every other attribute is the
    wrapped adapter's own.
    """

    def __init__(self, wrapped: Any, method: str, rival: Callable[[], object]) -> None:
        self._wrapped = wrapped
        self._method = method
        self._rival: Callable[[], object] | None = rival
        self.rival_result: object = None

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._wrapped, name)
        if name != self._method:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            rival, self._rival = self._rival, None
            if rival is not None:
                try:
                    self.rival_result = rival()
                except Exception as exc:  # kept for the test to look at, as a thread's outcome would be
                    self.rival_result = exc
            return attribute(*args, **kwargs)

        return call


# The console's ports ----------------------------------------------------------------------------


@dataclass
class FakeAccount:
    password: str
    person: Person
    email: str = ""
    temporary: bool = True
    enrolled: bool = False
    enabled: bool = True
    last_modified: datetime = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


class InMemoryIdentityProvider:
    """Accounts in a dict; every account's authenticator shows ``code`` (set it to move "time")."""

    SECRET = "FAKEFAKEFAKEFAKE"

    def __init__(self, now: Callable[[], datetime] = lambda: datetime(2026, 11, 28, 10, 15, tzinfo=UTC)) -> None:
        self.now = now
        self.accounts: dict[str, FakeAccount] = {}
        self.code = "123456"
        self.revoked: list[str] = []
        self.refresh_tokens: dict[str, str] = {}
        self._handles: dict[str, Challenge] = {}
        self._issued = 0

    def _challenge(self, kind: ChallengeKind, username: str) -> Challenge:
        self._issued += 1
        challenge = Challenge(kind, username, f"handle-{self._issued}")
        self._handles[challenge.handle] = challenge
        return challenge

    def _take(self, challenge: Challenge) -> FakeAccount:
        if self._handles.pop(challenge.handle, None) != challenge:
            raise ChallengeExpired("unknown handle")
        return self.accounts[challenge.username]

    def sign_in(self, username: str, password: str) -> Challenge:
        account = self.accounts.get(username)
        if account is None or account.password != password or not account.enabled:
            raise SignInRejected("rejected")
        if account.temporary:
            return self._challenge(ChallengeKind.NEW_PASSWORD, username)
        return self._challenge(ChallengeKind.TOTP if account.enrolled else ChallengeKind.ENROL_TOTP, username)

    def set_new_password(self, challenge: Challenge, new_password: str) -> Challenge:
        account = self._take(challenge)
        if len(new_password) < 12:
            self._handles[challenge.handle] = challenge
            raise PasswordRejected("too short")
        account.password, account.temporary, account.last_modified = new_password, False, self.now()
        return self._challenge(ChallengeKind.ENROL_TOTP, challenge.username)

    def begin_enrolment(self, challenge: Challenge) -> tuple[str, Challenge]:
        self._take(challenge)
        return self.SECRET, self._challenge(ChallengeKind.ENROL_TOTP, challenge.username)

    def _check(self, challenge: Challenge, code: str) -> FakeAccount:
        account = self._take(challenge)
        if code != self.code:
            self._handles[challenge.handle] = challenge
            raise CodeRejected("mismatch")
        return account

    def _authenticated(self, account: FakeAccount) -> Authenticated:
        self._issued += 1
        token = f"refresh-{self._issued}"
        self.refresh_tokens[token] = account.person.username
        return Authenticated(account.person, token)

    def finish_enrolment(self, challenge: Challenge, code: str) -> Authenticated:
        account = self._check(challenge, code)
        account.enrolled = True
        return self._authenticated(account)

    def answer_code(self, challenge: Challenge, code: str) -> Authenticated:
        return self._authenticated(self._check(challenge, code))

    def revoke(self, refresh_token: str) -> None:
        if self.refresh_tokens.pop(refresh_token, None) is not None:
            self.revoked.append(refresh_token)

    def refresh_works(self, refresh_token: str) -> bool:
        return refresh_token in self.refresh_tokens

    def invite(self, invitation: Invitation, temporary_password: str) -> None:
        if invitation.username in self.accounts:
            raise Conflict("this username is taken")
        person = Person(
            id=f"sub-{invitation.username}",
            username=invitation.username,
            display_name=invitation.display_name,
            roles=invitation.roles,
            municipality_code=invitation.municipality_code,
            organisation_id=invitation.organisation_id,
        )
        self.accounts[invitation.username] = FakeAccount(
            temporary_password, person, invitation.email, last_modified=self.now()
        )

    def _account(self, account: FakeAccount) -> Account:
        return Account(account.person, account.email, account.enabled, not account.temporary, account.last_modified)

    def people_of(self, municipality_code: str) -> list[Account]:
        found = [a for a in self.accounts.values() if a.person.municipality_code == municipality_code]
        return sorted(
            (self._account(a) for a in found), key=lambda a: (a.person.display_name.casefold(), a.person.username)
        )

    def people_of_organisation(self, organisation_id: str) -> list[Account]:
        found = [a for a in self.accounts.values() if a.person.organisation_id == organisation_id]
        return sorted(
            (self._account(a) for a in found), key=lambda a: (a.person.display_name.casefold(), a.person.username)
        )

    def account(self, username: str) -> Account | None:
        found = self.accounts.get(username)
        return self._account(found) if found is not None else None

    def disable(self, username: str) -> None:
        found = self.accounts.get(username)
        if found is None:
            return
        found.enabled, found.last_modified = False, self.now()
        for token, owner in list(self.refresh_tokens.items()):
            if owner == username:
                del self.refresh_tokens[token]


class InMemorySessionStore:
    def __init__(self) -> None:
        self.sessions: dict[str, tuple[ConsoleSession, datetime]] = {}

    def put(self, session: ConsoleSession, expires_at: datetime) -> None:
        self.sessions[session.key] = (session, expires_at)

    def get(self, key: str) -> ConsoleSession | None:
        found = self.sessions.get(key)
        return found[0] if found else None

    def delete(self, key: str) -> None:
        self.sessions.pop(key, None)


class InMemoryChildLookups:
    def __init__(self) -> None:
        self.children: dict[str, tuple[LookedUpChild, datetime]] = {}

    def put(self, session_key: str, child: LookedUpChild, expires_at: datetime) -> None:
        self.children[session_key] = (child, expires_at)

    def get(self, session_key: str, now: datetime) -> LookedUpChild | None:
        found = self.children.get(session_key)
        return found[0] if found and now < found[1] else None

    def delete(self, session_key: str) -> None:
        self.children.pop(session_key, None)


class InMemoryDueWork:
    """What is due, by key, from a signal store and the regievoerder's records, in the due index's
    order (the signals first, then the reminders); the cursor is the position of the last item
    handed out, so items handled meanwhile do not shift the pages, as on DynamoDB."""

    def __init__(self, store: InMemorySignalStore, reminders: InMemoryMunicipalMatches | None = None) -> None:
        self.store = store
        self.reminders = reminders
        self.pages = 0

    def signal_page(self, cursor: str | None, limit: int) -> DuePage:
        """Every signal, in the order of its id (the cursor: the last id handed out)."""
        self.pages += 1
        ordered = sorted(self.store.signals.values(), key=lambda s: s.id)
        page = [s for s in ordered if cursor is None or s.id > cursor][:limit]
        items = [DueItem(DueKind.SIGNAL, s.child_pseudonym.value, s.id) for s in page]
        return DuePage(items, page[-1].id if len(page) == limit else None)

    def due_page(self, today: date, cursor: str | None, limit: int) -> DuePage:
        self.pages += 1
        due = [
            ((0, next_due(s).isoformat(), s.id), DueItem(DueKind.SIGNAL, s.child_pseudonym.value, s.id))
            for s in self.store.due_signals(today)
        ]
        if self.reminders is not None:
            due += [
                ((1, m.reminder_due().isoformat(), m.id), DueItem(DueKind.REMINDER, m.municipality_code, m.id))
                for m in self.reminders.due_reminders(today)
            ]
        after = tuple(json.loads(cursor)) if cursor else (-1, "", "")
        page = sorted((position, item) for position, item in due if position > after)[:limit]
        if len(page) < limit:
            return DuePage([item for _, item in page], None)
        return DuePage([item for _, item in page], json.dumps(page[-1][0]))


class InMemoryWorkQueue:
    """The chunks sent, in order; ``take`` hands them to a worker as SQS would (at least once)."""

    def __init__(self) -> None:
        self.sent: list[Chunk] = []
        self.sends = 0

    def send(self, chunks: Sequence[Chunk]) -> None:
        self.sends += 1
        self.sent.extend(chunks)

    def take(self) -> list[Chunk]:
        taken, self.sent = self.sent, []
        return taken
