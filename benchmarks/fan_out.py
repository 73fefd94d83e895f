"""The nightly job fanned out: how a night with many signals due splits over invocations, and the
AWS calls of the planner and of each worker invocation, measured for 1,000 and 10,000 due (every
signal due for archiving, which costs the most: a notice to its owner) and extrapolated to 50,000.
Target: no invocation makes more than ~20,000 calls, whatever the night.

Run: ``.venv/bin/python -m benchmarks.fan_out [--workers N] [due…]`` (default 1,000 and 10,000 due;
``--workers`` how many chunks to hand to workers and count, default 5: each chunk costs what its
items cost, whatever the night, so a sample tells; ``--workers 0`` hands every chunk). Loading
10,000 signals into the in-process emulator takes a few minutes.
"""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass, replace
from datetime import timedelta

from benchmarks.common import CallCounter, local_account, new_signal, principal
from benchmarks.lifecycle import without_moto_table_backups
from chalicelib.adapters.dynamodb.items import guard_to_item, signal_to_item
from chalicelib.adapters.dynamodb.table import serialise
from chalicelib.domain.model import Organisation
from chalicelib.domain.nightly import CHUNK_SIZE, Chunk
from chalicelib.services.nightly import PAGE_SIZE, PAGES_PER_RUN, SEND_AT_ONCE
from chalicelib.work import handle_messages

LIMIT = 20_000


@dataclass
class Night:
    due: int
    chunks: int
    planner_calls: dict[str, int]
    planner_runs: int
    worker_calls: list[int]
    worker_detail: dict[str, int]
    archived: int

    @property
    def planner_total(self) -> int:
        return sum(self.planner_calls.values())


def load_due(container, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` signals of different children whose active period ends today, with their guards
    (copies of one registered signal, which itself stays active)."""
    service = container.signals
    template = service.register(
        principal(Organisation("org_bulk", "Bulk", "jgz", "utrecht")), new_signal(30_000_000), None
    ).signal
    template = replace(template, active_until=container.clock.now().date())
    pseudonymiser = container.pseudonymiser()
    requests = []
    for n in range(count):
        signal = replace(
            template,
            id=container.new_id(container.clock.now()),
            child_pseudonym=pseudonymiser.child(f"child-{n}"),
            address_pseudonym=pseudonymiser.child(f"address-{n}"),
        )
        for item in (signal_to_item(signal), guard_to_item(signal)):
            requests.append({"PutRequest": {"Item": serialise(item)}})
        if len(requests) >= 24:
            container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})
            requests = []
    if requests:
        container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})


def run(due: int, workers: int) -> Night:
    import boto3

    with local_account() as (container, counter, clock):
        load_due(container, due)
        clock.set(clock.now() + timedelta(days=1, hours=16))  # 02:15 the next night, Dutch time
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName=container.settings.lifecycle_queue)["QueueUrl"]

        counter.reset()
        runs = 1
        report = container.nightly_planner.plan()
        planner_calls = dict(counter.calls)
        received: list[Chunk] = []
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                chunk = Chunk.from_json(message["Body"])
                if chunk.cursor is not None:  # a continuation: another planner invocation
                    runs += 1
                    container.nightly_planner.plan(chunk.cursor)
                else:
                    received.append(chunk)
        found = sum(len(chunk.items) for chunk in received)
        assert found == due, (found, due, report)

        sample = received if workers == 0 else received[:workers]
        calls: list[int] = []
        detail: CallCounter = CallCounter()
        archived = 0
        for chunk in sample:
            counter.reset()
            done = handle_messages([chunk.to_json()], container.lifecycle, container.nightly_planner)
            archived += int(str(done["archived"]))
            calls.append(sum(counter.calls.values()))
            detail.calls.update(counter.calls)
        assert counter.errors == 0, "a transaction failed: the skipped table backups would be wrong"
        per_chunk = {name: round(count / max(len(sample), 1)) for name, count in detail.calls.items()}
        return Night(due, len(received), planner_calls, runs, calls, per_chunk, archived)


def show(night: Night) -> None:
    print(f"{night.due:,} due: {night.chunks} chunks of at most {CHUNK_SIZE} keys, {night.planner_runs} planner run(s)")
    calls = ", ".join(f"{name} {count}" for name, count in sorted(night.planner_calls.items()))
    print(f"  planner: {night.planner_total} calls: {calls}")
    if night.worker_calls:
        print(
            f"  worker, per chunk of {CHUNK_SIZE} ({len(night.worker_calls)} handed of {night.chunks}, "
            f"{night.archived} archived with their notices): calls min {min(night.worker_calls)}, "
            f"median {statistics.median(night.worker_calls):.0f}, max {max(night.worker_calls)}"
        )
        print("    " + ", ".join(f"{k} {v}" for k, v in sorted(night.worker_detail.items())))


def extrapolate(nights: list[Night], due: int) -> None:
    """The planner's calls grow by a page per PAGE_SIZE keys and a send per SEND_AT_ONCE chunks; a
    worker's per chunk do not grow at all."""
    chunks = math.ceil(due / CHUNK_SIZE)
    pages = math.ceil(due / PAGE_SIZE) + 5  # and one empty page per partition of the due index
    runs = math.ceil(pages / PAGES_PER_RUN)
    sends = math.ceil(chunks / SEND_AT_ONCE) + runs
    pages_per_run = min(pages, PAGES_PER_RUN)
    # Its pages, a send per ten chunks they fill, finding the queue and a continuation.
    per_run = pages_per_run + math.ceil(pages_per_run * PAGE_SIZE / CHUNK_SIZE / SEND_AT_ONCE) + 2
    worst_worker = max(max(n.worker_calls) for n in nights if n.worker_calls)
    print(
        f"{due:,} due (extrapolated): {chunks} chunks; {pages} pages and {sends} sends over {runs} planner run(s), "
        f"at most ~{per_run} calls each; a worker at most {worst_worker} calls per chunk"
    )
    largest = max(per_run, worst_worker)
    verdict = "met" if largest <= LIMIT else "NOT met"
    print(f"largest invocation: ~{largest} calls (target <= {LIMIT:,}: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("due", type=int, nargs="*")
    arguments = parser.parse_args()
    without_moto_table_backups()
    nights = []
    for due in arguments.due or [1_000, 10_000]:
        night = run(due, arguments.workers)
        show(night)
        nights.append(night)
    extrapolate(nights, 50_000)


if __name__ == "__main__":
    main()
