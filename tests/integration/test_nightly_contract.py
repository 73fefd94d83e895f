"""One contract for what the fanned-out nightly job needs (the DueWork and WorkQueue ports, and the
stores' reads by key), held against the in-memory fakes and DynamoDB and SQS on moto; and the
logbook's retention as DynamoDB's TTL sees it."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.sqs import QueueRefused, SqsWorkQueue
from chalicelib.domain.logbook import Action
from chalicelib.domain.nightly import Chunk, DueItem, DueKind
from tests import builders
from tests.fakes import (
    InMemoryDueWork,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
    InMemoryWorkQueue,
)
from tests.integration.test_match_store_contract import Stores
from tests.integration.test_municipal_matches_contract import DUE
from tests.integration.test_signal_store_contract import OTHER_ORG, START, log_for

ACTIVE_UNTIL = date(2027, 1, 31)


@dataclass
class Night:
    stores: Stores
    due: Any

    def all_due(self, today: date, limit: int) -> tuple[list[DueItem], int]:
        """Every page, as the planner reads them; returns the items and the pages read."""
        items: list[DueItem] = []
        cursor: str | None = None
        pages = 0
        while True:
            page = self.due.due_page(today, cursor, limit)
            pages += 1
            assert len(page.items) <= limit
            items += page.items
            cursor = page.cursor
            if cursor is None:
                return items, pages


class NightlyContract:
    @pytest.fixture
    def night(self) -> Night:
        raise NotImplementedError

    def signals(self, night: Night, count: int) -> list[DueItem]:
        made = []
        for n in range(count):
            signal = builders.domain_signal(seed=100 + n, active_until=ACTIVE_UNTIL)
            night.stores.add(signal)
            made.append(DueItem(DueKind.SIGNAL, signal.child_pseudonym.value, signal.id))
        return made

    def test_nothing_is_due_before_its_day_and_everything_after_in_pages(self, night: Night) -> None:
        made = self.signals(night, 7)

        assert night.all_due(ACTIVE_UNTIL, 3)[0] == []
        found, pages = night.all_due(ACTIVE_UNTIL + timedelta(days=1), 3)
        assert sorted(found, key=lambda item: item.item_id) == sorted(made, key=lambda item: item.item_id)
        assert pages >= 3
        assert night.all_due(ACTIVE_UNTIL + timedelta(days=90), 100)[0] != []  # missed days stay due

    def test_items_handled_between_pages_do_not_hide_the_rest(self, night: Night) -> None:
        made = self.signals(night, 6)
        today = ACTIVE_UNTIL + timedelta(days=1)
        first = night.due.due_page(today, None, 2)
        for item in first.items:  # a worker archives what the first page held
            read = night.stores.signals.load(item.partition, item.item_id)
            archived = replace(read.signal, archived_on=today)
            night.stores.signals.archive(read, archived, log_for(read.signal, Action.SIGNAL_ARCHIVED, START))
        rest: list[DueItem] = []
        cursor = first.cursor
        while cursor is not None:
            page = night.due.due_page(today, cursor, 2)
            rest += page.items
            cursor = page.cursor
        assert {item.item_id for item in first.items + rest} == {item.item_id for item in made}

    def test_every_signal_due_or_not_comes_a_page_at_a_time_and_no_reminder(self, night: Night) -> None:
        made = self.signals(night, 5)
        earlier = night.stores.add(builders.domain_signal(seed=1))
        new = night.stores.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        night.stores.match(earlier, new)  # a regievoerder's record with a reminder due: not a signal
        made += [DueItem(DueKind.SIGNAL, s.child_pseudonym.value, s.id) for s in (earlier, new)]
        found: list[DueItem] = []
        cursor: str | None = None
        pages = 0
        while pages == 0 or cursor is not None:
            page = night.due.signal_page(cursor, 2)
            assert len(page.items) <= 2
            found, cursor, pages = found + page.items, page.cursor, pages + 1
        assert sorted(found, key=lambda item: item.item_id) == sorted(made, key=lambda item: item.item_id)
        assert pages >= 4

    def test_a_signal_is_loaded_by_its_key_with_its_matches(self, night: Night) -> None:
        earlier = night.stores.add(builders.domain_signal(seed=1))
        new = night.stores.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        night.stores.match(earlier, new)

        read = night.stores.signals.load(earlier.child_pseudonym.value, earlier.id)
        assert read is not None and read.signal == earlier and len(read.matches) == 1
        assert night.stores.signals.load(earlier.child_pseudonym.value, "sg_nope") is None
        assert night.stores.signals.load("0" * 64, earlier.id) is None

    def test_due_reminders_come_by_key_after_the_signals(self, night: Night) -> None:
        earlier = night.stores.add(builders.domain_signal(seed=1))
        new = night.stores.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        night.stores.match(earlier, new)
        [match] = night.stores.municipal.for_municipality("0344", None)

        found, _ = night.all_due(DUE, 10)

        assert found == [DueItem(DueKind.REMINDER, "0344", match.id)]
        assert night.stores.municipal.get("0344", match.id) == match
        assert night.all_due(DUE - timedelta(days=1), 10)[0] == []


class TestInMemoryNightly(NightlyContract):
    @pytest.fixture
    def night(self) -> Night:
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        municipal = InMemoryMunicipalMatches(store)
        return Night(Stores(store, store, municipal, ledger), InMemoryDueWork(store, municipal))


class TestDynamoDBNightly(NightlyContract):
    @pytest.fixture
    def night(self, container: bootstrap.Container) -> Night:
        stores = Stores(
            container.signal_store, container.match_store, container.municipal_matches, container.notification_ledger
        )
        return Night(stores, container.due_work)


# The work queue ----------------------------------------------------------------------------------


def chunks(count: int) -> list[Chunk]:
    return [Chunk((DueItem(DueKind.SIGNAL, "a" * 64, f"sg_{n}"),)) for n in range(count)]


class WorkQueueContract:
    @pytest.fixture
    def queue(self) -> Any:
        raise NotImplementedError

    def received(self, queue: Any) -> list[Chunk]:
        raise NotImplementedError

    def test_every_chunk_sent_arrives_as_sent(self, queue: Any) -> None:
        sent = [*chunks(23), Chunk(cursor=json.dumps({"partition": 2, "after": None}))]
        queue.send(sent)
        assert sorted(self.received(queue), key=Chunk.to_json) == sorted(sent, key=Chunk.to_json)

    def test_sending_nothing_sends_nothing(self, queue: Any) -> None:
        queue.send([])
        assert self.received(queue) == []


class TestInMemoryWorkQueue(WorkQueueContract):
    @pytest.fixture
    def queue(self) -> InMemoryWorkQueue:
        return InMemoryWorkQueue()

    def received(self, queue: Any) -> list[Chunk]:
        taken: list[Chunk] = queue.take()
        return taken


class TestSqsWorkQueue(WorkQueueContract):
    @pytest.fixture
    def queue(self, container: bootstrap.Container) -> SqsWorkQueue:
        return container.work_queue

    def received(self, queue: Any) -> list[Chunk]:
        import boto3

        client = boto3.client("sqs")
        found = []
        while messages := client.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10).get("Messages", []):
            found += [Chunk.from_json(message["Body"]) for message in messages]
            for message in messages:
                client.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        return found

    def test_a_batch_sqs_keeps_refusing_fails_the_planner(self, container: bootstrap.Container) -> None:
        class Refusing:
            def get_queue_url(self, QueueName: str) -> dict[str, str]:
                return {"QueueUrl": "https://sqs.example/q"}

            def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
                return {"Failed": [{"Id": Entries[0]["Id"], "SenderFault": False, "Code": "InternalError"}]}

        with pytest.raises(QueueRefused):
            SqsWorkQueue(Refusing(), "q").send(chunks(3))


# The logbook's retention -------------------------------------------------------------------------


def test_each_logbook_entry_expires_after_the_stages_retention_and_none_without_one(
    container: bootstrap.Container, table_names: Any
) -> None:
    import boto3

    from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook
    from chalicelib.adapters.dynamodb.table import Table

    signal = builders.domain_signal(seed=1)
    kept = log_for(signal, Action.SIGNAL_READ, START)
    container.logbook.append(kept)
    forever = log_for(signal, Action.SIGNAL_READ, START + timedelta(seconds=1))
    DynamoDBLogbook(Table(container.dynamodb, table_names.logbook), retention_days=0).append(forever)

    items = boto3.client("dynamodb").scan(TableName=table_names.logbook)["Items"]
    expiry = {item["entry_id"]["S"]: item.get("expires_at", {}).get("N") for item in items}
    retention = timedelta(days=container.settings.logbook_retention_days)
    assert expiry == {kept.id: str(int((START + retention).timestamp())), forever.id: None}
    assert container.settings.logbook_retention_days == 2557  # the documented default
    ttl = boto3.client("dynamodb").describe_time_to_live(TableName=table_names.logbook)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert [entry.id for entry in container.logbook.entries_for_child(signal.child_pseudonym.value)] == [
        kept.id,
        forever.id,
    ]
