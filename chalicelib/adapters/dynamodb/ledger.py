"""The mail ledger: one item per (event, recipient) beside the signal the mail is filed under."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from functools import partial

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import Key
from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook
from chalicelib.adapters.dynamodb.table import Busy, Item, Table, again_when_busy
from chalicelib.domain.errors import Conflict
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.notifications import Notification
from chalicelib.ports import ClaimOutcome

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
# Backstop only: the entry goes with its signal; no signal outlives 7 years.
LEDGER_BACKSTOP = timedelta(days=7 * 366 + 1)


class _NotClaimed(Exception):
    def __init__(self, outcome: ClaimOutcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


class _EntryGone(Exception):
    """The entry went with its signal while the mail was out."""


def _claimed_before(entry: Item | None) -> Exception:
    sent = entry is not None and entry.get("status") == SENT
    return _NotClaimed(ClaimOutcome.ALREADY_SENT if sent else ClaimOutcome.IN_FLIGHT)


def _key(notification: Notification) -> Key:
    return keys.notification_key(
        notification.filed_under_child_pseudonym, notification.filed_under_signal_id, notification.key
    )


class DynamoDBNotificationLedger:
    """States ``sending``, ``sent`` and ``failed``; deleted with the signal the entry is filed under
    (``DynamoDBMatchStore.delete_derived``)."""

    def __init__(self, table: Table, logbook: DynamoDBLogbook) -> None:
        self._table = table
        self._logbook = logbook

    def claim(self, notification: Notification, now: datetime, lease_until: datetime) -> ClaimOutcome:
        """A conditional put of the claim, then a strongly consistent read of the signal it is filed
        under (a write unit and a read unit, where a transaction with a check cost four writes).

        The signal is read after the claim is written, so a deletion of the signal cannot slip in
        between unseen: a deletion before the read is seen (the claim is taken back: ``GONE``), one
        after it finds the claim when it deletes what derives from the signal. A claim refused
        under a signal that is gone is ``GONE`` too, whatever the entry says.
        """
        entry = _key(notification) | {
            "item_type": keys.NOTIFICATION,
            "new_signal_id": notification.filed_under_signal_id,
            "recipient_key": notification.key,
            "status": SENDING,
            "lease_until": int(lease_until.timestamp()),
            "claimed_at": keys.iso_instant(now),
            "ttl": int((now + LEDGER_BACKSTOP).timestamp()),
        }
        put = self._table.put(
            entry,
            "attribute_not_exists(pk) OR #status = :failed OR (#status = :sending AND lease_until < :now)",
            {":failed": FAILED, ":sending": SENDING, ":now": int(now.timestamp())},
            {"#status": "status"},
            refused=_claimed_before,
        )
        outcome = ClaimOutcome.CLAIMED
        try:
            self._table.write(put)
        except _NotClaimed as refused:
            outcome = refused.outcome
        except Busy:
            # Another claim of the same mail is being written right now.
            outcome = ClaimOutcome.IN_FLIGHT
        signal = keys.signal_key(notification.filed_under_child_pseudonym, notification.filed_under_signal_id)
        if self._table.get(signal) is not None:
            return outcome
        if outcome is ClaimOutcome.CLAIMED:
            self._table.write(self._table.delete(_key(notification)))
        return ClaimOutcome.GONE

    def release(self, notification: Notification) -> None:
        """``Conflict`` when the claim is no longer this sender's to release (sent or released)."""
        release = self._table.update(
            _key(notification),
            "SET #status = :failed",
            "#status = :sending",
            {":failed": FAILED, ":sending": SENDING},
            {"#status": "status"},
            refused=lambda _: Conflict("the notification is not being sent"),
        )
        again_when_busy(partial(self._table.write, release))

    def mark_sent(self, notification: Notification, message_id: str, log: LogEntry) -> None:
        """The log line first, then the mark, each a single write (a transaction of the two cost
        twice as much). A crash between them leaves the claim unmarked: like a crash between SES
        and the mark, the mail may go once more after the lease, with its own log line. A mark lost
        to a busy item is made again: unmarked, the mail would go again once the lease ran out."""
        self._logbook.append(log)
        mark = self._table.update(
            _key(notification),
            "SET #status = :sent, message_id = :message",
            # Deleted with its signal while the mail was out: not written back.
            "attribute_exists(pk)",
            {":sent": SENT, ":message": message_id},
            {"#status": "status"},
            refused=lambda _: _EntryGone(),
        )
        with contextlib.suppress(_EntryGone):
            again_when_busy(partial(self._table.write, mark))
