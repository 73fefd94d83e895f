"""The family's rights, exercised through the municipality: access, correction, erasure.

A municipality acts only on children with a signal whose address lies in it, or that an
organisation of its region made. Anything else answers exactly like "nothing stored", so a
municipality cannot find out whether another one's child is in the index.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain import lifecycle
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import Match, SignalWithMatches
from chalicelib.domain.model import Address, Child, Gender, Principal, PrincipalKind, Pseudonym, Signal, SignalStatus
from chalicelib.domain.notifications import moved_in, removed_notice
from chalicelib.observability import logger
from chalicelib.ports import (
    ChildPartitions,
    Logbook,
    Mailer,
    NotificationLedger,
    PseudonymiserProvider,
    Regievoerders,
    SignalStore,
)
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import Delivery, send_once
from chalicelib.services.optimistic import on_fresh_reads

# The child as a request names it: by BSN (the API), or by the pseudonym a console looked up before.
Subject = str | Pseudonym


class NothingStored(NotFound):
    """Nothing is stored about this child, or nothing this municipality may see."""


def require_municipality(principal: Principal) -> str:
    if principal.kind is not PrincipalKind.MUNICIPALITY or principal.municipality_code is None:
        raise Forbidden("this endpoint is for municipalities")
    return principal.municipality_code


@dataclass(frozen=True)
class SubjectRecord:
    """Everything stored about one child, as the municipality may show it to the family."""

    child_pseudonym: str
    signals: list[SignalWithMatches]
    log: list[LogEntry]
    today: date

    @property
    def child(self) -> Child:
        return _latest(self.signals).child

    def status(self, read: SignalWithMatches) -> SignalStatus:
        return lifecycle.status_on(read.signal, self.today) or SignalStatus.ARCHIVED


def _latest(signals: list[SignalWithMatches]) -> Signal:
    """The most recent signal: it holds the most recently given (or corrected) data of the child."""
    return max((read.signal for read in signals), key=lambda s: (s.created_at, s.id))


@dataclass(frozen=True)
class ChildCorrection:
    given_names: str | None = None
    family_name_prefix: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    gender: Gender | None = None
    address: Address | None = None
    clear_family_name_prefix: bool = False


@dataclass(frozen=True)
class Rectified:
    child: Child
    signals_updated: int
    new_municipality_notified: bool


@dataclass(frozen=True)
class Erased:
    signals_erased: int
    professionals_notified: int


class SubjectService:
    def __init__(
        self,
        signals: SignalStore,
        partitions: ChildPartitions,
        logbook: Logbook,
        regievoerders: Regievoerders,
        ledger: NotificationLedger,
        mailer: Mailer,
        pseudonymiser: PseudonymiserProvider,
        audit: Audit,
    ) -> None:
        self._signals = signals
        self._partitions = partitions
        self._logbook = logbook
        self._regievoerders = regievoerders
        self._ledger = ledger
        self._mailer = mailer
        self._pseudonymiser = pseudonymiser
        self._audit = audit

    def _in_scope(self, principal: Principal, bsn: Subject) -> tuple[Pseudonym, list[SignalWithMatches]]:
        """The child's pseudonym and living signals (with their matches), or ``NothingStored``."""
        code = require_municipality(principal)
        pseudonym = bsn if isinstance(bsn, Pseudonym) else self._pseudonymiser().child(bsn)
        partition = self._partitions.child_partition(pseudonym.value)
        today = self._audit.today()
        living = [s for s in partition.signals if lifecycle.status_on(s, today) is not None]
        in_scope = any(
            s.child.address.municipality_code == code or s.organisation.region == principal.region for s in living
        )
        if not in_scope:
            raise NothingStored("nothing is stored about this child")
        by_signal: dict[str, list[Match]] = {}
        for match in partition.matches:
            by_signal.setdefault(match.signal_id, []).append(match)
        with_matches = [
            SignalWithMatches(signal=s, matches=tuple(sorted(by_signal.get(s.id, []), key=lambda m: (m.since, m.id))))
            for s in living
        ]
        return pseudonym, with_matches

    def look_up(self, principal: Principal, bsn: str) -> Pseudonym:
        """The child's pseudonym, for a console to ask again by without keeping the BSN. Finding the
        child tells that something is stored, so the look-up is logged; finding nothing is not."""
        pseudonym = self._in_scope(principal, bsn)[0]
        self._logbook.append(self._audit.by(principal, self._audit.now(), Action.SUBJECT_LOOKED_UP, child=pseudonym))
        return pseudonym

    def access(self, principal: Principal, bsn: Subject) -> SubjectRecord:
        """Everything stored about the child, for the family; the access itself is logged first."""
        pseudonym, signals = self._in_scope(principal, bsn)
        self._logbook.append(self._audit.by(principal, self._audit.now(), Action.SUBJECT_ACCESSED, child=pseudonym))
        return self._record(pseudonym, signals)

    def record(self, principal: Principal, bsn: Subject) -> SubjectRecord:
        """What ``access`` shows, without logging a new access: for the console's correction and
        erasure pages, which show part of the overview its user just opened (and logged)."""
        return self._record(*self._in_scope(principal, bsn))

    def _record(self, pseudonym: Pseudonym, signals: list[SignalWithMatches]) -> SubjectRecord:
        entries = sorted(self._logbook.entries_for_child(pseudonym.value), key=lambda e: (e.at, e.id))
        return SubjectRecord(
            pseudonym.value,
            sorted(signals, key=lambda r: (r.signal.created_at, r.signal.id)),
            entries,
            self._audit.today(),
        )

    def rectify(self, principal: Principal, bsn: Subject, correction: ChildCorrection) -> Rectified:
        """Correct the child's data in every signal at once.

        Computed from the signals as read and written on condition that none changed meanwhile; if
        one did, the correction is applied again to what is stored then.
        """
        return on_fresh_reads(
            self._in_scope(principal, bsn),
            lambda _: self._in_scope(principal, bsn),
            lambda read: self._rectify(principal, read, correction),
        )

    def _rectify(
        self, principal: Principal, in_scope: tuple[Pseudonym, list[SignalWithMatches]], correction: ChildCorrection
    ) -> Rectified:
        pseudonym, signals = in_scope
        now = self._audit.now()
        today = dutch_date(now)
        current = _latest(signals).child
        corrected = Child(
            given_names=correction.given_names or current.given_names,
            family_name_prefix=None
            if correction.clear_family_name_prefix
            else (correction.family_name_prefix or current.family_name_prefix),
            family_name=correction.family_name or current.family_name,
            birth_date=correction.birth_date or current.birth_date,
            gender=correction.gender or current.gender,
            address=correction.address or current.address,
        )
        if corrected.birth_date != current.birth_date:
            try:
                lifecycle.check_child_may_be_signalled(corrected.birth_date, today)
            except InvalidInput as exc:
                raise InvalidInput.single(
                    "child.birth_date", "with this birth date the child is 23 or older: erase the signals instead"
                ) from exc
        pseudonymiser = self._pseudonymiser()
        address_pseudonym = pseudonymiser.address(corrected.address)
        last_day = lifecycle.last_day_before_23(corrected.birth_date)
        updated = [
            read.changed(
                replace(
                    read.signal,
                    child=corrected,
                    address_pseudonym=address_pseudonym,
                    active_until=min(read.signal.active_until, last_day),
                    delete_after=min(read.signal.delete_after, last_day),
                )
            )
            for read in signals
        ]
        stored = self._signals.replace_signals(
            updated, self._audit.by(principal, now, Action.SUBJECT_RECTIFIED, child=pseudonym, detail="child data")
        )
        notified = False
        old_codes = {read.signal.child.address.municipality_code for read in signals}
        new_code = corrected.address.municipality_code
        if new_code not in old_codes:
            notified = self._tell_new_municipality(principal, [read.signal for read in stored], new_code, now)
        return Rectified(corrected, len(updated), notified)

    def _tell_new_municipality(self, principal: Principal, signals: list[Signal], code: str, now: datetime) -> bool:
        """Tell the regievoerder of the municipality the child moved into, once per move."""
        email = self._regievoerders.regievoerder_email(code)
        if email is None:
            return False
        notice = moved_in(signals, code, email)
        log = self._audit.by(
            principal,
            now,
            Action.NOTIFICATION_SENT,
            child=signals[0].child_pseudonym,
            detail=f"moved_in; municipality {code}",
        )
        try:
            delivery = send_once(self._ledger, self._mailer, notice, now, log)
        except Exception as exc:
            # The correction stands; the response says the notice did not go.
            logger.error("moved-in notice failed", extra={"error_type": type(exc).__name__})
            return False
        return delivery in (Delivery.SENT, Delivery.ALREADY_SENT)

    def erase(self, principal: Principal, bsn: Subject, reason: str) -> Erased:
        """Delete every signal of the child, telling each professional once.

        Each professional is told before their signal goes, since the notice's ledger entry goes
        with it: a parallel erasure then finds the notice claimed or sent, or the signal gone.
        """
        pseudonym, signals = self._in_scope(principal, bsn)
        now = self._audit.now()
        notified = 0
        for read in signals:
            signal = read.signal
            notified += self._tell_removed(principal, signal, pseudonym, now)
            log = self._audit.by(
                principal, now, Action.SIGNAL_DELETED, signal_id=signal.id, child=pseudonym, detail=f"erasure: {reason}"
            )
            # Deleted meanwhile by a parallel erasure, which told the professional.
            with contextlib.suppress(NotFound):
                self._signals.delete(read, log)
        # The fact of the erasure stays, under the pseudonym only.
        self._logbook.append(
            self._audit.by(principal, now, Action.SUBJECT_ERASED, child=pseudonym, detail=f"{len(signals)} signal(s)")
        )
        return Erased(len(signals), notified)

    def _tell_removed(self, principal: Principal, signal: Signal, pseudonym: Pseudonym, now: datetime) -> int:
        log = self._audit.by(
            principal, now, Action.NOTIFICATION_SENT, signal_id=signal.id, child=pseudonym, detail="removed_owner"
        )
        try:
            delivery = send_once(self._ledger, self._mailer, removed_notice(signal), now, log)
        except Exception as exc:
            logger.error("removal notice failed", extra={"signal_id": signal.id, "error_type": type(exc).__name__})
            return 0
        if delivery is Delivery.IN_FLIGHT:
            raise Conflict("this child's signals are being erased by another request; retry")
        return int(delivery in (Delivery.SENT, Delivery.ALREADY_SENT))
