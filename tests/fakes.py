"""In-memory fakes of the ports in ``chalicelib.services.ports``.

They keep the same rules as the DynamoDB adapters (one active signal per organisation per child,
idempotency records, newest-first pages, all-or-nothing writes with their log line), so a service
test on these fakes tells the truth about the service on DynamoDB. The contract suite in
``tests/integration/test_signal_store_contract.py`` holds both to the same behaviour.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.errors import DuplicateActiveSignal, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.model import Organisation, Professional, Signal, SignalStatus
from chalicelib.services.ports import IdempotencyRecord, IdempotencyReplay, SignalPage, TokenGrant


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
            raise ValueError(f"log entry {entry.id} exists already")

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
    included, as a DynamoDB transaction does.
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
                raise ValueError(f"signal {signal.id} exists already")
            self.logbook.check_new(log)
            self.signals[signal.id] = signal
            self.guards[guard_key] = _Guard(signal.id, signal.active_until)
            if idempotency is not None:
                self.idempotency[(idempotency.organisation_id, idempotency.key)] = idempotency
            self.logbook.append(log)

    def get(self, signal_id: str) -> Signal | None:
        return self.signals.get(signal_id)

    def get_idempotency(self, organisation_id: str, key: str) -> IdempotencyRecord | None:
        return self.idempotency.get((organisation_id, key))

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
        if len(found) > limit:
            page = found[:limit]
            return SignalPage(page, sort_key(page[-1]))
        return SignalPage(found, None)

    def archive(self, signal: Signal, archived: Signal, log: LogEntry) -> None:
        with self._lock:
            self._check_exists(signal)
            self.logbook.check_new(log)
            self.signals[signal.id] = archived
            self._release_guard(signal)
            self.logbook.append(log)

    def delete(self, signal: Signal, log: LogEntry) -> None:
        with self._lock:
            self._check_exists(signal)
            self.logbook.check_new(log)
            del self.signals[signal.id]
            self._release_guard(signal)
            self.logbook.append(log)

    def replace_professional(self, signal: Signal, professional: Professional, log: LogEntry) -> None:
        with self._lock:
            self._check_exists(signal)
            self.logbook.check_new(log)
            self.signals[signal.id] = replace(self.signals[signal.id], professional=professional)
            self.logbook.append(log)

    def _check_exists(self, signal: Signal) -> None:
        if signal.id not in self.signals:
            raise NotFound("no such signal")

    def _release_guard(self, signal: Signal) -> None:
        """Only this signal's own guard: a newer signal may have taken over an expired one."""
        key = (signal.child_pseudonym.value, signal.organisation.id)
        guard = self.guards.get(key)
        if guard is not None and guard.signal_id == signal.id:
            del self.guards[key]


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
    owner: str
    status: str


class InMemoryRegistry:
    """Organisations, municipalities, tokens (by hash only) and excluded addresses.

    The same methods and the same refusals as ``DynamoDBRegistry``.
    """

    def __init__(self) -> None:
        self.organisations: dict[str, tuple[Organisation, str]] = {}
        self.municipalities: dict[str, dict[str, object]] = {}
        self.tokens: dict[str, _StoredToken] = {}
        self.excluded_addresses: dict[str, str] = {}

    # Tokens

    def token_by_hash(self, token_hash: str) -> TokenGrant | None:
        stored = self.tokens.get(token_hash)
        if stored is None:
            return None
        return replace(stored.grant, active=stored.status == ACTIVE)

    def put_token(self, grant: TokenGrant, owner_pk: str, created_at: datetime) -> None:
        if grant.token_hash in self.tokens or any(t.grant.token_id == grant.token_id for t in self.tokens.values()):
            raise ValueError(f"token {grant.token_id} exists already")
        self.tokens[grant.token_hash] = _StoredToken(grant, owner_pk, ACTIVE if grant.active else SUSPENDED)

    def revoke_token(self, token_id: str) -> None:
        for stored in self.tokens.values():
            if stored.grant.token_id == token_id:
                stored.status = REVOKED
                return
        raise NotFound(f"no token {token_id}")

    # Organisations and municipalities

    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None:
        if organisation.id in self.organisations:
            raise ValueError(f"organisation {organisation.id} exists already")
        self.organisations[organisation.id] = (organisation, ACTIVE)

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        found = self.organisations.get(organisation_id)
        return found[0] if found else None

    def organisation_suspended(self, organisation_id: str) -> bool:
        found = self.organisations.get(organisation_id)
        return found is not None and found[1] == SUSPENDED

    def suspend_organisation(self, organisation_id: str) -> int:
        found = self.organisations.get(organisation_id)
        if found is None:
            raise NotFound(f"no organisation {organisation_id}")
        self.organisations[organisation_id] = (found[0], SUSPENDED)
        owned = [t for t in self.tokens.values() if t.owner == f"ORG#{organisation_id}"]
        for stored in owned:
            stored.status = SUSPENDED
        return len(owned)

    def put_municipality(
        self, code: str, name: str, region: str, regievoerder_email: str | None, created_at: datetime
    ) -> None:
        if code in self.municipalities:
            raise ValueError(f"municipality {code} exists already")
        item: dict[str, Any] = {"name": name, "region": region, "status": ACTIVE}
        if regievoerder_email:
            item["regievoerder_email"] = regievoerder_email
        self.municipalities[code] = item

    def get_municipality(self, code: str) -> dict[str, object] | None:
        return self.municipalities.get(code)

    def regievoerder_email(self, municipality_code: str) -> str | None:
        item = self.municipalities.get(municipality_code)
        email = item.get("regievoerder_email") if item else None
        return str(email) if email else None

    # Excluded addresses

    def add_excluded_address(self, address_pseudonym: str, key_version: str, created_at: datetime) -> bool:
        if address_pseudonym in self.excluded_addresses:
            return False
        self.excluded_addresses[address_pseudonym] = key_version
        return True

    def is_excluded_address(self, address_pseudonym: str) -> bool:
        return address_pseudonym in self.excluded_addresses
