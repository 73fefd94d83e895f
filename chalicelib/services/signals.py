"""Use cases of an organisation's system: register, read, list, close and hand over signals."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from chalicelib.domain import lifecycle
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.errors import Forbidden, IdempotencyKeyReused, InvalidInput, NotFound
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import (
    Child,
    CloseReason,
    Organisation,
    Principal,
    PrincipalKind,
    Professional,
    Signal,
    SignalStatus,
    Verification,
)
from chalicelib.domain.recheck import Recheck
from chalicelib.ports import (
    IdempotencyRecord,
    IdempotencyReplay,
    Logbook,
    PseudonymiserProvider,
    SignalPage,
    SignalStore,
)
from chalicelib.ports_register import PopulationRegister, RecheckQueue
from chalicelib.services.audit import Audit
from chalicelib.services.hand_over_mail import HandOverMail
from chalicelib.services.optimistic import on_fresh_reads
from chalicelib.services.register_updates import RegisterSubscriptions
from chalicelib.services.verification import check_child, queue_recheck

IDEMPOTENCY_WINDOW = timedelta(hours=24)
MAX_PAGE_SIZE = 100
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_T = TypeVar("_T")


@dataclass(frozen=True)
class NewSignal:
    """A validated request to register a signal; the BSN lives here only until it is hashed."""

    bsn: str
    child: Child
    professional: Professional
    family_informed: bool
    case_reference: str | None
    end_date: date | None
    body_fingerprint_source: dict[str, object]


@dataclass(frozen=True)
class Registered:
    read: SignalWithMatches
    """The new signal, or the first request's signal as stored now when the request is replayed."""
    replayed: bool

    @property
    def signal(self) -> Signal:
        return self.read.signal


def require_organisation(principal: Principal) -> Organisation:
    if principal.kind is not PrincipalKind.ORGANISATION or principal.organisation is None:
        raise Forbidden("this endpoint is for organisations")
    return principal.organisation


class SignalService:
    def __init__(
        self,
        store: SignalStore,
        logbook: Logbook,
        pseudonymiser: PseudonymiserProvider,
        audit: Audit,
        register: PopulationRegister | None = None,
        subscriptions: RegisterSubscriptions | None = None,
        rechecks: RecheckQueue | None = None,
        hand_over_mail: HandOverMail | None = None,
    ) -> None:
        self._store = store
        self._logbook = logbook
        self._pseudonymiser = pseudonymiser
        self._audit = audit
        # None when the deployment runs without the population register (the setting BRP).
        self._register = register
        # None without the BRP Update API (the setting BRP_FOLLOW): then no child is followed.
        self._subscriptions = subscriptions
        # Where a signal accepted while the register was down waits for its recheck (with the BSN).
        self._rechecks = rechecks
        # Tells the new professional of a hand-over; None where no mail is sent (some tools and tests).
        self._hand_over_mail = hand_over_mail

    def today(self) -> date:
        return self._audit.today()

    def _log(self, principal: Principal, at: datetime, action: Action, signal: Signal | None) -> LogEntry:
        return self._audit.by(principal, at, action, signal=signal)

    def register(self, principal: Principal, request: NewSignal, idempotency_key: str | None) -> Registered:
        organisation = require_organisation(principal)
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise InvalidInput.single("Idempotency-Key", "use 1 to 128 letters, digits or . _ : -")
        now = self._audit.now()
        today = dutch_date(now)
        birth_date = request.child.birth_date
        lifecycle.check_child_may_be_signalled(birth_date, today)
        active_until = lifecycle.active_until(today, birth_date, request.end_date)
        checked = check_child(self._register, request.bsn, request.child)
        pseudonymiser = self._pseudonymiser()
        signal = Signal(
            id=self._audit.new_id(now),
            child_pseudonym=pseudonymiser.child(request.bsn),
            address_pseudonym=checked.address_pseudonym(pseudonymiser, request.child.address),
            verification=checked.verification,
            parent_pseudonyms=checked.parent_pseudonyms(pseudonymiser),
            child=request.child,
            organisation=organisation,
            professional=request.professional,
            created_at=now,
            active_until=active_until,
            delete_after=lifecycle.delete_after(active_until, birth_date),
            family_informed=request.family_informed,
            inform=lifecycle.who_to_inform(birth_date, today),
            case_reference=request.case_reference,
            idempotency_key=idempotency_key,
        )
        record = None
        if idempotency_key is not None:
            record = IdempotencyRecord(
                organisation_id=organisation.id,
                key=idempotency_key,
                fingerprint=pseudonymiser.fingerprint(request.body_fingerprint_source),
                signal_id=signal.id,
                expires_at=now + IDEMPOTENCY_WINDOW,
            )
        try:
            self._store.add(signal, today, record, self._log(principal, now, Action.SIGNAL_CREATED, signal))
        except IdempotencyReplay as replay:
            assert record is not None
            return Registered(self._replay(organisation, replay.record, record.fingerprint), replayed=True)
        if self._subscriptions is not None and checked.verification is Verification.VERIFIED:
            self._subscriptions.subscribe(request.bsn, signal)
        if self._rechecks is not None and checked.verification is Verification.PENDING:
            queue_recheck(self._rechecks, Recheck(signal.id, signal.child_pseudonym.value, request.bsn))
        return Registered(SignalWithMatches(signal=signal), replayed=False)

    def _replay(self, organisation: Organisation, first: IdempotencyRecord, fingerprint: str) -> SignalWithMatches:
        if first.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return self._owned(organisation, first.signal_id)

    def status(self, signal: Signal) -> SignalStatus | None:
        return lifecycle.status_on(signal, self.today())

    def _owned(self, organisation: Organisation, signal_id: str) -> SignalWithMatches:
        return self._visible(organisation, self._store.get(signal_id))

    def _visible(self, organisation: Organisation, read: SignalWithMatches | None) -> SignalWithMatches:
        if read is None or read.signal.organisation.id != organisation.id or self.status(read.signal) is None:
            raise NotFound("no such signal")
        return read

    def _changed(self, organisation: Organisation, signal_id: str, change: Callable[[SignalWithMatches], _T]) -> _T:
        """``change`` of the signal as read, or as read again if it was changed meanwhile."""
        return on_fresh_reads(
            self._owned(organisation, signal_id),
            lambda stale: self._visible(organisation, self._store.reload(stale.signal)),
            change,
        )

    def get(self, principal: Principal, signal_id: str) -> SignalWithMatches:
        organisation = require_organisation(principal)
        read = self._owned(organisation, signal_id)
        self._logbook.append(self._log(principal, self._audit.now(), Action.SIGNAL_READ, read.signal))
        return read

    def list(
        self,
        principal: Principal,
        status: SignalStatus | None,
        limit: int,
        after: str | None,
    ) -> SignalPage:
        organisation = require_organisation(principal)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput.single("limit", f"limit must lie between 1 and {MAX_PAGE_SIZE}")
        now = self._audit.now()
        page = self._store.list_for_organisation(organisation.id, status, dutch_date(now), limit, after)
        self._logbook.append(self._log(principal, now, Action.SIGNALS_LISTED, None))
        return page

    def close(self, principal: Principal, signal_id: str, reason: CloseReason) -> SignalWithMatches | None:
        """Close early: ``risk_resolved`` archives from today, ``unjustified`` deletes at once.

        Returns the archived signal, or ``None`` when it was deleted.
        """
        organisation = require_organisation(principal)
        return self._changed(organisation, signal_id, lambda read: self._close(principal, read, reason))

    def _close(self, principal: Principal, read: SignalWithMatches, reason: CloseReason) -> SignalWithMatches | None:
        now = self._audit.now()
        today = dutch_date(now)
        signal = read.signal
        if reason is CloseReason.UNJUSTIFIED:
            self._store.delete(read, self._log(principal, now, Action.SIGNAL_DELETED, signal))
            return None
        if self.status(signal) is SignalStatus.ARCHIVED:
            # Nothing changes, but the signal goes back to the caller: log it as the read it is.
            self._logbook.append(self._log(principal, now, Action.SIGNAL_READ, signal))
            return read
        archived = replace(
            signal,
            archived_on=today,
            close_reason=reason,
            delete_after=lifecycle.delete_after(today, signal.child.birth_date),
        )
        self._store.archive(read, archived, self._log(principal, now, Action.SIGNAL_ARCHIVED, signal))
        return read.changed(archived)

    def hand_over(self, principal: Principal, signal_id: str, professional: Professional) -> SignalWithMatches:
        organisation = require_organisation(principal)
        return self._changed(organisation, signal_id, lambda read: self._hand_over(principal, read, professional))

    def _hand_over(
        self, principal: Principal, read: SignalWithMatches, professional: Professional
    ) -> SignalWithMatches:
        signal = read.signal
        log = self._log(principal, self._audit.now(), Action.SIGNAL_HANDED_OVER, signal)
        self._store.replace_professional(read, professional, log)
        handed_over = read.changed(replace(signal, professional=professional, version=signal.version + 1))
        if self._hand_over_mail is not None:
            self._hand_over_mail.tell(principal, signal.professional, handed_over.signal)
        return handed_over
