"""Create the nightly job's work queue (and its dead-letter queue) from the deployed template.

The local stack and the tests call :func:`create_work_queue`, so their queue has the visibility
timeout and redrive policy of production (moto honours both).
"""

from __future__ import annotations

import json
from typing import Any

from infra.tables import TEMPLATE

WORK_QUEUE = "LifecycleWorkQueue"
QUEUE_SETTING = "LIFECYCLE_QUEUE"


def queue_definitions() -> dict[str, dict[str, Any]]:
    """The ``AWS::SQS::Queue`` resources of the template, by logical id."""
    template = json.loads(TEMPLATE.read_text())
    return {
        logical: resource["Properties"]
        for logical, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::SQS::Queue"
    }


def create_work_queue(sqs: Any, name: str) -> str:
    """Create the work queue as ``name`` and its dead-letter queue beside it; returns the queue's URL."""
    properties = queue_definitions()[WORK_QUEUE]
    redrive = properties["RedrivePolicy"]
    [dead_letter_logical, _] = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
    dead_letter = queue_definitions()[dead_letter_logical]
    dead_letter_url = sqs.create_queue(
        QueueName=f"{name}-dlq", Attributes={"MessageRetentionPeriod": str(dead_letter["MessageRetentionPeriod"])}
    )["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    attributes = {
        "VisibilityTimeout": str(properties["VisibilityTimeout"]),
        "MessageRetentionPeriod": str(properties["MessageRetentionPeriod"]),
        "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(redrive["maxReceiveCount"])}
        ),
    }
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url
