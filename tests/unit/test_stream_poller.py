"""``local.streams.StreamPoller`` on a fake streams client: delivery as Lambda's event source
mapping does it (batches, partial failures, retries, dead letters)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from local.streams import StreamPoller

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/signals/stream/2026-11-28T10:15:00.000"
CREATED = datetime(2026, 11, 28, 10, 15, 30, tzinfo=UTC)


def sequence(n: int) -> str:
    return f"{n:021d}"


def raw_record(n: int, event_name: str = "INSERT") -> dict[str, Any]:
    """A record as ``dynamodbstreams.get_records`` returns it through boto3."""
    return {
        "eventID": f"event-{n}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": CREATED,
            "Keys": {"pk": {"S": f"CHILD#{n}"}, "sk": {"S": f"SIGNAL#{n}"}},
            "SequenceNumber": sequence(n),
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


class FakeStreams:
    """The three calls the poller makes, over shards of records that tests append to."""

    def __init__(self, shards: dict[str, list[dict[str, Any]]]) -> None:
        self.shards = shards
        self.records_read = 0

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        assert StreamArn == ARN
        return {"StreamDescription": {"Shards": [{"ShardId": shard_id} for shard_id in self.shards]}}

    def get_shard_iterator(
        self, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber: str | None = None
    ) -> dict[str, Any]:
        assert StreamArn == ARN
        numbers = [record["dynamodb"]["SequenceNumber"] for record in self.shards[ShardId]]
        if ShardIteratorType == "TRIM_HORIZON":
            position = 0
        elif ShardIteratorType == "AT_SEQUENCE_NUMBER":
            position = numbers.index(SequenceNumber)
        else:
            assert ShardIteratorType == "AFTER_SEQUENCE_NUMBER", ShardIteratorType
            position = numbers.index(SequenceNumber) + 1
        return {"ShardIterator": f"{ShardId}@{position}"}

    def get_records(self, ShardIterator: str) -> dict[str, Any]:
        shard_id, _, position = ShardIterator.partition("@")
        records = self.shards[shard_id][int(position) :]
        self.records_read += len(records)
        return {"Records": records, "NextShardIterator": f"{shard_id}@{len(self.shards[shard_id])}"}


class Function:
    """The invoked function: records every batch and fails as told."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.events: list[dict[str, Any]] = []
        self.report_failed: dict[str, int] = {}
        self.raise_on: dict[str, int] = {}

    def fail(self, n: int, times: int = 1) -> None:
        """Report record ``n`` in ``batchItemFailures`` the next ``times`` deliveries."""
        self.report_failed[sequence(n)] = times

    def crash(self, n: int, times: int = 1) -> None:
        """Raise while handling a batch that holds record ``n``, ``times`` times."""
        self.raise_on[sequence(n)] = times

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        numbers = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        self.batches.append(numbers)
        for number in numbers:
            if self.raise_on.get(number, 0) > 0:
                self.raise_on[number] -= 1
                raise RuntimeError("function crashed")
        failures = []
        for number in numbers:
            if self.report_failed.get(number, 0) > 0:
                self.report_failed[number] -= 1
                failures.append({"itemIdentifier": number})
        return {"batchItemFailures": failures}

    def delivered(self) -> list[list[int]]:
        return [[int(number) for number in batch] for batch in self.batches]


def poller_for(
    records: list[dict[str, Any]], function: Function, batch_size: int = 10, max_attempts: int = 3
) -> StreamPoller:
    streams = FakeStreams({"shardId-0001": records})
    return StreamPoller(streams, ARN, function, batch_size=batch_size, max_attempts=max_attempts)


# Delivery


def test_records_are_delivered_in_order_in_batches_of_batch_size() -> None:
    function = Function()
    poller = poller_for([raw_record(n) for n in range(25)], function, batch_size=10)

    assert poller.poll() == 25

    assert function.delivered() == [list(range(10)), list(range(10, 20)), list(range(20, 25))]
    assert poller.invocations == 3


def test_nothing_is_delivered_twice_and_new_records_come_on_the_next_poll() -> None:
    function = Function()
    records = [raw_record(n) for n in range(3)]
    poller = poller_for(records, function)
    poller.poll()

    assert poller.poll() == 0
    records.extend(raw_record(n) for n in range(3, 5))
    assert poller.poll() == 2

    assert function.delivered() == [[0, 1, 2], [3, 4]]


def test_a_poll_reads_only_the_records_added_since_the_previous_one() -> None:
    function = Function()
    records = [raw_record(n) for n in range(100)]
    streams = FakeStreams({"shardId-0001": records})
    poller = StreamPoller(streams, ARN, function)
    poller.poll()
    records.extend(raw_record(n) for n in range(100, 103))

    poller.poll()
    assert poller.poll() == 0

    assert streams.records_read == 103
    assert function.delivered()[-1] == [100, 101, 102]


def test_records_of_every_shard_are_delivered() -> None:
    function = Function()
    streams = FakeStreams({"shardId-a": [raw_record(1)], "shardId-b": [raw_record(2), raw_record(3)]})
    poller = StreamPoller(streams, ARN, function)

    assert poller.drain() == 3

    assert sorted(n for batch in function.delivered() for n in batch) == [1, 2, 3]


def test_records_are_shaped_as_lambda_hands_them_to_a_function() -> None:
    function = Function()
    streams = FakeStreams({"shardId-0001": [raw_record(7, "MODIFY")]})
    poller = StreamPoller(streams, ARN, function, region="eu-central-1")

    poller.poll()

    [event] = function.events
    [record] = event["Records"]
    assert record["eventSourceARN"] == ARN
    assert record["awsRegion"] == "eu-central-1"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventName"] == "MODIFY"
    assert record["eventID"] == "event-7"
    assert record["eventVersion"] == "1.1"
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    assert isinstance(created, float | int) and not isinstance(created, bool)
    assert created == CREATED.timestamp()
    assert record["dynamodb"]["SequenceNumber"] == sequence(7)
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "CHILD#7"}, "sk": {"S": "SIGNAL#7"}}


def test_the_stream_records_themselves_are_left_unchanged() -> None:
    function = Function()
    records = [raw_record(1)]
    poller = poller_for(records, function)

    poller.poll()

    assert records[0]["dynamodb"]["ApproximateCreationDateTime"] == CREATED


def test_drain_polls_until_nothing_is_left() -> None:
    function = Function()
    function.fail(2)
    poller = poller_for([raw_record(n) for n in range(5)], function, batch_size=5)

    delivered = poller.drain()

    assert function.delivered() == [[0, 1, 2, 3, 4], [2, 3, 4]]
    assert delivered == 8


# Partial failures and retries


def test_after_batch_item_failures_the_next_poll_restarts_at_the_lowest_failed_record() -> None:
    function = Function()
    function.fail(3)
    function.fail(1)
    poller = poller_for([raw_record(n) for n in range(8)], function, batch_size=5)

    poller.poll()
    assert function.delivered() == [[0, 1, 2, 3, 4]]

    poller.poll()

    assert function.delivered() == [[0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [6, 7]]


def test_records_before_the_lowest_failure_are_not_redelivered() -> None:
    function = Function()
    function.fail(4)
    poller = poller_for([raw_record(n) for n in range(6)], function, batch_size=6)

    poller.drain()

    redelivered = [n for batch in function.delivered()[1:] for n in batch]
    assert redelivered == [4, 5]


def test_an_exception_from_the_function_retries_the_whole_batch() -> None:
    function = Function()
    function.crash(3)
    poller = poller_for([raw_record(n) for n in range(6)], function, batch_size=4)

    poller.drain()

    assert function.delivered() == [[0, 1, 2, 3], [0, 1, 2, 3], [4, 5]]
    assert poller.dead_letters == []


def test_failure_naming_no_record_of_the_batch_retries_the_whole_batch() -> None:
    calls: list[list[str]] = []

    def confused(event: dict[str, Any]) -> dict[str, Any]:
        calls.append([record["dynamodb"]["SequenceNumber"] for record in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "unknown"}]} if len(calls) == 1 else {}

    poller = StreamPoller(FakeStreams({"s": [raw_record(n) for n in range(3)]}), ARN, confused)
    poller.drain()

    assert calls == [[sequence(n) for n in range(3)]] * 2


def test_after_max_attempts_the_batch_goes_to_dead_letters_and_delivery_continues() -> None:
    function = Function()
    function.crash(1, times=100)
    poller = poller_for([raw_record(n) for n in range(6)], function, batch_size=3, max_attempts=3)

    poller.drain()

    assert function.delivered() == [[0, 1, 2]] * 3 + [[3, 4, 5]]
    assert [[int(r["dynamodb"]["SequenceNumber"]) for r in batch] for batch in poller.dead_letters] == [[0, 1, 2]]
    assert poller.dead_letters[0][0]["eventSourceARN"] == ARN


def test_a_poison_record_goes_to_dead_letters_with_the_records_after_it_in_its_batch() -> None:
    function = Function()
    function.fail(1, times=100)
    poller = poller_for([raw_record(n) for n in range(6)], function, batch_size=3, max_attempts=3)

    poller.drain()

    assert function.delivered() == [[0, 1, 2], [1, 2, 3], [1, 2, 3], [4, 5]]
    assert [[int(r["dynamodb"]["SequenceNumber"]) for r in batch] for batch in poller.dead_letters] == [[1, 2, 3]]


def test_a_batch_that_recovers_before_max_attempts_is_not_dead_lettered() -> None:
    function = Function()
    function.crash(0, times=2)
    poller = poller_for([raw_record(n) for n in range(2)], function, max_attempts=3)

    poller.drain()

    assert function.delivered() == [[0, 1]] * 3
    assert poller.dead_letters == []


def test_attempts_are_counted_afresh_for_the_next_failing_batch() -> None:
    function = Function()
    function.crash(0, times=2)
    function.crash(2, times=2)
    poller = poller_for([raw_record(n) for n in range(4)], function, batch_size=2, max_attempts=3)

    poller.drain()

    assert poller.dead_letters == []
    assert function.delivered() == [[0, 1]] * 3 + [[2, 3]] * 3


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_every_record_is_delivered_once_when_nothing_fails(batch_size: int) -> None:
    function = Function()
    poller = poller_for([raw_record(n) for n in range(7)], function, batch_size=batch_size)

    poller.drain()

    assert [n for batch in function.delivered() for n in batch] == list(range(7))
    assert all(len(batch) <= batch_size for batch in function.delivered())
