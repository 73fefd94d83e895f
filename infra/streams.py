"""Delivering a DynamoDB stream to a function the way Lambda's event source mapping does.

Chalice's local server and its test client run no event sources, so the local stack and the
end-to-end tests read the emulator's stream with this poller: Lambda-shaped records, in batches,
and on ``batchItemFailures`` a retry from the lowest failed sequence number, up to a bounded
number of attempts, after which the batch goes to ``dead_letters`` (what the SQS on-failure
destination receives in AWS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

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
    """Reads every shard from its start on each poll and delivers what it has not delivered yet.

    Re-reading (rather than keeping a shard iterator) matters on moto: a failed transaction puts
    a copy of the table back, with a copy of its stream, so an iterator into the old stream would
    never see another record. Records keep their ``eventID`` in the copy, which is what marks
    them delivered here.
    """

    def __init__(
        self,
        streams_client: Any,
        stream_arn: str,
        invoke: Invoke,
        batch_size: int = 10,
        max_attempts: int = 3,
        region: str = "eu-west-1",
    ) -> None:
        self._client = streams_client
        self._arn = stream_arn
        self._invoke = invoke
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._region = region
        self._done: set[str] = set()
        self._attempts: dict[str, int] = {}
        self.dead_letters: list[list[dict[str, Any]]] = []
        self.invocations = 0

    def _read(self, shard_id: str) -> list[dict[str, Any]]:
        iterator = self._client.get_shard_iterator(
            StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
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
            pending = [r for r in self._read(shard["ShardId"]) if r["eventID"] not in self._done]
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
