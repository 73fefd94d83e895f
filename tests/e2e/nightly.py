"""The nightly job as it runs on AWS: the scheduled planner, then the workers draining its queue."""

from __future__ import annotations

from typing import Any

TOTALS = ("archived", "deleted", "notices_sent", "reminders_sent", "failed")


def run_nightly(api: Any) -> dict[str, Any]:
    """Fire the schedule, deliver every chunk to ``lifecycle_work``; what the workers did, added up.

    The result has the keys of the report the job made when it ran in one invocation (``today``,
    ``archived``, ``deleted``, ``notices_sent``, ``reminders_sent``, ``failed``).
    """
    import boto3

    from chalicelib import bootstrap
    from local.queues import QueueDrainer

    event = api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=["arn:aws:events:::rule/lifecycle"]
    )
    plan = api.client.lambda_.invoke("lifecycle", event).payload
    drainer = QueueDrainer(
        boto3.client("sqs"),
        bootstrap.container().settings.lifecycle_queue,
        lambda message: api.client.lambda_.invoke("lifecycle_work", message).payload,
    )
    drainer.drain()
    done: dict[str, Any] = {"today": plan["today"], **dict.fromkeys(TOTALS, 0)}
    for result in drainer.results:
        for name in TOTALS:
            done[name] += result.get(name, 0)
    done["failed"] += drainer.failures
    return done
