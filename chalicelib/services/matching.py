"""The match function's use case: find matches for a new signal, store them, send each e-mail once.

A signal is matched in one round when it is registered, and once more when a recheck verifies a
signal accepted while the register was down (its parents and registered address are known only
then): that round makes and mails only the matches the first did not (``domain.matching``).

Exactly once per (new signal, recipient), through ``delivery.send_once``: a redelivered record
finds the sent marks and sends nothing; an SES failure releases the claim and fails the record, so
the retry sends what is missing; an overlapping invocation finds a live claim and fails its record,
to be retried after the first one has finished.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain import notifications
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import both_sides, find_matches, matchable_since, municipal_records
from chalicelib.domain.model import Signal
from chalicelib.domain.notifications import Notification
from chalicelib.ports import Mailer, MatchRegistry, MatchStore, NotificationLedger
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import Delivery, send_once


class NotificationInFlight(Exception):
    """Another invocation holds a live claim on this e-mail: retry the record later."""


@dataclass(frozen=True)
class MatchOutcome:
    matches: int
    sent: int
    already_sent: int
    skipped: bool = False


class MatchService:
    def __init__(
        self,
        store: MatchStore,
        registry: MatchRegistry,
        ledger: NotificationLedger,
        mailer: Mailer,
        audit: Audit,
        portal_url: str | None = None,
    ) -> None:
        self._store = store
        self._portal_url = portal_url
        self._registry = registry
        self._ledger = ledger
        self._mailer = mailer
        self._audit = audit

    def process(self, new: Signal) -> MatchOutcome:
        now = self._audit.now()
        today = dutch_date(now)
        partition = self._store.child_partition(new.child_pseudonym.value)
        current = next((signal for signal in partition.signals if signal.id == new.id), None)
        if current is None:
            # Deleted (closed as unjustified) before the stream reached it: nothing to match.
            return MatchOutcome(0, 0, 0, skipped=True)
        # The stream's image is the signal as registered; the other side's copy and the mails show
        # it as stored now, handed over or corrected since (a copy made from the image would keep
        # the old professional: that change's refresh ran before the match existed).
        new = current
        at_address = self._store.signals_at_address(new.address_pseudonym.value)
        other_children = [s for s in at_address if s.child_pseudonym.value != new.child_pseudonym.value]
        excluded = bool(other_children) and self._registry.is_excluded_address(new.address_pseudonym.value)
        # The family match: other children's signals that share a parent (one Query per parent).
        siblings = [
            signal
            for parent in new.parent_pseudonyms
            for signal in self._store.signals_with_parent(parent.value)
            if signal.child_pseudonym.value != new.child_pseudonym.value
        ]
        # A pair is matched once: a match another round made (this signal's registration, before a
        # recheck verified it, or the other signal's) is neither made nor mailed again.
        since = matchable_since(new)
        made = {m.other.signal_id for m in partition.matches if m.signal_id == new.id and m.since != since}
        found = [
            item
            for item in find_matches(new, partition.signals, other_children, excluded, today, same_parent=siblings)
            if item.signal.id not in made
        ]
        if not found:
            return MatchOutcome(0, 0, 0)

        records = both_sides(new, found)
        # The store writes the new signal's own records last, so finding them all proves the
        # rest landed too; a redelivery then writes nothing (and resets no follow-up).
        stored = {m.id for m in partition.matches if m.signal_id == new.id}
        if not all(m.id in stored for m in records if m.signal_id == new.id):
            self._store.save_matches(new.id, records, municipal_records(new, found))

        regievoerder = self._registry.regievoerder_email(new.child.address.municipality_code)
        sent = already = 0
        for planned in notifications.plan(new, found, regievoerder):
            notification = replace(planned, portal_url=self._portal_url)
            if partition.sent.get((new.id, notification.key)) == "sent":
                already += 1
                continue
            delivery = send_once(self._ledger, self._mailer, notification, now, self._log(notification, now))
            if delivery is Delivery.IN_FLIGHT:
                raise NotificationInFlight(
                    f"notification {notification.key} of {notification.filed_under_signal_id} in flight"
                )
            if delivery is Delivery.SENT:
                sent += 1
            else:
                # Sent before, or the new signal was deleted meanwhile: nothing (more) to tell.
                already += 1
        return MatchOutcome(len(found), sent, already)

    def _log(self, notification: Notification, now: datetime) -> LogEntry:
        return self._audit.entry(
            now,
            Action.NOTIFICATION_SENT,
            client_id="match-function",
            municipality_code=notification.municipality_code,
            signal_id=notification.own_signal_id or notification.filed_under_signal_id,
            child=notification.child,
            detail=f"{notification.audience.value}; new signal {notification.filed_under_signal_id}; "
            f"matches {','.join(notification.match_ids)}",
        )
