"""The recheck's part of the composition root (``bootstrap.Container`` calls these): the queue a
signal accepted while the register was down goes on, and the service that checks it again.

Both are ``None`` with ``BRP=off`` or without ``RECHECK_QUEUE`` (``docs/brp.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bootstrap_brp

if TYPE_CHECKING:
    from chalicelib.adapters.sqs_recheck import SqsRecheckQueue
    from chalicelib.bootstrap import Container
    from chalicelib.services.recheck import RecheckService


def recheck_queue(c: Container) -> SqsRecheckQueue | None:
    if not c.settings.population_register_on or not c.settings.recheck_queue:
        return None
    from chalicelib.adapters.sqs_recheck import SqsRecheckQueue

    return SqsRecheckQueue(c._client("sqs"), c.settings.recheck_queue)


def recheck_service(c: Container) -> RecheckService | None:
    """With the night's patient timeouts: the message may wait, a POST may not."""
    if not c.settings.population_register_on or not c.settings.recheck_queue:
        return None
    from chalicelib.adapters.brp.endpoint import SsmBrpEndpoint
    from chalicelib.adapters.brp.haal_centraal import HaalCentraalPopulationRegister
    from chalicelib.services.recheck import RecheckService

    return RecheckService(
        HaalCentraalPopulationRegister(SsmBrpEndpoint(c.ssm, c.settings.brp_parameters)),
        signals=c.signal_store,
        ledger=c.notification_ledger,
        mailer=c.mailer,
        pseudonymiser=c.pseudonymiser,
        audit=c.audit,
        subscriptions=bootstrap_brp.subscriptions(c),
    )
