"""The recheck queue on SQS: one message per signal accepted while the register was down.

The queue is encrypted with the stage's KMS key and delays each message by its own ``DelaySeconds``
(``RECHECK_DELAY_SECONDS`` in the template), so the register has time to come back; a test makes its
queue without the wait, the local stack with a short one (``infra/queues.py``). The message body
holds the BSN, which is why it goes nowhere else (``docs/brp.md``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.recheck import Recheck

RECHECK_DELAY_SECONDS = 15 * 60  # SQS allows at most 15 minutes


class SqsRecheckQueue:
    """Sends each recheck as one message, delayed by the queue unless ``delay_seconds`` says otherwise;
    the queue is found by name once, on first use."""

    def __init__(self, client: Any, queue_name: str, delay_seconds: int | None = None) -> None:
        self._client = client
        self._name = queue_name
        self._delay = delay_seconds
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = str(self._client.get_queue_url(QueueName=self._name)["QueueUrl"])
        return self._url

    def send(self, recheck: Recheck) -> None:
        delay = {} if self._delay is None else {"DelaySeconds": self._delay}
        self._client.send_message(QueueUrl=self.url, MessageBody=recheck.to_json(), **delay)
