"""Delivering a DynamoDB stream to a function the way Lambda's event source mapping does.

Chalice's local server and its test client run no event sources, so the local stack and the
end-to-end tests read the emulator's stream with this poller: Lambda-shaped records, in batches,
and on ``batchItemFailures`` a retry from the lowest failed sequence number, up to a bounded
number of attempts, after which the batch goes to ``dead_letters`` (what the SQS on-failure
destination receives in AWS). Records that match none of the event source's filters
(``local.stream_filter``) are dropped before batching, as Lambda drops them, and never invoke it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from local.stream_filter import Pattern, passes

Invoke = Callable[[dict[str, Any]], Any]


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A ``get_records`` record as Lambda hands it to a function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller:
    """Reads each shard from where the previous poll stopped and delivers what it has not yet.

    Each poll asks for a fresh iterator at that sequence number rather than keeping the last one:
    on moto a failed transaction puts a copy of the table back, with a copy of its stream, and an
    iterator into the old stream would never see another record. Records keep their sequence
    number and ``eventID`` in the copy; a record already delivered (by ``eventID``) is skipped.
    Starting where the last poll stopped keeps a poll's cost to the new records: re-reading a
    whole stream of a few hundred records took moto seconds, during which (under
    ``local.moto_isolation``) no DynamoDB request was served.

    A stream must show no record of a transaction that is rolled back later: the records after it
    would take over its sequence numbers and be skipped. DynamoDB never shows one; moto does not
    while it handles one DynamoDB request at a time (the local stack) or one thread calls it.
    """

    def __init__(
        self,
        streams_client: Any,
        stream_arn: str,
        invoke: Invoke,
        batch_size: int = 10,
        max_attempts: int = 3,
        region: str = "eu-west-1",
        filters: Sequence[Pattern] = (),
    ) -> None:
        self._client = streams_client
        self._arn = stream_arn
        self._invoke = invoke
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._region = region
        self._filters = list(filters)
        self._done: set[str] = set()
        # Per shard, the iterator type and sequence number the next poll reads from.
        self._positions: dict[str, tuple[str, str]] = {}
        self._attempts: dict[str, int] = {}
        self.dead_letters: list[list[dict[str, Any]]] = []
        self.invocations = 0

    def _read(self, shard_id: str) -> list[dict[str, Any]]:
        where: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in self._positions:
            kind, number = self._positions[shard_id]
            where = {"ShardIteratorType": kind, "SequenceNumber": number}
        iterator = self._client.get_shard_iterator(StreamArn=self._arn, ShardId=shard_id, **where)["ShardIterator"]
        found: list[dict[str, Any]] = []
        while iterator:
            response = self._client.get_records(ShardIterator=iterator)
            if not response["Records"]:
                break
            found.extend(lambda_record(r, self._arn, self._region) for r in response["Records"])
            iterator = response.get("NextShardIterator")
        return found

    def poll(self) -> int:
        """Deliver every record available now; returns how many records were delivered."""
        description = self._client.describe_stream(StreamArn=self._arn)["StreamDescription"]
        delivered = 0
        for shard in description["Shards"]:
            read = self._read(shard["ShardId"])
            fresh = [r for r in read if r["eventID"] not in self._done]
            # Filtered out: done without an invocation, as the event source mapping does.
            self._done.update(r["eventID"] for r in fresh if not passes(r, self._filters))
            pending = [r for r in fresh if r["eventID"] not in self._done]
            while pending:
                batch = pending[: self._batch_size]
                delivered += len(batch)
                failed_from = self._deliver(batch)
                if failed_from is None:
                    self._done.update(record["eventID"] for record in batch)
                    pending = pending[len(batch) :]
                    continue
                # Everything before the lowest failed record counts as done, as in Lambda.
                self._done.update(record["eventID"] for record in batch[:failed_from])
                pending = pending[failed_from:]
                first = pending[0]["eventID"]
                self._attempts[first] = self._attempts.get(first, 0) + 1
                if self._attempts[first] >= self._max_attempts:
                    dropped = pending[: self._batch_size]
                    self.dead_letters.append(dropped)
                    self._done.update(record["eventID"] for record in dropped)
                    pending = pending[self._batch_size :]
                    continue
                break
            if pending:  # Lambda retries from the lowest failed record
                self._positions[shard["ShardId"]] = ("AT_SEQUENCE_NUMBER", _sequence(pending[0]))
            elif read:
                self._positions[shard["ShardId"]] = ("AFTER_SEQUENCE_NUMBER", _sequence(read[-1]))
        return delivered

    def drain(self, max_polls: int = 20) -> int:
        """Poll until nothing is left to deliver (bounded); returns records delivered."""
        total = 0
        for _ in range(max_polls):
            delivered = self.poll()
            total += delivered
            if delivered == 0:
                return total
        return total

    def _deliver(self, batch: list[dict[str, Any]]) -> int | None:
        """Invoke once; the index of the lowest failed record, or ``None`` when all succeeded."""
        self.invocations += 1
        try:
            response = self._invoke({"Records": batch})
        except Exception:
            return 0
        failures = (response or {}).get("batchItemFailures") or []
        if not failures:
            return None
        failed = {failure["itemIdentifier"] for failure in failures}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failed:
                return index
        return 0


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
