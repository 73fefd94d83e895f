"""Delivering a queue (the nightly job's work queue, the recheck queue) to its function the way
Lambda's SQS event source mapping does, for the local stack and the tests.

Each received message is handed to the function as a Lambda-shaped SQS event (batch size 1, as
deployed); a message the function handled is deleted, one it failed on comes back until the
queue's redrive policy moves it to the dead-letter queue, which moto applies on receipt as SQS
does. It comes back at once (``retry_at_once``, the nightly chunks: nothing is gained by waiting)
or, as on AWS, after the queue's visibility timeout (the rechecks: the register needs time to
come back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Invoke = Callable[[dict[str, Any]], Any]


def sqs_event(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A ``receive_message`` message as Lambda hands it to a function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        ]
    }


class QueueDrainer:
    """Receives and delivers until the queue is empty (bounded); keeps what each invocation returned."""

    def __init__(
        self, sqs_client: Any, queue_name: str, invoke: Invoke, region: str = "eu-west-1", retry_at_once: bool = True
    ) -> None:
        self._client = sqs_client
        self._url: str = sqs_client.get_queue_url(QueueName=queue_name)["QueueUrl"]
        attributes = sqs_client.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])
        self._arn: str = attributes["Attributes"]["QueueArn"]
        self._invoke = invoke
        self._region = region
        self._retry_at_once = retry_at_once
        self.results: list[Any] = []
        self.failures = 0

    def drain(self, max_messages: int = 10_000) -> int:
        """Deliver every message there is now, and those the deliveries send on; returns how many."""
        delivered = 0
        while delivered < max_messages:
            messages = self._client.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=1, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return delivered
            [message] = messages
            delivered += 1
            try:
                self.results.append(self._invoke(sqs_event(message, self._arn, self._region)))
            except Exception:
                self.failures += 1
                if self._retry_at_once:
                    self._client.change_message_visibility(
                        QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
                continue
            self._client.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return delivered
