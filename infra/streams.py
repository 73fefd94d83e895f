"""Delivering a DynamoDB stream to a function the way Lambda's event source mapping does.

Chalice's local server and its test client run no event sources, so the local stack and the
end-to-end tests read the emulator's stream with this poller: Lambda-shaped records, in batches,
and on ``batchItemFailures`` a retry from the lowest failed sequence number, up to a bounded
number of attempts, after which the batch goes to ``dead_letters`` (what the SQS on-failure
destination receives in AWS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class _Shard:
    iterator: str | None
    attempts: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)


class StreamPoller:
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
        self._shards: dict[str, _Shard] = {}
        self.dead_letters: list[list[dict[str, Any]]] = []
        self.invocations = 0

    def _refresh_shards(self) -> None:
        description = self._client.describe_stream(StreamArn=self._arn)["StreamDescription"]
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id not in self._shards:
                iterator = self._client.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                self._shards[shard_id] = _Shard(iterator)

    def poll(self) -> int:
        """Deliver every record available now; returns how many records were delivered."""
        self._refresh_shards()
        delivered = 0
        for shard in self._shards.values():
            if shard.iterator is not None and not shard.pending:
                response = self._client.get_records(ShardIterator=shard.iterator)
                shard.iterator = response.get("NextShardIterator")
                shard.pending = [lambda_record(r, self._arn, self._region) for r in response["Records"]]
            while shard.pending:
                batch = shard.pending[: self._batch_size]
                delivered += len(batch)
                failed_from = self._deliver(batch)
                if failed_from is None:
                    shard.pending = shard.pending[len(batch) :]
                    shard.attempts = 0
                    continue
                shard.attempts += 1
                # Everything before the lowest failed record counts as done, as in Lambda.
                shard.pending = shard.pending[failed_from:]
                if shard.attempts >= self._max_attempts:
                    self.dead_letters.append(shard.pending[: self._batch_size])
                    shard.pending = shard.pending[self._batch_size :]
                    shard.attempts = 0
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
