"""The nightly job's work queue on SQS: chunks out, ten to a request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.domain.nightly import Chunk

SEND_BATCH_LIMIT = 10


class QueueRefused(Exception):
    """SQS kept refusing some messages; the planner fails, and its run is retried."""


class SqsWorkQueue:
    """Sends each chunk as one message; the queue is found by name once, on first use."""

    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._name = queue_name
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = str(self._client.get_queue_url(QueueName=self._name)["QueueUrl"])
        return self._url

    def send(self, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), SEND_BATCH_LIMIT):
            entries = [
                {"Id": str(n), "MessageBody": chunk.to_json()}
                for n, chunk in enumerate(chunks[start : start + SEND_BATCH_LIMIT])
            ]
            # A batch may be accepted in part; what failed is sent once more before giving up.
            for _ in range(2):
                failed = self._client.send_message_batch(QueueUrl=self.url, Entries=entries).get("Failed") or []
                refused = {entry["Id"] for entry in failed}
                entries = [entry for entry in entries if entry["Id"] in refused]
                if not entries:
                    break
            if entries:
                raise QueueRefused(f"{len(entries)} chunk(s) not accepted by the work queue")
