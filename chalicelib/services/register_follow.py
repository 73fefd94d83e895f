"""Moves and deaths the population register (BRP) records, applied to the children with signals.

``follow(bsns)`` asks the register about the children (``RegisterUse.FOLLOW``: address, municipality,
death; 20 BSNs per request), pseudonymises each BSN at once and reads that child's signals:

- **a death** deletes every living signal of the child at once, never archived, each professional
  told once (the removal notice, through the mail ledger), and logs the erasure under the pseudonym;
- **a move** (another registered address) re-keys address matching on the new address, tells each
  professional once (the moved notice) and, when the municipality changed, moves the signals to it
  and tells its regievoerder once (the moved-in notice).

The system keeps no BSN: they come from the BRP Update API's changes (``GET /wijzigingen``,
``services/register_nightly.py``), in batches of 20 (``docs/brp.md``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import Pseudonym
from chalicelib.domain.notifications import Notification, moved_in, moved_notice, removed_notice
from chalicelib.domain.population import RegisteredPerson, RegisterUse
from chalicelib.ports import (
    ChildPartitions,
    Logbook,
    Mailer,
    NotificationLedger,
    PseudonymiserProvider,
    Regievoerders,
    SignalStore,
)
from chalicelib.ports_register import PopulationRegister
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import Delivery, send_once

CLIENT_ID = "brp-follow"


@dataclass
class FollowOutcome:
    asked: int = 0
    moved: int = 0
    deceased: int = 0
    deleted: int = 0
    notified: int = 0


class RegisterFollowService:
    def __init__(
        self,
        register: PopulationRegister,
        signals: SignalStore,
        partitions: ChildPartitions,
        logbook: Logbook,
        regievoerders: Regievoerders,
        ledger: NotificationLedger,
        mailer: Mailer,
        pseudonymiser: PseudonymiserProvider,
        audit: Audit,
    ) -> None:
        self._register = register
        self._signals = signals
        self._partitions = partitions
        self._logbook = logbook
        self._regievoerders = regievoerders
        self._ledger = ledger
        self._mailer = mailer
        self._pseudonymiser = pseudonymiser
        self._audit = audit

    def follow(self, bsns: Sequence[str]) -> FollowOutcome:
        outcome = FollowOutcome(asked=len(set(bsns)))
        pseudonymiser = self._pseudonymiser()
        for bsn, person in self._register.persons(bsns, RegisterUse.FOLLOW).items():
            pseudonym = pseudonymiser.child(bsn)
            living = self._living(pseudonym)
            if not living:
                continue
            if person.deceased:
                outcome.deceased += 1
                self._died(pseudonym, living, outcome)
            elif self._move(person, living, outcome):
                outcome.moved += 1
        return outcome

    def _living(self, pseudonym: Pseudonym) -> list[SignalWithMatches]:
        partition = self._partitions.child_partition(pseudonym.value)
        today = self._audit.today()
        return [
            SignalWithMatches.of(signal, [m for m in partition.matches if m.signal_id == signal.id])
            for signal in partition.signals
            if lifecycle.status_on(signal, today) is not None
        ]

    def _died(self, pseudonym: Pseudonym, living: list[SignalWithMatches], outcome: FollowOutcome) -> None:
        now = self._audit.now()
        for read in living:
            signal = read.signal
            # Told before the signal goes: the notice's ledger entry goes with it.
            outcome.notified += self._send(removed_notice(signal), now, signal.id, pseudonym, "removed_owner")
            log = self._audit.entry(
                now, Action.SIGNAL_DELETED, client_id=CLIENT_ID, signal=signal, detail="death (BRP)"
            )
            with contextlib.suppress(NotFound):  # deleted meanwhile
                self._signals.delete(read, log)
                outcome.deleted += 1
        self._logbook_erasure(pseudonym, len(living), now)

    def _logbook_erasure(self, pseudonym: Pseudonym, count: int, now: datetime) -> None:
        # The fact of the deletion stays, under the pseudonym only (as a municipal erasure's does).
        entry = self._audit.entry(
            now, Action.SUBJECT_ERASED, client_id=CLIENT_ID, child=pseudonym, detail=f"death (BRP); {count} signal(s)"
        )
        self._logbook.append(entry)

    def _move(self, person: RegisteredPerson, living: list[SignalWithMatches], outcome: FollowOutcome) -> bool:
        registered = person.address
        if registered is None:
            return False
        address_pseudonym = self._pseudonymiser().address_parts(
            registered.postcode, registered.house_number, registered.house_letter, registered.house_number_suffix
        )
        code = person.municipality_code or living[0].signal.child.address.municipality_code
        changed = [
            read.changed(
                replace(
                    read.signal,
                    address_pseudonym=address_pseudonym,
                    child=replace(
                        read.signal.child, address=replace(read.signal.child.address, municipality_code=code)
                    ),
                )
            )
            for read in living
            if read.signal.address_pseudonym != address_pseudonym or read.signal.child.address.municipality_code != code
        ]
        if not changed:
            return False
        now = self._audit.now()
        pseudonym = living[0].signal.child_pseudonym
        log = self._audit.entry(
            now, Action.SUBJECT_RECTIFIED, client_id=CLIENT_ID, child=pseudonym, detail="move (BRP)"
        )
        stored = self._signals.replace_signals(changed, log)
        for read in stored:
            # Each professional learns of the move once (the notice names this move's version).
            outcome.notified += self._send(
                moved_notice(read.signal), now, read.signal.id, pseudonym, "moved_owner (BRP)"
            )
        old_codes = {read.signal.child.address.municipality_code for read in living}
        email = self._regievoerders.regievoerder_email(code)
        if code not in old_codes and email is not None:
            notice = moved_in([read.signal for read in stored], code, email)
            outcome.notified += self._send(
                notice, now, stored[0].signal.id, pseudonym, f"moved_in; municipality {code}"
            )
        return True

    def _send(self, notice: Notification, now: datetime, signal_id: str, child: Pseudonym, detail: str) -> int:
        log = self._audit.entry(
            now, Action.NOTIFICATION_SENT, client_id=CLIENT_ID, signal_id=signal_id, child=child, detail=detail
        )
        return int(send_once(self._ledger, self._mailer, notice, now, log) is Delivery.SENT)
