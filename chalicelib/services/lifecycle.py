"""The daily lifecycle job: archive what expired, delete what is past ``delete_after``.

Reads never wait for this job (status is computed from the dates on every read); the job makes
storage follow: archived signals release their active-signal guard and their owner is told once,
deleted signals take everything derived from them along. It finds its work through the due-date
index, so a run costs what is due, and anything missed on earlier days is still due today.

On AWS the nightly job fans out: a planner (``services.nightly``) sends the keys of what is due, in
chunks, to a queue, and parallel workers handle one chunk each (:meth:`LifecycleService.process`).
``run`` does the whole night in one invocation, for the admin CLI.

Runs may overlap (EventBridge delivers a scheduled event at least once, SQS a chunk at least once,
and an operator may run the job by hand meanwhile): every mail goes out through
``delivery.send_once``, every archive is a versioned write, and what another run or request did
meanwhile is skipped, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from chalicelib.domain.clock import dutch_date
from chalicelib.domain.errors import NotFound
from chalicelib.domain.lifecycle import Transition, due_transition
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import FollowUp, MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Pseudonym, Signal
from chalicelib.domain.nightly import Chunk, DueKind
from chalicelib.domain.notifications import archived_notice, reminder
from chalicelib.observability import logger
from chalicelib.ports import LifecycleStore, Mailer, NotificationLedger, ReminderStore
from chalicelib.services.audit import Audit
from chalicelib.services.delivery import Delivery, send_once
from chalicelib.services.optimistic import on_fresh_reads

CLIENT_ID = "lifecycle-job"


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
        audit: Audit,
        reminders: ReminderStore | None = None,
        portal_url: str | None = None,
    ) -> None:
        self._store = store
        self._portal_url = portal_url
        self._reminders = reminders
        self._ledger = ledger
        self._mailer = mailer
        self._audit = audit

    def run(self) -> LifecycleReport:
        """Everything due, in this one invocation (the admin CLI; the nightly job fans out instead)."""
        now = self._audit.now()
        today = dutch_date(now)
        report = LifecycleReport(today)
        for signal in self._store.due_signals(today):
            self._step(signal, None, now, report)
        if self._reminders is not None:
            for match in self._reminders.due_reminders(today):
                self._reminder_step(self._reminders, match, now, report)
        return self._finish(report)

    def process(self, chunk: Chunk) -> LifecycleReport:
        """One chunk of the nightly job: each item read again, and acted on only if still due.

        A chunk handled twice, or after a request or another worker changed its items, does no
        harm: what is no longer due (archived, deleted, reminded, closed) is left as it is now.
        """
        now = self._audit.now()
        report = LifecycleReport(dutch_date(now))
        for item in chunk.items:
            if item.kind is DueKind.SIGNAL:
                try:
                    read = self._store.load(item.partition, item.item_id)
                except Exception as exc:
                    self._failed(report, item.item_id, exc)
                    continue
                if read is not None:
                    self._step(read.signal, read, now, report)
            elif self._reminders is not None:
                try:
                    match = self._reminders.get(item.partition, item.item_id)
                except Exception as exc:
                    self._failed(report, item.item_id, exc)
                    continue
                if match is not None:
                    self._reminder_step(self._reminders, match, now, report)
        return self._finish(report)

    def _step(self, signal: Signal, read: SignalWithMatches | None, now: datetime, report: LifecycleReport) -> None:
        transition = due_transition(signal, report.today)
        try:
            if transition is Transition.DELETE and self._delete(signal, now, read):
                report.deleted.append(signal.id)
            elif transition is Transition.ARCHIVE:
                notified, archived = self._archive(signal, now)
                report.notices_sent += notified
                if archived:
                    report.archived.append(signal.id)
        except Exception as exc:
            # One signal's failure must not stop the others; it stays due and is retried.
            self._failed(report, signal.id, exc)

    def _reminder_step(
        self, reminders: ReminderStore, match: MunicipalMatch, now: datetime, report: LifecycleReport
    ) -> None:
        try:
            report.reminders_sent += self._remind(reminders, match, report.today, now)
        except Exception as exc:
            self._failed(report, match.id, exc)

    @staticmethod
    def _failed(report: LifecycleReport, item_id: str, exc: Exception) -> None:
        # Only the type is logged: the message could hold data.
        logger.error("lifecycle step failed", extra={"item_id": item_id, "error_type": type(exc).__name__})
        report.failed.append(item_id)

    @staticmethod
    def _finish(report: LifecycleReport) -> LifecycleReport:
        logger.info("lifecycle run", extra=report.as_dict())
        if report.failed:
            raise LifecycleIncomplete(report)
        return report

    def _log(self, signal: Signal, now: datetime, action: Action, detail: str) -> LogEntry:
        return self._audit.entry(
            now, action, client_id=CLIENT_ID, organisation_id=signal.organisation.id, signal=signal, detail=detail
        )

    def _delete(self, signal: Signal, now: datetime, read: SignalWithMatches | None) -> bool:
        """Delete ``signal``; ``False`` when an overlapping run (or request) deleted it first."""
        # Read it back with its matches (unless a worker just did), so the derived records go too.
        stored = read or self._store.get(signal.id) or SignalWithMatches(signal=signal)
        try:
            self._store.delete(stored, self._log(signal, now, Action.SIGNAL_DELETED, "retention period ended"))
        except NotFound:
            return False
        return True

    def _archive(self, signal: Signal, now: datetime) -> tuple[int, bool]:
        """Tell the owner first (once), then archive: a failed mail leaves the signal due.

        Returns the notices sent and whether this run archived it: a signal closed, archived by an
        overlapping run, corrected or deleted since the due index was read is left as it now is.
        """
        notice = archived_notice(signal)
        log = self._log(signal, now, Action.NOTIFICATION_SENT, "owner told the signal is archived")
        delivery = send_once(self._ledger, self._mailer, notice, now, log)
        if delivery is Delivery.GONE:
            return 0, False
        today = dutch_date(now)

        def archive(current: SignalWithMatches | None) -> bool:
            if current is None or due_transition(current.signal, today) is not Transition.ARCHIVE:
                return False
            archived = replace(current.signal, archived_on=current.signal.active_until + timedelta(days=1))
            entry = self._log(current.signal, now, Action.SIGNAL_ARCHIVED, "active period ended")
            try:
                self._store.archive(current, archived, entry)
            except NotFound:
                return False
            return True

        # As the due index holds it, without its matches: the copies on the other sides show the
        # archive from the dates they have. A re-read after a conflict brings the matches along.
        first: SignalWithMatches | None = SignalWithMatches(signal=signal)
        done = on_fresh_reads(first, lambda stale: self._store.reload(stale.signal) if stale else None, archive)
        return int(delivery is Delivery.SENT), done

    def _remind(self, reminders: ReminderStore, match: MunicipalMatch, today: date, now: datetime) -> int:
        """One reminder to each professional of a match still open 14 days on who did not answer it;
        each side marked once reminded, or once it answered (it needs none).

        The ledger, not the ``reminded`` flags, decides whether a reminder goes: the flags only take
        the match out of the job's index, so they are set for a reminder sent by an overlapping run
        (or by a run that stopped before setting them) too.
        """
        if match.follow_up is not FollowUp.OPEN or today < match.reminder_due():
            return 0
        sent = 0
        for index, (own, other) in enumerate(((match.sides[0], match.sides[1]), (match.sides[1], match.sides[0]))):
            if match.reminded[index]:
                continue
            if own.answer is None:
                log = self._audit.entry(
                    now,
                    Action.NOTIFICATION_SENT,
                    client_id=CLIENT_ID,
                    organisation_id=own.organisation.id,
                    municipality_code=match.municipality_code,
                    signal_id=own.signal_id,
                    child=Pseudonym(own.child_pseudonym, own.key_version),
                    detail=f"follow_up_reminder; match {match.id}",
                )
                notice = replace(reminder(match.id, own, other), portal_url=self._portal_url)
                delivery = send_once(self._ledger, self._mailer, notice, now, log)
                if delivery in (Delivery.IN_FLIGHT, Delivery.GONE):
                    # The run sending it marks it; a signal deleted meanwhile took the match along.
                    continue
                if delivery is Delivery.SENT:
                    sent += 1
            reminders.mark_reminded(match, index)
            match = replace(match, reminded=(True, match.reminded[1]) if index == 0 else (match.reminded[0], True))
        return sent


class LifecycleIncomplete(Exception):
    """Some signals could not be handled; they stay due and the next run retries them."""

    def __init__(self, report: LifecycleReport) -> None:
        super().__init__(f"{len(report.failed)} signal(s) failed")
        self.report = report
