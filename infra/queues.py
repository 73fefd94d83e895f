"""Create the template's queues (each with its dead-letter queue) as it deploys them: the nightly
job's work queue and the recheck queue.

The local stack and the tests call :func:`create_work_queue` and :func:`create_recheck_queue`, so
their queues have the visibility timeout, retention and redrive policy of production (moto honours
them). Only the recheck queue's wait may be shortened, locally and in tests: fifteen minutes before
each try is for a register to come back, not for a developer to sit through.
"""

from __future__ import annotations

import json
from typing import Any

from infra.tables import TEMPLATE

WORK_QUEUE = "LifecycleWorkQueue"
QUEUE_SETTING = "LIFECYCLE_QUEUE"
RECHECK_QUEUE = "RecheckQueue"
RECHECK_QUEUE_SETTING = "RECHECK_QUEUE"


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
    return _create(sqs, WORK_QUEUE, name, {})


def create_recheck_queue(sqs: Any, name: str, wait_seconds: int | None = None) -> str:
    """Create the recheck queue as ``name`` and its dead-letter queue beside it; returns the queue's URL.

    ``wait_seconds`` replaces both waits of the template, before the first try (``DelaySeconds``) and
    between tries (``VisibilityTimeout``); ``None`` keeps the template's.
    """
    shorter = {} if wait_seconds is None else {"DelaySeconds": wait_seconds, "VisibilityTimeout": wait_seconds}
    return _create(sqs, RECHECK_QUEUE, name, shorter)


def _create(sqs: Any, logical: str, name: str, overrides: dict[str, int]) -> str:
    properties = queue_definitions()[logical]
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
        attribute: str({**properties, **overrides}[attribute])
        for attribute in ("DelaySeconds", "VisibilityTimeout", "MessageRetentionPeriod")
        if attribute in properties or attribute in overrides
    }
    attributes["RedrivePolicy"] = json.dumps(
        {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(redrive["maxReceiveCount"])}
    )
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url
