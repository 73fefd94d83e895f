"""The signals' part of the composition root (``bootstrap.Container`` calls these): the use cases
of an organisation's system and the portal, with the register, the recheck queue and the mail that
tells a colleague a signal was handed to them; and the municipality's exercise of the family's
rights on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bootstrap_brp, bootstrap_recheck

if TYPE_CHECKING:
    from chalicelib.bootstrap import Container
    from chalicelib.services.signals import SignalService
    from chalicelib.services.subjects import SubjectService


def signal_service(c: Container) -> SignalService:
    from chalicelib.services.hand_over_mail import HandOverMail
    from chalicelib.services.signals import SignalService

    rechecks = bootstrap_recheck.recheck_queue(c)
    return SignalService(
        c.signal_store,
        c.logbook,
        c.pseudonymiser,
        c.audit,
        register=c.population_register,
        subscriptions=bootstrap_brp.subscriptions(c, retries=rechecks),
        rechecks=rechecks,
        hand_over_mail=HandOverMail(c.notification_ledger, c.mailer, c.audit, portal_url=c.settings.console_url),
    )


def subject_service(c: Container) -> SubjectService:
    from chalicelib.services.subjects import SubjectService

    return SubjectService(
        signals=c.signal_store,
        partitions=c.match_store,
        logbook=c.logbook,
        regievoerders=c.registry,
        ledger=c.notification_ledger,
        mailer=c.mailer,
        pseudonymiser=c.pseudonymiser,
        audit=c.audit,
    )
