"""Every e-mail the system sends goes out through ``send_once``: exactly once per (event, recipient).

Each notification names a stable key for its event and recipient (see
``chalicelib.domain.notifications``) and the signal it is filed under. Before sending, that key is
*claimed* in the ledger with a conditional write; after the mail provider accepts the mail, the
claim is marked sent together with its logbook entry. Whoever comes second (a redelivered stream
record, an overlapping lifecycle run, a parallel request) finds the claim and sends nothing. A
failed send releases the claim, so a retry sends what is missing. Only a crash in the moment
between the provider accepting a mail and the mark being written can repeat that mail, once, after
the claim's lease has run out.

Ledger entries live beside the signal they are filed under and are deleted with it, so nothing
about a child outlives its signals. A claim is therefore granted only while that signal exists:
otherwise a deleted ledger would look like a mail never sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.notifications import Notification
from chalicelib.ports import ClaimOutcome, Mailer, NotificationLedger
from chalicelib.services.mail import render

CLAIM_LEASE = timedelta(minutes=5)


class Delivery(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    IN_FLIGHT = "in_flight"
    """Someone else holds a live claim on it and is sending it now."""
    GONE = "gone"


def send_once(
    ledger: NotificationLedger, mailer: Mailer, notification: Notification, now: datetime, log: LogEntry
) -> Delivery:
    """Send ``notification`` unless it was sent or is being sent; ``log`` is written when it goes.

    A failure of the mailer releases the claim and propagates.
    """
    outcome = ledger.claim(notification, now, now + CLAIM_LEASE)
    if outcome is not ClaimOutcome.CLAIMED:
        return Delivery(outcome.value)
    try:
        message_id = mailer.send(render(notification))
    except Exception:
        ledger.release(notification)
        raise
    ledger.mark_sent(notification, message_id, log)
    return Delivery.SENT
