"""The population register's part of the composition root (``bootstrap.Container`` calls these).

With ``BRP=off`` each gives ``None``; the Update API's parts only with ``BRP_FOLLOW=update-api``, the
nightly asking only with ``BRP_FOLLOW=ask``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.adapters.brp.haal_centraal import HaalCentraalPopulationRegister
    from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
    from chalicelib.bootstrap import Container
    from chalicelib.ports_register import RecheckQueue
    from chalicelib.services.register_ask import AskPlanner, RegisterAsk
    from chalicelib.services.register_follow import RegisterFollowService
    from chalicelib.services.register_updates import NightlyFollow, RegisterSubscriptions


def population_register(c: Container) -> HaalCentraalPopulationRegister | None:
    """For a request: short timeouts and one retry, so a slow register delays a POST by seconds at
    most (the signal is then accepted unverified)."""
    if not c.settings.population_register_on:
        return None
    from chalicelib.adapters.brp.endpoint import SsmBrpEndpoint
    from chalicelib.adapters.brp.haal_centraal import HaalCentraalPopulationRegister

    return HaalCentraalPopulationRegister(SsmBrpEndpoint(c.ssm, c.settings.brp_parameters), timeout=3.0, attempts=2)


def register_updates(c: Container) -> HaalCentraalRegisterUpdates | None:
    """The BRP Update API, for a request (subscribing) and for the night (changes): request timeouts."""
    if not c.settings.follows_register_updates:
        return None
    from chalicelib.adapters.brp.endpoint import SsmBrpEndpoint
    from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates

    return HaalCentraalRegisterUpdates(SsmBrpEndpoint(c.ssm, c.settings.brp_parameters), timeout=3.0, attempts=2)


def subscriptions(c: Container, retries: RecheckQueue | None = None) -> RegisterSubscriptions | None:
    """``retries``: the recheck queue a failed subscription goes on (the API's; the consumer raises)."""
    updates = c.register_updates
    if updates is None:
        return None
    from chalicelib.services.register_updates import RegisterSubscriptions

    return RegisterSubscriptions(updates, c.match_store, retries)


def register_follow(c: Container) -> RegisterFollowService | None:
    """Moves and deaths from the BRP (docs/brp.md): the night's patient timeouts and retries."""
    if not c.settings.population_register_on:
        return None
    return _follow_service(c, _night_register(c))


def _night_register(c: Container) -> HaalCentraalPopulationRegister:
    from chalicelib.adapters.brp.endpoint import SsmBrpEndpoint
    from chalicelib.adapters.brp.haal_centraal import HaalCentraalPopulationRegister

    return HaalCentraalPopulationRegister(SsmBrpEndpoint(c.ssm, c.settings.brp_parameters))


def _follow_service(c: Container, register: HaalCentraalPopulationRegister) -> RegisterFollowService:
    from chalicelib.services.register_follow import RegisterFollowService

    return RegisterFollowService(
        register,
        signals=c.signal_store,
        partitions=c.match_store,
        logbook=c.logbook,
        regievoerders=c.registry,
        ledger=c.notification_ledger,
        mailer=c.mailer,
        pseudonymiser=c.pseudonymiser,
        audit=c.audit,
    )


def nightly_follow(c: Container) -> NightlyFollow | None:
    follow = c.register_follow
    if follow is None or not c.settings.follows_register_updates:
        return None
    from chalicelib.adapters.brp.endpoint import SsmBrpEndpoint
    from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
    from chalicelib.adapters.dynamodb.follow_cursor import DynamoDBFollowCursor
    from chalicelib.services.register_updates import NightlyFollow

    updates = HaalCentraalRegisterUpdates(SsmBrpEndpoint(c.ssm, c.settings.brp_parameters))
    return NightlyFollow(updates, DynamoDBFollowCursor(c.dynamodb, c.settings.registry_table), follow, c.audit)


def ask_planner(c: Container) -> AskPlanner | None:
    """``BRP_FOLLOW=ask``: the ``register_follow`` schedule plans chunks of children on the work queue."""
    if not c.settings.asks_register:
        return None
    from chalicelib.services.register_ask import AskPlanner

    return AskPlanner(c.due_work, c.work_queue)


def register_ask(c: Container) -> RegisterAsk | None:
    """``BRP_FOLLOW=ask``: a worker finds a chunk's children and follows them (one register client)."""
    if not c.settings.asks_register:
        return None
    from chalicelib.services.register_ask import RegisterAsk

    register = _night_register(c)
    return RegisterAsk(register, c.match_store, c.pseudonymiser, _follow_service(c, register), c.audit)
