"""The recheck queue (``RecheckQueue``) held against the in-memory fake and SQS on moto: a recheck
arrives as sent, once per signal, and on SQS not before its delay; the wiring gives a queue only
with the register on and the queue named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap, bootstrap_recheck
from chalicelib.adapters.sqs_recheck import RECHECK_DELAY_SECONDS, SqsRecheckQueue
from chalicelib.domain.recheck import Recheck
from chalicelib.settings import Settings
from tests.fake_population import ALEXANDER, ZOEY, InMemoryRecheckQueue

QUEUE = "verwijsindex-test-recheck"


class RecheckQueueContract:
    @pytest.fixture
    def queue(self) -> Any:
        raise NotImplementedError

    def received(self, queue: Any) -> list[Recheck]:
        raise NotImplementedError

    def test_each_recheck_arrives_as_sent(self, queue: Any) -> None:
        sent = [Recheck("01JA", "child-a", ZOEY), Recheck("01JB", "child-b", ALEXANDER)]
        for recheck in sent:
            queue.send(recheck)
        assert sorted(self.received(queue), key=lambda r: r.signal_id) == sent

    def test_nothing_sent_nothing_received(self, queue: Any) -> None:
        assert self.received(queue) == []


class TestInMemoryRecheckQueue(RecheckQueueContract):
    @pytest.fixture
    def queue(self) -> InMemoryRecheckQueue:
        return InMemoryRecheckQueue()

    def received(self, queue: Any) -> list[Recheck]:
        taken: list[Recheck] = queue.take()
        return taken


def _receive_all(client: Any, url: str) -> list[Recheck]:
    found = []
    while messages := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += [Recheck.from_json(message["Body"]) for message in messages]
        for message in messages:
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


class TestSqsRecheckQueue(RecheckQueueContract):
    @pytest.fixture
    def queue(self, aws: None) -> Iterator[SqsRecheckQueue]:
        import boto3

        # No delay here: the messages are read at once. The delay has its own test below.
        boto3.client("sqs").create_queue(QueueName=QUEUE)
        yield SqsRecheckQueue(boto3.client("sqs"), QUEUE)

    def received(self, queue: Any) -> list[Recheck]:
        import boto3

        return _receive_all(boto3.client("sqs"), queue.url)

    def test_a_recheck_waits_its_delay_before_it_can_be_received(self, aws: None) -> None:
        import boto3

        client = boto3.client("sqs")
        client.create_queue(QueueName=QUEUE, Attributes={"DelaySeconds": str(RECHECK_DELAY_SECONDS)})
        client.create_queue(QueueName=f"{QUEUE}-2")
        by_queue, by_message = SqsRecheckQueue(client, QUEUE), SqsRecheckQueue(client, f"{QUEUE}-2", 900)
        by_queue.send(Recheck("01JA", "child-a", ZOEY))
        by_message.send(Recheck("01JB", "child-b", ZOEY))
        assert RECHECK_DELAY_SECONDS == 900
        assert _receive_all(client, by_queue.url) == [] == _receive_all(client, by_message.url)


def test_the_wiring_queues_only_with_the_register_on_and_a_queue_named(settings: Settings) -> None:
    from dataclasses import replace

    def queue_for(**changes: str) -> object:
        return bootstrap_recheck.recheck_queue(bootstrap.Container(settings=replace(settings, **changes)))

    assert queue_for() is None
    assert queue_for(brp="on", brp_parameters="/verwijsindex/test/brp") is None
    assert isinstance(queue_for(brp="on", brp_parameters="/p", recheck_queue=QUEUE), SqsRecheckQueue)
    assert Settings.from_environ(_environment(settings) | {"RECHECK_QUEUE": QUEUE}).recheck_queue == ""


def _environment(settings: Settings) -> dict[str, str]:
    return {
        "SIGNALS_TABLE": settings.signals_table,
        "LOGBOOK_TABLE": settings.logbook_table,
        "REGISTRY_TABLE": settings.registry_table,
        "IDEMPOTENCY_TABLE": settings.idempotency_table,
        "PSEUDONYM_KEY_PARAMETER": settings.pseudonym_key_parameter,
        "MAIL_SENDER": settings.mail_sender,
        "SES_CONFIGURATION_SET": settings.ses_configuration_set,
    }
