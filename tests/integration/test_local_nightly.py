"""The nightly job on the local stack's workers: the schedule plans, the queue worker drains moto's
SQS into ``lifecycle_work`` as Lambda's event source would, and a chunk that keeps failing ends in
the dead-letter queue by the queue's own redrive policy."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3

from chalicelib.domain.nightly import Chunk, DueItem, DueKind
from local.queues import QueueDrainer
from scripts.local_workers import QueueWorker, invoke_function, scheduled_event
from tests import builders
from tests.conftest import WORK_QUEUE


def test_the_local_queue_worker_drains_the_plan_into_the_workers(container: Any, clock: Any) -> None:
    from chalicelib.services import admin

    organisation, _ = admin.create_organisation(container.registry, "GGD", "jgz", "utrecht", clock.now())
    principal = builders.organisation_principal(organisation)
    request = replace(builders.new_signal(), end_date=(clock.now() + timedelta(days=1)).date())
    signal = container.signals.register(principal, request, None).signal
    clock.set(clock.now() + timedelta(days=3))

    plan = invoke_function("lifecycle", scheduled_event())
    assert (plan["due"], plan["chunks"]) == (1, 1)
    worker = QueueWorker(WORK_QUEUE, interval=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while worker.chunks < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert worker.chunks == 1
    archived = container.signal_store.get(signal.id)
    assert archived is not None and archived.signal.archived_on is not None


def test_a_chunk_that_keeps_failing_moves_to_the_dead_letter_queue(container: Any) -> None:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=WORK_QUEUE)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=Chunk((DueItem(DueKind.SIGNAL, "x", "sg_x"),)).to_json())
    attempts = []

    def failing(event: dict[str, Any]) -> None:
        attempts.append(event["Records"][0]["body"])
        raise RuntimeError("worker crashed")

    drainer = QueueDrainer(sqs, WORK_QUEUE, failing)
    drainer.drain()

    assert len(attempts) == drainer.failures == 5  # the template's maxReceiveCount
    dead = sqs.get_queue_url(QueueName=f"{WORK_QUEUE}-dlq")["QueueUrl"]
    [moved] = sqs.receive_message(QueueUrl=dead).get("Messages", [])
    assert Chunk.from_json(moved["Body"]).items[0].item_id == "sg_x"
