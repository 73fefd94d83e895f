"""The nightly functions as they run on AWS: a schedule fires, then the workers drain its queue."""

from __future__ import annotations

from typing import Any

TOTALS = ("archived", "deleted", "notices_sent", "reminders_sent", "failed")


def fire(api: Any, name: str) -> dict[str, Any]:
    """Fire the schedule of the function ``name`` as EventBridge does; the report it returns."""
    event = api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[f"arn:aws:events:::rule/{name}"]
    )
    report: dict[str, Any] = api.client.lambda_.invoke(name, event).payload
    return report


def work_done(api: Any, totals: tuple[str, ...]) -> dict[str, int]:
    """Deliver every chunk on the work queue to ``lifecycle_work``; its reports' ``totals`` added up,
    and ``failed`` counting the deliveries that raised as well."""
    import boto3

    from chalicelib import bootstrap
    from local.queues import QueueDrainer

    drainer = QueueDrainer(
        boto3.client("sqs"),
        bootstrap.container().settings.lifecycle_queue,
        lambda message: api.client.lambda_.invoke("lifecycle_work", message).payload,
    )
    drainer.drain()
    done = dict.fromkeys(totals, 0)
    for result in drainer.results:
        for name in totals:
            done[name] += result.get(name, 0)
    done["failed"] = done.get("failed", 0) + drainer.failures
    return done


def run_nightly(api: Any) -> dict[str, Any]:
    """Fire the schedule, deliver every chunk to ``lifecycle_work``; what the workers did, added up.

    The result has the keys of the report the job made when it ran in one invocation (``today``,
    ``archived``, ``deleted``, ``notices_sent``, ``reminders_sent``, ``failed``).
    """
    plan = fire(api, "lifecycle")
    return {"today": plan["today"], **work_done(api, TOTALS)}
