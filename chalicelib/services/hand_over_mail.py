"""The mail telling a professional that a colleague handed a signal to them, exactly once.

A hand-over to another e-mail address tells the new professional (``handed_over:v<version>``, the
version the hand-over stored, through the ledger); one to the same address tells nobody. The mail
names the signal, its case reference, the organisation and the previous professional, and links
to the signal's page in the portal when the portal has an address; never anything about the child.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Principal, Professional, Signal
from chalicelib.domain.notifications import handed_over_notice
from chalicelib.ports import Mailer, NotificationLedger
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import Delivery, send_once


def same_address(one: str, other: str) -> bool:
    # Mail domains, and in practice local parts, ignore case.
    return one.strip().casefold() == other.strip().casefold()


class HandOverMail:
    def __init__(self, ledger: NotificationLedger, mailer: Mailer, audit: Audit, portal_url: str | None = None) -> None:
        self._ledger = ledger
        self._mailer = mailer
        self._audit = audit
        self._portal_url = portal_url

    def tell(self, principal: Principal, previous: Professional, handed_over: Signal) -> Delivery | None:
        """Tell ``handed_over``'s (new) professional, unless the address did not change."""
        if same_address(previous.email, handed_over.professional.email):
            return None
        notice = replace(handed_over_notice(handed_over, previous), portal_url=self._portal_url)
        now = self._audit.now()
        log = self._audit.by(principal, now, Action.NOTIFICATION_SENT, signal=handed_over, detail="handed_over")
        return send_once(self._ledger, self._mailer, notice, now, log)
