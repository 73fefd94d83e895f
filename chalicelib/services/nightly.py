"""The nightly job's planner: find what is due, by key, and hand it to parallel workers in chunks.

The planner reads the due index a page at a time (keys only) and sends full chunks as it goes, so
what it has found is being worked on while it reads on. It makes a bounded number of calls per
invocation: after ``pages_per_run`` pages it sends a continuation (a chunk holding only the cursor)
and stops, and the worker that receives it plans on from there. However large a night, no
invocation reads more than ``pages_per_run`` pages.

Planning twice (EventBridge delivers a schedule at least once; a continuation may be redelivered)
sends some chunks twice; a worker reads each item again and skips what is no longer due, so that
costs reads, never a second archive, deletion or mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.clock import dutch_date
from chalicelib.domain.nightly import CHUNK_SIZE, Chunk, DueItem, chunked
from chalicelib.observability import logger
from chalicelib.ports import Clock, DueWork, WorkQueue

PAGE_SIZE = 1000
PAGES_PER_RUN = 100
# Chunks handed to the queue in one go: SQS takes ten messages to a request.
SEND_AT_ONCE = 10


@dataclass
class PlanReport:
    today: str
    pages: int = 0
    due: int = 0
    chunks: int = 0
    continued: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today,
            "pages": self.pages,
            "due": self.due,
            "chunks": self.chunks,
            "continued": self.continued,
        }


class NightlyPlanner:
    def __init__(
        self,
        due: DueWork,
        queue: WorkQueue,
        clock: Clock,
        page_size: int = PAGE_SIZE,
        pages_per_run: int = PAGES_PER_RUN,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._due = due
        self._queue = queue
        self._clock = clock
        self._page_size = page_size
        self._pages_per_run = pages_per_run
        self._chunk_size = chunk_size

    def plan(self, cursor: str | None = None) -> PlanReport:
        """Plan from the start of the due index, or on from ``cursor`` (a continuation)."""
        today = dutch_date(self._clock.now())
        report = PlanReport(today.isoformat())
        waiting: list[DueItem] = []
        while report.pages < self._pages_per_run:
            page = self._due.due_page(today, cursor, self._page_size)
            report.pages += 1
            report.due += len(page.items)
            waiting += page.items
            cursor = page.cursor
            full = len(waiting) - len(waiting) % (self._chunk_size * SEND_AT_ONCE)
            if cursor is None:
                full = len(waiting)
            self._send(report, chunked(waiting[:full], self._chunk_size))
            waiting = waiting[full:]
            if cursor is None:
                break
        else:
            # The budget is spent: what was found goes out, and the rest is planned by whoever
            # receives the continuation.
            self._send(report, [*chunked(waiting, self._chunk_size), Chunk(cursor=cursor)])
            report.continued = True
        logger.info("nightly job planned", extra=report.as_dict())
        return report

    def _send(self, report: PlanReport, chunks: list[Chunk]) -> None:
        if not chunks:
            return
        self._queue.send(chunks)
        report.chunks += sum(1 for chunk in chunks if chunk.cursor is None)
