"""One contract for the SignalStore port, held against the in-memory fake and DynamoDB on moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap, web
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal, NotFound
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import CloseReason, Professional, Signal, SignalStatus
from chalicelib.ports import IdempotencyRecord, IdempotencyReplay, Logbook, SignalStore
from tests import builders
from tests.fakes import InMemoryLogbook, InMemorySignalStore, signal_in

START = builders.START
TODAY = date(2026, 11, 28)
ORG = builders.organisation()
OTHER_ORG = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
NEW_PROFESSIONAL = Professional("Q. de Boer", "Wijkverpleegkundige", "q.deboer@ggd.example.nl", "+31 30 765 4321")


def log_for(signal: Signal, action: Action = Action.SIGNAL_CREATED, at: datetime | None = None) -> LogEntry:
    at = at or signal.created_at
    return LogEntry(
        id=new_id(at),
        at=at,
        action=action,
        client_id=signal.organisation.id,
        organisation_id=signal.organisation.id,
        signal_id=signal.id,
        child_pseudonym=signal.child_pseudonym.value,
        key_version=signal.child_pseudonym.key_version,
    )


def record_for(signal: Signal, key: str = "key-1", fingerprint: str = "f1") -> IdempotencyRecord:
    return IdempotencyRecord(
        organisation_id=signal.organisation.id,
        key=key,
        fingerprint=fingerprint,
        signal_id=signal.id,
        expires_at=signal.created_at + timedelta(hours=24),
    )


def as_read(signal: Signal) -> SignalWithMatches:
    """``signal`` as a use case reads it before it matched anything: what a change is written from."""
    return SignalWithMatches(signal=signal)


def archived(signal: Signal, on: date) -> Signal:
    return replace(signal, archived_on=on, close_reason=CloseReason.RISK_RESOLVED, delete_after=date(2031, 11, 28))


class SignalStoreContract:
    """What every SignalStore does; subclasses supply ``store`` and the ``logbook`` it writes to."""

    @pytest.fixture
    def logbook(self) -> Logbook:
        raise NotImplementedError

    @pytest.fixture
    def store(self, logbook: Logbook) -> SignalStore:
        raise NotImplementedError

    def add(self, store: SignalStore, signal: Signal, today: date = TODAY, record: Any = None) -> Signal:
        store.add(signal, today, record, log_for(signal))
        return signal

    def ids(self, store: SignalStore, status: SignalStatus | None = None, today: date = TODAY) -> list[str]:
        return [r.signal.id for r in store.list_for_organisation(ORG.id, status, today, 100, None).signals]

    # Adding and reading

    def test_added_signal_reads_back_equal(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal())
        assert signal_in(store, signal.id) == signal

    def test_signal_without_optional_fields_reads_back_equal(self, store: SignalStore) -> None:
        bare = builders.domain_signal()
        child = replace(
            bare.child,
            family_name_prefix=None,
            address=replace(bare.child.address, house_letter=None, house_number_suffix=None),
        )
        signal = self.add(store, replace(bare, child=child, case_reference=None, family_informed=False))
        assert signal_in(store, signal.id) == signal

    def test_unknown_signal_is_none(self, store: SignalStore) -> None:
        assert store.get("01JD4B9Q2M7V3X8K5N6P0R1S2T") is None

    def test_adding_writes_the_log_entry(self, store: SignalStore, logbook: Logbook) -> None:
        signal = builders.domain_signal()
        entry = log_for(signal)
        store.add(signal, TODAY, None, entry)
        assert logbook.entries_for_child(signal.child_pseudonym.value) == [entry]

    # One active signal per organisation per child

    def test_second_active_signal_of_an_organisation_for_a_child_is_refused(
        self, store: SignalStore, logbook: Logbook
    ) -> None:
        first = self.add(store, builders.domain_signal(seed=1))
        second = builders.domain_signal(seed=1, created_at=START + timedelta(minutes=1))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, second)
        assert raised.value.signal_id == first.id
        assert store.get(second.id) is None
        assert [e.signal_id for e in logbook.entries_for_child(first.child_pseudonym.value)] == [first.id]

    def test_another_organisation_may_add_a_signal_for_the_same_child(self, store: SignalStore) -> None:
        self.add(store, builders.domain_signal(seed=1))
        theirs = self.add(store, builders.domain_signal(seed=1, org=OTHER_ORG))
        assert signal_in(store, theirs.id) == theirs

    def test_guard_holds_through_the_last_active_day_and_expires_after_it(self, store: SignalStore) -> None:
        first = self.add(store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10)))
        later = builders.domain_signal(seed=1, created_at=datetime(2026, 12, 10, 9, tzinfo=START.tzinfo))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, later, today=date(2026, 12, 10))
        assert raised.value.signal_id == first.id
        successor = builders.domain_signal(seed=1, created_at=datetime(2026, 12, 11, 9, tzinfo=START.tzinfo))
        self.add(store, successor, today=date(2026, 12, 11))
        assert signal_in(store, successor.id) == successor
        assert signal_in(store, first.id) == first
        third = builders.domain_signal(seed=1, created_at=datetime(2026, 12, 12, 9, tzinfo=START.tzinfo))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, third, today=date(2026, 12, 12))
        assert raised.value.signal_id == successor.id

    # Idempotency

    def test_idempotency_record_is_kept_with_the_signal(self, store: SignalStore) -> None:
        signal = builders.domain_signal()
        record = record_for(signal)
        self.add(store, signal, record=record)
        assert store.get_idempotency(ORG.id, "key-1") == record
        assert store.get_idempotency(OTHER_ORG.id, "key-1") is None
        assert store.get_idempotency(ORG.id, "key-2") is None

    def test_reused_key_replays_the_first_record_and_stores_nothing(self, store: SignalStore, logbook: Logbook) -> None:
        first = builders.domain_signal(seed=1)
        self.add(store, first, record=record_for(first))
        second = builders.domain_signal(seed=2, created_at=START + timedelta(minutes=1))
        with pytest.raises(IdempotencyReplay) as raised:
            self.add(store, second, record=record_for(second, fingerprint="f2"))
        assert raised.value.record == record_for(first)
        assert store.get(second.id) is None
        assert logbook.entries_for_child(second.child_pseudonym.value) == []
        assert self.ids(store) == [first.id]

    def test_reused_key_for_the_same_child_is_a_replay_not_a_duplicate(self, store: SignalStore) -> None:
        first = builders.domain_signal(seed=1)
        self.add(store, first, record=record_for(first))
        retry = builders.domain_signal(seed=1, created_at=START + timedelta(seconds=5))
        with pytest.raises(IdempotencyReplay) as raised:
            self.add(store, retry, record=record_for(retry))
        assert raised.value.record.signal_id == first.id

    def test_same_key_of_another_organisation_is_independent(self, store: SignalStore) -> None:
        mine = builders.domain_signal(seed=1)
        theirs = builders.domain_signal(seed=2, org=OTHER_ORG)
        self.add(store, mine, record=record_for(mine))
        self.add(store, theirs, record=record_for(theirs))
        assert store.get_idempotency(OTHER_ORG.id, "key-1") == record_for(theirs)

    def test_key_is_replayed_until_its_expiry_second_and_free_after_it(self, store: SignalStore) -> None:
        first = builders.domain_signal(seed=1)
        self.add(store, first, record=record_for(first))
        expiry = first.created_at + timedelta(hours=24)
        on_expiry = builders.domain_signal(seed=2, created_at=expiry)
        with pytest.raises(IdempotencyReplay):
            self.add(store, on_expiry, record=record_for(on_expiry))
        after = builders.domain_signal(seed=2, created_at=expiry + timedelta(seconds=1))
        self.add(store, after, record=record_for(after))
        assert signal_in(store, after.id) == after
        assert store.get_idempotency(ORG.id, "key-1") == record_for(after)

    def test_refused_duplicate_leaves_no_idempotency_record(self, store: SignalStore) -> None:
        self.add(store, builders.domain_signal(seed=1))
        second = builders.domain_signal(seed=1, created_at=START + timedelta(minutes=1))
        with pytest.raises(DuplicateActiveSignal):
            self.add(store, second, record=record_for(second, key="key-2"))
        assert store.get_idempotency(ORG.id, "key-2") is None

    # Listing

    def test_list_pages_newest_first_with_a_cursor_the_api_accepts(self, store: SignalStore) -> None:
        signals = [
            self.add(store, builders.domain_signal(seed=seed, created_at=START + timedelta(minutes=seed)))
            for seed in range(1, 6)
        ]
        self.add(store, builders.domain_signal(seed=9, org=OTHER_ORG, created_at=START + timedelta(minutes=9)))
        newest_first = [s.id for s in reversed(signals)]
        seen: list[str] = []
        after = None
        for _ in range(3):
            page = store.list_for_organisation(ORG.id, None, TODAY, 2, after)
            seen.extend(r.signal.id for r in page.signals)
            if page.next_after is not None:
                assert web.decode_cursor(web.encode_cursor(page.next_after)) == page.next_after
                assert page.next_after.endswith("#" + page.signals[-1].signal.id)
            after = page.next_after
        assert seen == newest_first
        assert after is None

    def test_list_returns_whole_signals(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal())
        assert store.list_for_organisation(ORG.id, None, TODAY, 10, None).signals == [as_read(signal)]

    def test_full_last_page_has_no_cursor(self, store: SignalStore) -> None:
        for seed in (1, 2):
            self.add(store, builders.domain_signal(seed=seed, created_at=START + timedelta(minutes=seed)))
        page = store.list_for_organisation(ORG.id, None, TODAY, 2, None)
        assert len(page.signals) == 2
        assert page.next_after is None

    def test_signals_of_the_same_second_are_ordered_by_id(self, store: SignalStore) -> None:
        signals = [self.add(store, builders.domain_signal(seed=seed)) for seed in range(1, 5)]
        expected = sorted((s.id for s in signals), reverse=True)
        first = store.list_for_organisation(ORG.id, None, TODAY, 2, None)
        second = store.list_for_organisation(ORG.id, None, TODAY, 2, first.next_after)
        assert [r.signal.id for r in first.signals + second.signals] == expected

    def test_list_filters_status_by_the_given_date(self, store: SignalStore) -> None:
        expiring = self.add(store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10)))
        closed = builders.domain_signal(seed=2, created_at=START + timedelta(minutes=1))
        self.add(store, closed)
        store.archive(as_read(closed), archived(closed, TODAY), log_for(closed, Action.SIGNAL_ARCHIVED))
        active = self.add(store, builders.domain_signal(seed=3, created_at=START + timedelta(minutes=2)))
        assert self.ids(store, SignalStatus.ACTIVE) == [active.id, expiring.id]
        assert self.ids(store, SignalStatus.ARCHIVED) == [closed.id]
        later = date(2026, 12, 11)
        assert self.ids(store, SignalStatus.ACTIVE, later) == [active.id]
        assert self.ids(store, SignalStatus.ARCHIVED, later) == [closed.id, expiring.id]
        assert self.ids(store, None, later) == [active.id, closed.id, expiring.id]

    def test_list_leaves_out_signals_after_their_delete_day(self, store: SignalStore) -> None:
        short = self.add(
            store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10), delete_after=date(2027, 1, 31))
        )
        long = self.add(store, builders.domain_signal(seed=2, created_at=START + timedelta(minutes=1)))
        assert self.ids(store, None, date(2027, 1, 31)) == [long.id, short.id]
        assert self.ids(store, None, date(2027, 2, 1)) == [long.id]
        assert self.ids(store, SignalStatus.ARCHIVED, date(2027, 2, 1)) == []

    def test_filtered_pages_skip_signals_of_the_other_status(self, store: SignalStore) -> None:
        active = []
        for seed in range(1, 9):
            signal = builders.domain_signal(seed=seed, created_at=START + timedelta(minutes=seed))
            self.add(store, signal)
            if seed % 3:
                store.archive(as_read(signal), archived(signal, TODAY), log_for(signal, Action.SIGNAL_ARCHIVED))
            else:
                active.append(signal.id)
        seen: list[str] = []
        page = store.list_for_organisation(ORG.id, SignalStatus.ACTIVE, TODAY, 1, None)
        seen.extend(r.signal.id for r in page.signals)
        while page.next_after is not None:
            page = store.list_for_organisation(ORG.id, SignalStatus.ACTIVE, TODAY, 1, page.next_after)
            seen.extend(r.signal.id for r in page.signals)
        assert seen == list(reversed(active))

    # Archiving

    def test_archive_replaces_the_signal_and_logs_it(self, store: SignalStore, logbook: Logbook) -> None:
        signal = self.add(store, builders.domain_signal())
        closed = archived(signal, TODAY)
        entry = log_for(signal, Action.SIGNAL_ARCHIVED, START + timedelta(minutes=1))
        store.archive(as_read(signal), closed, entry)
        assert signal_in(store, signal.id) == closed
        assert logbook.entries_for_child(signal.child_pseudonym.value)[-1] == entry

    def test_archive_releases_the_guard(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal(seed=1))
        store.archive(as_read(signal), archived(signal, TODAY), log_for(signal, Action.SIGNAL_ARCHIVED))
        again = self.add(store, builders.domain_signal(seed=1, created_at=START + timedelta(minutes=1)))
        assert signal_in(store, again.id) == again

    def test_archive_of_a_missing_signal_is_not_found_and_logs_nothing(
        self, store: SignalStore, logbook: Logbook
    ) -> None:
        signal = builders.domain_signal()
        with pytest.raises(NotFound):
            store.archive(as_read(signal), archived(signal, TODAY), log_for(signal, Action.SIGNAL_ARCHIVED))
        assert logbook.entries_for_child(signal.child_pseudonym.value) == []
        assert store.get(signal.id) is None

    def test_archiving_an_expired_signal_keeps_its_successors_guard(self, store: SignalStore) -> None:
        old = self.add(store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10)))
        new_at = datetime(2026, 12, 11, 9, tzinfo=START.tzinfo)
        new = self.add(store, builders.domain_signal(seed=1, created_at=new_at), today=date(2026, 12, 11))
        store.archive(as_read(old), archived(old, date(2026, 12, 11)), log_for(old, Action.SIGNAL_ARCHIVED, new_at))
        third = builders.domain_signal(seed=1, created_at=new_at + timedelta(minutes=1))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, third, today=date(2026, 12, 11))
        assert raised.value.signal_id == new.id

    # Deleting

    def test_delete_removes_the_signal_and_its_guard_and_logs_it(self, store: SignalStore, logbook: Logbook) -> None:
        signal = self.add(store, builders.domain_signal(seed=1))
        entry = log_for(signal, Action.SIGNAL_DELETED, START + timedelta(minutes=1))
        store.delete(as_read(signal), entry)
        assert store.get(signal.id) is None
        assert self.ids(store) == []
        assert logbook.entries_for_child(signal.child_pseudonym.value) == [log_for_first(logbook, signal), entry]
        again = self.add(store, builders.domain_signal(seed=1, created_at=START + timedelta(minutes=2)))
        assert signal_in(store, again.id) == again

    def test_delete_of_a_missing_signal_is_not_found_and_logs_nothing(
        self, store: SignalStore, logbook: Logbook
    ) -> None:
        signal = builders.domain_signal()
        with pytest.raises(NotFound):
            store.delete(as_read(signal), log_for(signal, Action.SIGNAL_DELETED))
        assert logbook.entries_for_child(signal.child_pseudonym.value) == []

    def test_deleting_an_expired_signal_keeps_its_successors_guard(self, store: SignalStore) -> None:
        old = self.add(store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10)))
        new_at = datetime(2026, 12, 11, 9, tzinfo=START.tzinfo)
        new = self.add(store, builders.domain_signal(seed=1, created_at=new_at), today=date(2026, 12, 11))
        store.delete(as_read(old), log_for(old, Action.SIGNAL_DELETED, new_at))
        assert store.get(old.id) is None
        third = builders.domain_signal(seed=1, created_at=new_at + timedelta(minutes=1))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, third, today=date(2026, 12, 11))
        assert raised.value.signal_id == new.id

    def test_deleting_one_organisations_signal_keeps_the_other_organisations_guard(self, store: SignalStore) -> None:
        mine = self.add(store, builders.domain_signal(seed=1))
        theirs = self.add(store, builders.domain_signal(seed=1, org=OTHER_ORG))
        store.delete(as_read(mine), log_for(mine, Action.SIGNAL_DELETED))
        with pytest.raises(DuplicateActiveSignal) as raised:
            self.add(store, builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        assert raised.value.signal_id == theirs.id

    # Handing over

    def test_replace_professional_changes_only_the_professional_and_logs_it(
        self, store: SignalStore, logbook: Logbook
    ) -> None:
        signal = self.add(store, builders.domain_signal())
        entry = log_for(signal, Action.SIGNAL_HANDED_OVER, START + timedelta(minutes=1))
        store.replace_professional(as_read(signal), NEW_PROFESSIONAL, entry)
        assert signal_in(store, signal.id) == replace(signal, professional=NEW_PROFESSIONAL)
        assert logbook.entries_for_child(signal.child_pseudonym.value)[-1] == entry

    def test_replace_professional_of_a_missing_signal_is_not_found(self, store: SignalStore, logbook: Logbook) -> None:
        signal = builders.domain_signal()
        with pytest.raises(NotFound):
            store.replace_professional(as_read(signal), NEW_PROFESSIONAL, log_for(signal, Action.SIGNAL_HANDED_OVER))
        assert logbook.entries_for_child(signal.child_pseudonym.value) == []

    # Versions: no change is computed from one read and stored over another

    def test_every_change_stores_the_next_version(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal())
        assert signal_in(store, signal.id).version == 0  # type: ignore[union-attr]
        store.replace_professional(as_read(signal), NEW_PROFESSIONAL, log_for(signal, Action.SIGNAL_HANDED_OVER))
        handed_over = signal_in(store, signal.id)
        assert handed_over is not None and handed_over.version == 1
        store.archive(as_read(handed_over), archived(handed_over, TODAY), log_for(signal, Action.SIGNAL_ARCHIVED))
        assert signal_in(store, signal.id).version == 2  # type: ignore[union-attr]

    def test_archiving_a_signal_changed_since_it_was_read_is_a_conflict_and_changes_nothing(
        self, store: SignalStore, logbook: Logbook
    ) -> None:
        read = self.add(store, builders.domain_signal())
        store.replace_professional(as_read(read), NEW_PROFESSIONAL, log_for(read, Action.SIGNAL_HANDED_OVER))
        handed_over = signal_in(store, read.id)
        with pytest.raises(Conflict):
            store.archive(as_read(read), archived(read, TODAY), log_for(read, Action.SIGNAL_ARCHIVED))
        assert signal_in(store, read.id) == handed_over
        assert signal_in(store, read.id).professional == NEW_PROFESSIONAL  # type: ignore[union-attr]
        assert [e.action for e in logbook.entries_for_child(read.child_pseudonym.value)] == [
            Action.SIGNAL_CREATED,
            Action.SIGNAL_HANDED_OVER,
        ]
        with pytest.raises(DuplicateActiveSignal):
            self.add(store, builders.domain_signal(created_at=START + timedelta(minutes=1)))

    def test_handing_over_a_signal_changed_since_it_was_read_is_a_conflict(self, store: SignalStore) -> None:
        read = self.add(store, builders.domain_signal())
        store.archive(as_read(read), archived(read, TODAY), log_for(read, Action.SIGNAL_ARCHIVED))
        with pytest.raises(Conflict):
            store.replace_professional(as_read(read), NEW_PROFESSIONAL, log_for(read, Action.SIGNAL_HANDED_OVER))
        stored = signal_in(store, read.id)
        assert stored == archived(read, TODAY)
        assert stored is not None and stored.professional == read.professional

    def test_a_conflict_is_told_apart_from_a_signal_that_is_gone(self, store: SignalStore) -> None:
        read = self.add(store, builders.domain_signal())
        store.replace_professional(as_read(read), NEW_PROFESSIONAL, log_for(read, Action.SIGNAL_HANDED_OVER))
        store.delete(as_read(read), log_for(read, Action.SIGNAL_DELETED, START + timedelta(minutes=1)))
        with pytest.raises(NotFound):
            store.archive(as_read(read), archived(read, TODAY), log_for(read, Action.SIGNAL_ARCHIVED))

    def test_reload_reads_the_signal_as_stored_now(self, store: SignalStore) -> None:
        read = self.add(store, builders.domain_signal())
        store.replace_professional(as_read(read), NEW_PROFESSIONAL, log_for(read, Action.SIGNAL_HANDED_OVER))
        fresh = store.reload(read)
        assert fresh is not None
        assert fresh.signal == replace(read, professional=NEW_PROFESSIONAL)
        assert fresh.signal.version == 1
        store.delete(fresh, log_for(read, Action.SIGNAL_DELETED, START + timedelta(minutes=1)))
        assert store.reload(read) is None

    def test_rewriting_a_childs_signals_is_all_or_nothing_against_a_stale_read(
        self, store: Any, logbook: Logbook
    ) -> None:
        mine = self.add(store, builders.domain_signal(seed=1))
        theirs = self.add(store, builders.domain_signal(seed=1, org=OTHER_ORG))
        store.replace_professional(as_read(theirs), NEW_PROFESSIONAL, log_for(theirs, Action.SIGNAL_HANDED_OVER))
        renamed = [as_read(replace(s, child=replace(s.child, family_name="de Wit"))) for s in (mine, theirs)]
        entry = log_for(mine, Action.SUBJECT_RECTIFIED, START + timedelta(minutes=1))
        with pytest.raises(Conflict):
            store.replace_signals(renamed, entry)
        assert signal_in(store, mine.id) == mine
        assert signal_in(store, theirs.id) == replace(theirs, professional=NEW_PROFESSIONAL)
        assert entry not in logbook.entries_for_child(mine.child_pseudonym.value)

        fresh = [store.get(mine.id), store.get(theirs.id)]
        stored = store.replace_signals(
            [r.changed(replace(r.signal, child=replace(r.signal.child, family_name="de Wit"))) for r in fresh if r],
            entry,
        )
        assert [r.signal.version for r in stored] == [1, 2]
        assert [store.get(r.signal.id) for r in stored] == stored
        assert signal_in(store, theirs.id).professional == NEW_PROFESSIONAL

    # The lifecycle job's work

    def test_a_signal_is_due_the_day_after_its_active_period_and_stays_due(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal(seed=1, active_until=date(2026, 12, 10)))
        self.add(store, builders.domain_signal(seed=2))
        assert store.due_signals(date(2026, 12, 10)) == []
        assert store.due_signals(date(2026, 12, 11)) == [signal]
        assert store.due_signals(date(2027, 3, 1)) == [signal]

    def test_an_archived_signal_is_due_again_the_day_after_its_delete_day(self, store: SignalStore) -> None:
        signal = self.add(store, builders.domain_signal(seed=1))
        closed = archived(signal, TODAY)
        store.archive(as_read(signal), closed, log_for(signal, Action.SIGNAL_ARCHIVED))
        assert store.due_signals(closed.delete_after) == []
        assert [s.id for s in store.due_signals(closed.delete_after + timedelta(days=1))] == [signal.id]

    # The logbook

    def test_a_log_entry_is_never_overwritten(self, store: SignalStore, logbook: Logbook) -> None:
        signal = builders.domain_signal()
        entry = log_for(signal, Action.SIGNAL_READ)
        logbook.append(entry)
        with pytest.raises(Conflict):
            logbook.append(replace(entry, action=Action.SIGNAL_DELETED))
        assert logbook.entries_for_child(signal.child_pseudonym.value) == [entry]

    def test_log_entries_of_a_child_come_back_in_time_order(self, store: SignalStore, logbook: Logbook) -> None:
        signal = self.add(store, builders.domain_signal())
        later = [
            log_for(signal, Action.SIGNAL_READ, START + timedelta(minutes=2)),
            log_for(signal, Action.SIGNAL_READ, START + timedelta(minutes=1)),
        ]
        for entry in later:
            logbook.append(entry)
        other_child = self.add(store, builders.domain_signal(seed=2))
        entries = logbook.entries_for_child(signal.child_pseudonym.value)
        assert entries == [log_for_first(logbook, signal), later[1], later[0]]
        assert all(e.child_pseudonym != other_child.child_pseudonym.value for e in entries)


def log_for_first(logbook: Logbook, signal: Signal) -> LogEntry:
    """The creation entry of ``signal`` as the logbook holds it."""
    created = [e for e in logbook.entries_for_child(signal.child_pseudonym.value) if e.action is Action.SIGNAL_CREATED]
    assert [e.signal_id for e in created] == [signal.id]
    return created[0]


class TestInMemorySignalStore(SignalStoreContract):
    @pytest.fixture
    def logbook(self) -> InMemoryLogbook:
        return InMemoryLogbook()

    @pytest.fixture
    def store(self, logbook: InMemoryLogbook) -> InMemorySignalStore:
        return InMemorySignalStore(logbook)


class TestDynamoDBSignalStore(SignalStoreContract):
    @pytest.fixture
    def logbook(self, container: bootstrap.Container) -> Logbook:
        return container.logbook

    @pytest.fixture
    def store(self, container: bootstrap.Container) -> SignalStore:
        return container.signal_store

    def test_no_table_holds_the_bsn(self, store: SignalStore, container: bootstrap.Container) -> None:
        signal = self.add(store, builders.domain_signal(seed=5))
        store.replace_professional(as_read(signal), NEW_PROFESSIONAL, log_for(signal, Action.SIGNAL_HANDED_OVER))
        dynamodb = container.dynamodb
        for table in dynamodb.list_tables()["TableNames"]:
            dump = repr(dynamodb.scan(TableName=table)["Items"])
            assert builders.bsn(5) not in dump, table
