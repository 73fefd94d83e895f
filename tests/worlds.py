"""What the population register's service tests stand in: the in-memory stores sharing one logbook
and mail ledger, a registry with Utrecht's regievoerder, a recording mailer, a fixed clock and an
audit with monotonic ids; and the register follow-up built on them."""

from __future__ import annotations

import os
from datetime import datetime

from chalicelib.domain.ids import MonotonicUlids
from chalicelib.ports_register import PopulationRegister
from chalicelib.services.audit import Audit
from chalicelib.services.register_follow import RegisterFollowService
from local.clock import FixedClock
from tests import builders
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    RecordingMailer,
)

REGIE_UTRECHT = "regie@utrecht.example.nl"


class Surroundings:
    def __init__(self, now: datetime) -> None:
        self.logbook = InMemoryLogbook()
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.registry = InMemoryRegistry()
        self.registry.put_municipality("0344", "Utrecht", "utrecht", REGIE_UTRECHT, builders.START)
        self.mailer = RecordingMailer()
        self.clock = FixedClock(now)
        ids = MonotonicUlids()
        self.audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))

    def follow(self, register: PopulationRegister) -> RegisterFollowService:
        """The nightly follow-up (moves and deaths) on these surroundings, asking ``register``."""
        return RegisterFollowService(
            register,
            self.store,
            self.store,
            self.logbook,
            self.registry,
            self.ledger,
            self.mailer,
            builders.pseudonymiser,
            self.audit,
        )
