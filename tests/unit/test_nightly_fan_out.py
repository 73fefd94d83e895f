"""The nightly job fanned out, on fakes: the planner's chunks and bounded pages, and workers that can
handle a chunk twice, late, or after the world moved on, without a second archive, deletion or mail."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.nightly import CHUNK_SIZE, Chunk, DueItem, DueKind, DuePage, MalformedChunk, chunked
from chalicelib.services.audit import Audit
from chalicelib.services.lifecycle import LifecycleService
from chalicelib.services.nightly import NightlyPlanner
from chalicelib.work import handle_messages
from local.clock import FixedClock
from tests import builders
from tests.builders import START
from tests.fakes import (
    InMemoryDueWork,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryWorkQueue,
    RecordingMailer,
    signal_in,
)
from tests.unit.test_lifecycle_service import ACTIVE_UNTIL, DAY, DELETE_AFTER, JANSEN, at_night, signal

ARCHIVE_DAY = ACTIVE_UNTIL + DAY


class Night:
    """A signal store with signals in it, the planner and the workers on one clock."""

    def __init__(self, page_size: int = 1000, pages_per_run: int = 100) -> None:
        self.logbook = InMemoryLogbook()
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.municipal = InMemoryMunicipalMatches(self.store)
        self.mailer = RecordingMailer()
        self.clock = FixedClock(at_night(ARCHIVE_DAY))
        self.queue = InMemoryWorkQueue()
        self.due = InMemoryDueWork(self.store, self.municipal)
        ids = MonotonicUlids()
        audit = Audit(self.clock, lambda at: ids.next(at, os.urandom(10)))
        self.lifecycle = LifecycleService(self.store, self.ledger, self.mailer, audit, self.municipal)
        self.planner = NightlyPlanner(self.due, self.queue, self.clock, page_size, pages_per_run)

    def signals(self, count: int, **overrides: Any) -> list[str]:
        made = [signal(seed=1000 + n, **overrides) for n in range(count)]
        for made_signal in made:
            self.store.put(made_signal)
        return [s.id for s in made]

    def work(self, chunks: list[Chunk]) -> dict[str, object]:
        """Each chunk to a worker, as SQS delivers them (continuations plan on)."""
        done: dict[str, Any] = {"archived": 0, "deleted": 0, "notices_sent": 0}
        pending = list(chunks)
        while pending:
            report = handle_messages([pending.pop(0).to_json()], self.lifecycle, self.planner)
            for name in done:
                done[name] += report.get(name, 0)
            pending += self.queue.take()
        return done


def test_the_planner_sends_due_keys_in_chunks_of_at_most_a_hundred_and_the_workers_archive_each_once() -> None:
    night = Night()
    ids = night.signals(250)

    report = night.planner.plan()

    chunks = night.queue.take()
    assert (report.due, report.chunks, report.continued) == (250, 3, False)
    assert [len(c.items) for c in chunks] == [100, 100, 50]
    assert {item.item_id for c in chunks for item in c.items} == set(ids)
    assert night.work(chunks) == {"archived": 250, "deleted": 0, "notices_sent": 250}
    assert night.queue.sends == 1  # three chunks in one send: SQS takes ten to a request


def test_a_chunk_holds_keys_only_never_a_bsn_or_child_data() -> None:
    night = Night()
    night.signals(3)
    night.planner.plan()
    [chunk] = night.queue.take()
    body = chunk.to_json()
    stored = [signal_in(night.store, item.item_id) for item in chunk.items]
    for found in stored:
        assert found is not None
        for value in (found.child.family_name, found.child.birth_date.isoformat(), found.child.address.postcode):
            assert value not in body
    assert set(json.loads(body)) == {"v", "items"}
    assert builders.bsn(1) not in body


def test_a_chunk_handled_twice_or_after_the_night_moved_on_does_no_harm() -> None:
    night = Night()
    night.signals(5)
    night.planner.plan()
    [chunk] = night.queue.take()

    first = night.work([chunk])
    again = night.work([chunk])  # SQS redelivered it, or the schedule fired twice

    assert first == {"archived": 5, "deleted": 0, "notices_sent": 5}
    assert again == {"archived": 0, "deleted": 0, "notices_sent": 0}
    assert len(night.mailer.sent) == 5


def test_a_worker_skips_what_a_request_changed_or_deleted_since_the_plan() -> None:
    night = Night()
    closed, deleted, due = night.signals(3)
    night.planner.plan()
    [chunk] = night.queue.take()
    stored = signal_in(night.store, closed)
    assert stored is not None
    night.store.put(replace(stored, archived_on=ACTIVE_UNTIL, version=stored.version + 1))
    del night.store.signals[deleted]

    assert night.work([chunk]) == {"archived": 1, "deleted": 0, "notices_sent": 1}
    assert [mail.to for mail in night.mailer.sent] == [JANSEN.email]
    archived = signal_in(night.store, due)
    assert archived is not None and archived.archived_on == ARCHIVE_DAY


def test_deletions_go_through_the_workers_too() -> None:
    night = Night()
    gone = night.signals(2, archived_on=ARCHIVE_DAY)
    night.clock.set(at_night(DELETE_AFTER + DAY))
    night.planner.plan()

    assert night.work(night.queue.take())["deleted"] == 2
    assert all(signal_in(night.store, signal_id) is None for signal_id in gone)


def test_each_reminder_goes_once_when_its_chunk_is_handled_twice() -> None:
    from tests.unit.test_exactly_once_mail import BAKKER, BUURTTEAM, GGD, JANSEN
    from tests.unit.test_exactly_once_mail import World as MailWorld

    world = MailWorld()
    world.register(GGD, JANSEN)
    world.clock.set(START + timedelta(minutes=1))
    world.matching().process(world.register(BUURTTEAM, BAKKER))
    world.mailer.sent.clear()
    world.clock.set(START + timedelta(days=14))
    queue = InMemoryWorkQueue()
    NightlyPlanner(InMemoryDueWork(world.store, world.municipal), queue, world.clock).plan()
    [chunk] = queue.take()
    assert [item.kind for item in chunk.items] == [DueKind.REMINDER]

    reports = [world.lifecycle().process(chunk) for _ in range(2)]

    assert [report.reminders_sent for report in reports] == [2, 0]
    assert sorted(world.subjects_of("herinnering aan een open match")) == sorted([JANSEN.email, BAKKER.email])
    [match] = world.municipal.for_municipality("0344", None)
    assert match.reminded == (True, True) and match.follow_up is FollowUp.OPEN


@pytest.mark.parametrize(("due", "pages_per_run"), [(0, 3), (9, 3), (10, 3), (25, 2)])
def test_the_planner_reads_a_bounded_number_of_pages_and_hands_on_the_rest(due: int, pages_per_run: int) -> None:
    night = Night(page_size=4, pages_per_run=pages_per_run)
    ids = night.signals(due)

    first = night.planner.plan()
    assert first.pages <= pages_per_run
    sent = night.queue.take()
    continuations = [chunk for chunk in sent if chunk.cursor is not None]
    assert first.continued is bool(continuations)
    assert len(continuations) <= 1 and all(chunk is sent[-1] for chunk in continuations)

    done = night.work(sent)
    assert done["archived"] == due
    assert night.store.due_signals(ARCHIVE_DAY) == []
    assert len(night.mailer.sent) == len(ids)


def test_a_night_of_fifty_thousand_is_planned_in_pages_and_no_planner_reads_more_than_its_budget() -> None:
    night = Night(page_size=1000, pages_per_run=20)
    items = [DueItem(DueKind.SIGNAL, f"child{n}", f"sg_{n}") for n in range(50_000)]

    class Due:
        def due_page(self, today: date, cursor: str | None, limit: int) -> DuePage:
            start = int(cursor or 0)
            end = min(start + limit, len(items))
            return DuePage(items[start:end], str(end) if end < len(items) else None)

    planner = NightlyPlanner(Due(), night.queue, night.clock, 1000, 20)
    runs = [planner.plan()]
    while runs[-1].continued:
        [cursor] = [chunk.cursor for chunk in night.queue.sent if chunk.cursor is not None]
        night.queue.sent = [chunk for chunk in night.queue.sent if chunk.cursor is None]
        runs.append(planner.plan(cursor))
    assert [run.pages for run in runs] == [20, 20, 10]
    assert sum(run.chunks for run in runs) == 500
    assert {item for chunk in night.queue.sent for item in chunk.items} == set(items)


def test_chunks_survive_the_queue_and_anything_else_is_refused() -> None:
    items = tuple(DueItem(DueKind.SIGNAL, "a" * 64, f"sg_{n}") for n in range(CHUNK_SIZE))
    chunk = Chunk(items)
    assert Chunk.from_json(chunk.to_json()) == chunk
    assert len(chunk.to_json()) < 256 * 1024 // 20  # far below SQS's message limit
    assert Chunk.from_json(Chunk(cursor="{}").to_json()) == Chunk(cursor="{}")
    assert chunked(items[:5], 2) == [Chunk(items[0:2]), Chunk(items[2:4]), Chunk(items[4:5])]
    for body in ("", "[]", '{"v": 2, "items": []}', '{"v": 1}', '{"v": 1, "items": [["x", "a", "b"]]}'):
        with pytest.raises(MalformedChunk):
            Chunk.from_json(body)


def test_a_stage_without_a_work_queue_fails_loudly_when_the_job_plans() -> None:
    from chalicelib.bootstrap import Container
    from chalicelib.settings import ConfigurationError, Settings
    from tests.unit.test_settings import ENVIRONMENT

    with pytest.raises(ConfigurationError, match="LIFECYCLE_QUEUE"):
        _ = Container(Settings.from_environ(ENVIRONMENT)).nightly_planner
