"""The nightly job's part of the composition root (``bootstrap.Container`` calls these): what is
due, the work queue, the planner that fills it and the lifecycle service its workers run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.adapters.dynamodb.due import DynamoDBDueWork
    from chalicelib.adapters.sqs import SqsWorkQueue
    from chalicelib.bootstrap import Container
    from chalicelib.services.lifecycle import LifecycleService
    from chalicelib.services.nightly import NightlyPlanner


def due_work(c: Container) -> DynamoDBDueWork:
    from chalicelib.adapters.dynamodb.due import DynamoDBDueWork

    return DynamoDBDueWork(c.signals_table)


def work_queue(c: Container) -> SqsWorkQueue:
    from chalicelib.adapters.sqs import SqsWorkQueue
    from chalicelib.settings import ConfigurationError

    if not c.settings.lifecycle_queue:
        raise ConfigurationError("missing settings: LIFECYCLE_QUEUE")
    return SqsWorkQueue(c._client("sqs"), c.settings.lifecycle_queue)


def nightly_planner(c: Container) -> NightlyPlanner:
    from chalicelib.services.nightly import NightlyPlanner

    return NightlyPlanner(c.due_work, c.work_queue, c.clock)


def lifecycle(c: Container) -> LifecycleService:
    from chalicelib.services.lifecycle import LifecycleService

    return LifecycleService(
        store=c.signal_store,
        ledger=c.notification_ledger,
        mailer=c.mailer,
        audit=c.audit,
        reminders=c.municipal_matches,
        portal_url=c.settings.console_url,
    )
