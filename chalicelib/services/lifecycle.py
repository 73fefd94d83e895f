"""The daily lifecycle job: archive what expired, delete what is past ``delete_after``.

Reads never wait for this job (status is computed from the dates on every read); the job makes
storage follow: archived signals release their active-signal guard and their owner is told once,
deleted signals take everything derived from them along. It finds its work through the due-date
index, so a run costs what is due, and anything missed on earlier days is still due today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from chalicelib.domain.clock import dutch_date
from chalicelib.domain.lifecycle import Transition, due_transition
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import MunicipalMatch
from chalicelib.domain.model import Signal
from chalicelib.domain.notifications import archived_notice, reminder
from chalicelib.observability import logger
from chalicelib.services.mail import render
from chalicelib.services.matching import CLAIM_LEASE, ClaimOutcome, Mailer, NotificationLedger
from chalicelib.services.ports import Clock

CLIENT_ID = "lifecycle-job"


class ReminderStore(Protocol):
    def due_reminders(self, today: date) -> list[MunicipalMatch]: ...

    def mark_reminded(self, match: MunicipalMatch, side: int, log: LogEntry) -> None: ...


class LifecycleStore(Protocol):
    def due_signals(self, today: date) -> list[Signal]: ...

    def get(self, signal_id: str) -> Signal | None: ...

    def archive(self, signal: Signal, archived: Signal, log: LogEntry) -> None: ...

    def delete(self, signal: Signal, log: LogEntry) -> None: ...


@dataclass
class LifecycleReport:
    today: date
    archived: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    notices_sent: int = 0
    reminders_sent: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "archived": len(self.archived),
            "deleted": len(self.deleted),
            "notices_sent": self.notices_sent,
            "reminders_sent": self.reminders_sent,
            "failed": len(self.failed),
        }


class LifecycleService:
    def __init__(
        self,
        store: LifecycleStore,
        ledger: NotificationLedger,
        mailer: Mailer,
        clock: Clock,
        new_id: Callable[[datetime], str],
        reminders: ReminderStore | None = None,
    ) -> None:
        self._store = store
        self._reminders = reminders
        self._ledger = ledger
        self._mailer = mailer
        self._clock = clock
        self._new_id = new_id

    def run(self) -> LifecycleReport:
        now = self._clock.now()
        today = dutch_date(now)
        report = LifecycleReport(today)
        for signal in self._store.due_signals(today):
            transition = due_transition(signal, today)
            try:
                if transition is Transition.DELETE:
                    self._delete(signal, now)
                    report.deleted.append(signal.id)
                elif transition is Transition.ARCHIVE:
                    report.notices_sent += self._archive(signal, now)
                    report.archived.append(signal.id)
            except Exception as exc:
                # One signal's failure must not stop the others; it stays due and is retried on the
                # next run. Only the type is logged: the message could hold data.
                logger.error("lifecycle step failed", extra={"signal_id": signal.id, "error_type": type(exc).__name__})
                report.failed.append(signal.id)
        if self._reminders is not None:
            for match in self._reminders.due_reminders(today):
                try:
                    report.reminders_sent += self._remind(self._reminders, match, today, now)
                except Exception as exc:
                    logger.error("reminder failed", extra={"match_id": match.id, "error_type": type(exc).__name__})
                    report.failed.append(match.id)
        logger.info("lifecycle run", extra=report.as_dict())
        if report.failed:
            raise LifecycleIncomplete(report)
        return report

    def _log(self, signal: Signal, now: datetime, action: Action, detail: str) -> LogEntry:
        return LogEntry(
            id=self._new_id(now),
            at=now,
            action=action,
            client_id=CLIENT_ID,
            organisation_id=signal.organisation.id,
            signal_id=signal.id,
            child_pseudonym=signal.child_pseudonym.value,
            key_version=signal.child_pseudonym.key_version,
            detail=detail,
        )

    def _delete(self, signal: Signal, now: datetime) -> None:
        # Read it back with its matches, so the derived records go too.
        stored = self._store.get(signal.id) or signal
        self._store.delete(stored, self._log(signal, now, Action.SIGNAL_DELETED, "retention period ended"))

    def _archive(self, signal: Signal, now: datetime) -> int:
        """Tell the owner first (once), then archive: a failed mail leaves the signal due."""
        sent = self._notify_owner(signal, now)
        archived = replace(signal, archived_on=signal.active_until + timedelta(days=1))
        self._store.archive(signal, archived, self._log(signal, now, Action.SIGNAL_ARCHIVED, "active period ended"))
        return sent

    def _notify_owner(self, signal: Signal, now: datetime) -> int:
        notification = archived_notice(signal)
        outcome = self._ledger.claim(notification, now, now + CLAIM_LEASE)
        if outcome is not ClaimOutcome.CLAIMED:
            return 0
        try:
            message_id = self._mailer.send(render(notification))
        except Exception:
            self._ledger.release(notification)
            raise
        log = self._log(signal, now, Action.NOTIFICATION_SENT, "owner told the signal is archived")
        self._ledger.mark_sent(notification, message_id, log)
        return 1

    def _remind(self, reminders: ReminderStore, match: MunicipalMatch, today: date, now: datetime) -> int:
        """One reminder to each professional of a match still open 14 days on; each marked once sent."""
        if not match.needs_reminder(today):
            return 0
        sent = 0
        for index, (own, other) in enumerate(((match.sides[0], match.sides[1]), (match.sides[1], match.sides[0]))):
            if match.reminded[index]:
                continue
            message_id = self._mailer.send(render(reminder(match.id, own, other)))
            log = LogEntry(
                id=self._new_id(now),
                at=now,
                action=Action.NOTIFICATION_SENT,
                client_id=CLIENT_ID,
                organisation_id=own.organisation.id,
                municipality_code=match.municipality_code,
                signal_id=own.signal_id,
                child_pseudonym=own.child_pseudonym,
                key_version=own.key_version,
                detail=f"follow_up_reminder; match {match.id}; message {message_id}",
            )
            reminders.mark_reminded(match, index, log)
            match = replace(match, reminded=(True, match.reminded[1]) if index == 0 else (match.reminded[0], True))
            sent += 1
        return sent


class LifecycleIncomplete(Exception):
    """Some signals could not be handled; they stay due and the next run retries them."""

    def __init__(self, report: LifecycleReport) -> None:
        super().__init__(f"{len(report.failed)} signal(s) failed")
        self.report = report
