"""A signal accepted while the population register (BRP) was down, checked again from the queue.

At the POST the BSN went, with the signal's key, onto an encrypted queue (``RecheckQueue``), when
the register was down or when following the child through the Update API failed; this service takes
one such message, some minutes later:

- the signal is gone, or ``mismatched`` (checked already): nothing happens;
- the signal is ``verified`` (a subscription that failed at its POST queued the message, or this
  message's own subscription failed after it verified the signal): its child is followed again, an
  idempotent ``PUT /volgindicaties``, and the message comes back while the Update API is down;
- the register is still down: ``RegisterUnavailable`` propagates, and the queue delivers again later;
- the register agrees: the signal becomes ``verified`` (a versioned write) with its address
  pseudonym on the registered address and its parents' pseudonyms (and their links), as a verified
  POST stores it, and the child is followed through the Update API when that is on; that write's
  stream record (``pending`` to ``verified``) makes the match function match it again, for the
  family and at the registered address (``services.matching``);
- the register contradicts it: its professional is told once (the ledger), naming the signal, the
  case reference and the field, never what the register holds; only then is it marked
  ``mismatched``, so a failure in between sends nothing twice and loses no mail.

A mismatched signal stays until its professional closes it (``docs/brp.md``): a signal about a
child at risk is never lost to a typing error.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from chalicelib.domain import lifecycle
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import Signal, Verification
from chalicelib.domain.notifications import mismatch_notice
from chalicelib.domain.population import RegisterUse, disagreements
from chalicelib.domain.recheck import Recheck
from chalicelib.observability import count
from chalicelib.ports import Mailer, NotificationLedger, PseudonymiserProvider, SignalStore
from chalicelib.ports_register import PopulationRegister
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import send_once
from chalicelib.services.register_updates import RegisterSubscriptions
from chalicelib.services.verification import Checked

CLIENT_ID = "brp-recheck"


class Rechecked(StrEnum):
    SKIPPED = "skipped"
    VERIFIED = "verified"
    MISMATCHED = "mismatched"
    FOLLOWED = "followed"
    """A ``verified`` signal's child followed again: its subscription had failed."""


class RecheckService:
    def __init__(
        self,
        register: PopulationRegister,
        signals: SignalStore,
        ledger: NotificationLedger,
        mailer: Mailer,
        pseudonymiser: PseudonymiserProvider,
        audit: Audit,
        subscriptions: RegisterSubscriptions | None = None,
    ) -> None:
        self._register = register
        self._signals = signals
        self._ledger = ledger
        self._mailer = mailer
        self._pseudonymiser = pseudonymiser
        self._audit = audit
        self._subscriptions = subscriptions

    def recheck(self, message: Recheck) -> Rechecked:
        read = self._signals.get(message.signal_id)
        if read is None or not self._still_living(read.signal, message):
            return Rechecked.SKIPPED
        if read.signal.verification is Verification.VERIFIED:
            followed = self._follow(message.bsn, read.signal)
            if followed is Rechecked.FOLLOWED:
                count("RegisterSubscriptionsRetried")
            return followed
        if read.signal.verification is not Verification.PENDING:
            return Rechecked.SKIPPED
        # RegisterUnavailable propagates: the message comes back after its visibility timeout.
        person = self._register.persons([message.bsn], RegisterUse.VERIFY).get(message.bsn)
        errors = disagreements(read.signal.child, person)
        if errors:
            self._mismatched(read, tuple(error.field for error in errors))
            return Rechecked.MISMATCHED
        checked = Checked(Verification.VERIFIED, person)
        signal = read.signal
        pseudonymiser = self._pseudonymiser()
        # As a POST verified at once stores it; the stream then matches it on what it now holds.
        verified = replace(
            signal,
            verification=Verification.VERIFIED,
            address_pseudonym=checked.address_pseudonym(pseudonymiser, signal.child.address),
            parent_pseudonyms=checked.parent_pseudonyms(pseudonymiser),
            rechecked_at=self._audit.now().replace(microsecond=0),
        )
        stored = self._store(read, verified, "recheck (BRP): verified")
        count("SignalsVerifiedLater")
        # Should the Update API fail now, the message comes back and finds the signal verified.
        self._follow(message.bsn, stored.signal)
        return Rechecked.VERIFIED

    def _follow(self, bsn: str, signal: Signal) -> Rechecked:
        """Follow the child of a verified signal (an idempotent PUT); ``RegisterUnavailable``
        propagates, so the queue delivers the message again while the Update API is down."""
        if self._subscriptions is None:
            return Rechecked.SKIPPED
        self._subscriptions.follow(bsn, signal)
        return Rechecked.FOLLOWED

    def _still_living(self, signal: Signal, message: Recheck) -> bool:
        return (
            signal.child_pseudonym.value == message.child_pseudonym
            and lifecycle.status_on(signal, self._audit.today()) is not None
        )

    def _mismatched(self, read: SignalWithMatches, fields: tuple[str, ...]) -> None:
        signal = read.signal
        now = self._audit.now()
        log = self._audit.entry(
            now,
            Action.NOTIFICATION_SENT,
            client_id=CLIENT_ID,
            signal_id=signal.id,
            child=signal.child_pseudonym,
            detail="mismatched_owner (BRP)",
        )
        # Told first, marked second: a failure in between asks again and finds the mail in the ledger.
        send_once(self._ledger, self._mailer, mismatch_notice(signal, fields), now, log)
        self._store(read, replace(signal, verification=Verification.MISMATCHED), "recheck (BRP): mismatched")
        count("SignalsMismatchedLater")

    def _store(self, read: SignalWithMatches, changed: Signal, detail: str) -> SignalWithMatches:
        """A versioned write: ``Conflict`` when the signal changed meanwhile, and the queue retries."""
        log = self._audit.entry(
            self._audit.now(),
            Action.SUBJECT_RECTIFIED,
            client_id=CLIENT_ID,
            signal=read.signal,
            detail=detail,
        )
        return self._signals.replace_signals([read.changed(changed)], log)[0]
