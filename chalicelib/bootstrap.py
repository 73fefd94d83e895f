"""The composition root: builds every adapter lazily, once, on first use.

Nothing here touches AWS at import time, so tests can start moto first and Lambda instances pay
for boto3 only when a request needs it. ``use()`` is the seam for tests to install their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from chalicelib import bootstrap_brp, bootstrap_nightly, bootstrap_recheck, bootstrap_signals
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_ssm import SSMClient

    from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
    from chalicelib.adapters.dynamodb.answers import DynamoDBMatchAnswers
    from chalicelib.adapters.dynamodb.due import DynamoDBDueWork
    from chalicelib.adapters.dynamodb.idempotency import DynamoDBIdempotency
    from chalicelib.adapters.dynamodb.ledger import DynamoDBNotificationLedger
    from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook
    from chalicelib.adapters.dynamodb.matches import DynamoDBMatchStore
    from chalicelib.adapters.dynamodb.municipal import DynamoDBMunicipalMatches
    from chalicelib.adapters.dynamodb.registry import DynamoDBRegistry
    from chalicelib.adapters.dynamodb.reports import DynamoDBReportSignals
    from chalicelib.adapters.dynamodb.signals import DynamoDBSignalStore
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.adapters.sqs import SqsWorkQueue
    from chalicelib.adapters.ssm import SsmPseudonymKey
    from chalicelib.ports import Clock, Mailer
    from chalicelib.ports_register import PopulationRegister
    from chalicelib.services.answers import AnswerService
    from chalicelib.services.audit import Audit
    from chalicelib.services.follow_up import FollowUpService
    from chalicelib.services.lifecycle import LifecycleService
    from chalicelib.services.matching import MatchService
    from chalicelib.services.nightly import NightlyPlanner
    from chalicelib.services.recheck import RecheckService
    from chalicelib.services.register_ask import AskPlanner, RegisterAsk
    from chalicelib.services.register_follow import RegisterFollowService
    from chalicelib.services.register_updates import NightlyFollow
    from chalicelib.services.reports import ReportService
    from chalicelib.services.signals import SignalService
    from chalicelib.services.subjects import SubjectService


_ULIDS = MonotonicUlids()


def new_id(at: datetime) -> str:
    return _ULIDS.next(at, os.urandom(10))


class Container:
    """Everything the entry points need, built on first access and then kept."""

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock = clock
        self.new_id: Callable[[datetime], str] = new_id

    @cached_property
    def settings(self) -> Settings:
        return self._settings or Settings.from_environ()

    @cached_property
    def clock(self) -> Clock:
        if self._clock is not None:
            return self._clock
        from chalicelib.adapters.clock import SystemClock

        return SystemClock()

    @cached_property
    def audit(self) -> Audit:
        from chalicelib.services.audit import Audit

        return Audit(self.clock, self.new_id)

    @cached_property
    def session(self) -> Any:
        """One boto3 session for every client (its event hooks see every AWS call)."""
        import boto3

        return boto3.session.Session()

    def _client(self, service: str) -> Any:
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
        return self.session.client(service, config=config)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self._client("dynamodb"))

    @cached_property
    def ssm(self) -> SSMClient:
        return cast("SSMClient", self._client("ssm"))

    @cached_property
    def pseudonymiser(self) -> SsmPseudonymKey:
        from chalicelib.adapters.ssm import SsmPseudonymKey

        return SsmPseudonymKey(self.ssm, self.settings.pseudonym_key_parameter)

    def _table(self, name: str) -> Table:
        from chalicelib.adapters.dynamodb.table import Table

        return Table(self.dynamodb, name)

    @cached_property
    def signals_table(self) -> Table:
        """The one table that signals, their guards, match records and mails share (see adapters/dynamodb/keys.py)."""
        return self._table(self.settings.signals_table)

    @cached_property
    def logbook(self) -> DynamoDBLogbook:
        from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook

        return DynamoDBLogbook(self._table(self.settings.logbook_table), self.settings.logbook_retention_days)

    @cached_property
    def idempotency(self) -> DynamoDBIdempotency:
        from chalicelib.adapters.dynamodb.idempotency import DynamoDBIdempotency

        return DynamoDBIdempotency(self._table(self.settings.idempotency_table))

    @cached_property
    def signal_store(self) -> DynamoDBSignalStore:
        from chalicelib.adapters.dynamodb.signals import DynamoDBSignalStore

        return DynamoDBSignalStore(self.signals_table, self.logbook, self.idempotency, self.match_store)

    @cached_property
    def match_store(self) -> DynamoDBMatchStore:
        from chalicelib.adapters.dynamodb.matches import DynamoDBMatchStore

        return DynamoDBMatchStore(self.signals_table)

    @cached_property
    def report_signals(self) -> DynamoDBReportSignals:
        from chalicelib.adapters.dynamodb.reports import DynamoDBReportSignals

        return DynamoDBReportSignals(self.signals_table)

    @cached_property
    def registry(self) -> DynamoDBRegistry:
        from chalicelib.adapters.dynamodb.registry import DynamoDBRegistry

        return DynamoDBRegistry(self.dynamodb, self.settings.registry_table)

    @cached_property
    def sesv2(self) -> SESV2Client:
        return cast("SESV2Client", self._client("sesv2"))

    @cached_property
    def notification_ledger(self) -> DynamoDBNotificationLedger:
        from chalicelib.adapters.dynamodb.ledger import DynamoDBNotificationLedger

        return DynamoDBNotificationLedger(self.signals_table, self.logbook)

    @cached_property
    def mailer(self) -> Mailer:
        from chalicelib.adapters.ses import SesMailer

        return SesMailer(self.sesv2, self.settings.mail_sender, self.settings.ses_configuration_set)

    @cached_property
    def matching(self) -> MatchService:
        from chalicelib.services.matching import MatchService

        return MatchService(
            store=self.match_store,
            registry=self.registry,
            ledger=self.notification_ledger,
            mailer=self.mailer,
            audit=self.audit,
            portal_url=self.settings.console_url,
        )

    @cached_property
    def lifecycle(self) -> LifecycleService:
        return bootstrap_nightly.lifecycle(self)

    @cached_property
    def due_work(self) -> DynamoDBDueWork:
        return bootstrap_nightly.due_work(self)

    @cached_property
    def work_queue(self) -> SqsWorkQueue:
        return bootstrap_nightly.work_queue(self)

    @cached_property
    def nightly_planner(self) -> NightlyPlanner:
        return bootstrap_nightly.nightly_planner(self)

    @cached_property
    def municipal_matches(self) -> DynamoDBMunicipalMatches:
        from chalicelib.adapters.dynamodb.municipal import DynamoDBMunicipalMatches

        return DynamoDBMunicipalMatches(self.signals_table, self.logbook)

    @cached_property
    def subjects(self) -> SubjectService:
        return bootstrap_signals.subject_service(self)

    @cached_property
    def follow_ups(self) -> FollowUpService:
        from chalicelib.services.follow_up import FollowUpService

        return FollowUpService(self.municipal_matches, self.logbook, self.audit)

    @cached_property
    def match_answers(self) -> DynamoDBMatchAnswers:
        from chalicelib.adapters.dynamodb.answers import DynamoDBMatchAnswers

        return DynamoDBMatchAnswers(self.signals_table, self.logbook)

    @cached_property
    def answers(self) -> AnswerService:
        from chalicelib.services.answers import AnswerService

        return AnswerService(self.match_answers, self.logbook, self.audit)

    @cached_property
    def reports(self) -> ReportService:
        from chalicelib.services.reports import ReportService

        return ReportService(
            signals=self.report_signals,
            matches=self.municipal_matches,
            municipalities=self.registry,
            logbook=self.logbook,
            audit=self.audit,
        )

    @cached_property
    def population_register(self) -> PopulationRegister | None:
        """The BRP for a request; ``None`` with the setting off (``bootstrap_brp``)."""
        return bootstrap_brp.population_register(self)

    @cached_property
    def register_updates(self) -> HaalCentraalRegisterUpdates | None:
        return bootstrap_brp.register_updates(self)

    @cached_property
    def register_follow(self) -> RegisterFollowService | None:
        return bootstrap_brp.register_follow(self)

    @cached_property
    def nightly_follow(self) -> NightlyFollow | None:
        return bootstrap_brp.nightly_follow(self)

    @cached_property
    def ask_planner(self) -> AskPlanner | None:
        return bootstrap_brp.ask_planner(self)

    @cached_property
    def register_ask(self) -> RegisterAsk | None:
        return bootstrap_brp.register_ask(self)

    @cached_property
    def recheck(self) -> RecheckService | None:
        """The recheck consumer's service, kept so its register client keeps its token between messages."""
        return bootstrap_recheck.recheck_service(self)

    @cached_property
    def signals(self) -> SignalService:
        return bootstrap_signals.signal_service(self)


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
    return _container


def use(replacement: Container | None) -> None:
    """Install ``replacement`` (or, with ``None``, start afresh on next use); for tests and tools."""
    global _container
    _container = replacement
