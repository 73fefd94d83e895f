"""Structured logs and metrics. Log lines carry ids and outcomes, never personal data."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

SERVICE = "verwijsindex"
NAMESPACE = "Verwijsindex"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_rejection(operation: str, reason: str) -> None:
    """One EMF line per rejection, with the reason as a dimension (e.g. ``duplicate``)."""
    with single_metric(name="RequestsRejected", unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="operation", value=operation)
        metric.add_dimension(name="reason", value=reason)


def flush_metrics() -> None:
    if metrics.metric_set:
        metrics.flush_metrics()
