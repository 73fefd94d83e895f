"""Shared set-up for benchmarks: an in-process moto account with the tables and key, and a call counter."""

from __future__ import annotations

import base64
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "benchmark",
        "AWS_SECRET_ACCESS_KEY": "benchmark",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

import moto

from chalicelib import bootstrap
from chalicelib.domain.clock import FixedClock
from chalicelib.settings import Settings
from infra.tables import TableNames, create_tables

KEY_PARAMETER = "/verwijsindex/bench/pseudonym-key"
SENDER = "noreply@verwijsindex.example.nl"
NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


class CallCounter:
    """Counts AWS API calls by ``service.Operation``, and the items DynamoDB returned to reads,
    through botocore's event hooks (registered on the session before any client exists)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items_read = 0

    def before_call(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def after_call(self, model: Any, parsed: Any, **_: Any) -> None:
        if model.service_model.service_name != "dynamodb":
            return
        if model.name in ("Query", "Scan"):
            self.items_read += int(parsed.get("Count", 0))
        elif model.name == "GetItem":
            self.items_read += 1 if parsed.get("Item") else 0
        elif model.name == "BatchGetItem":
            self.items_read += sum(len(found) for found in parsed.get("Responses", {}).values())

    def reset(self) -> None:
        self.calls.clear()
        self.items_read = 0


@contextmanager
def local_account() -> Iterator[tuple[bootstrap.Container, CallCounter, FixedClock]]:
    with moto.mock_aws():
        import boto3

        names = TableNames.with_prefix("bench")
        create_tables(boto3.client("dynamodb"), names)
        key = base64.b64encode(os.urandom(32)).decode()
        boto3.client("ssm").put_parameter(Name=KEY_PARAMETER, Value=key, Type="SecureString")
        ses = boto3.client("ses")
        ses.verify_email_identity(EmailAddress=SENDER)
        ses.create_configuration_set(ConfigurationSet={"Name": "verwijsindex-bench"})
        settings = Settings.from_environ(
            names.environment()
            | {
                "PSEUDONYM_KEY_PARAMETER": KEY_PARAMETER,
                "MAIL_SENDER": SENDER,
                "SES_CONFIGURATION_SET": "verwijsindex-bench",
            }
        )
        clock = FixedClock(NOW)
        container = bootstrap.Container(settings=settings, clock=clock)
        counter = CallCounter()
        container.session.events.register("before-call", counter.before_call)
        container.session.events.register("after-call", counter.after_call)
        bootstrap.use(container)
        try:
            yield container, counter, clock
        finally:
            bootstrap.use(None)


def print_calls(title: str, counter: CallCounter) -> None:
    print(title)
    if not counter.calls:
        print("  (no AWS calls)")
    for name, count in sorted(counter.calls.items()):
        print(f"  {name:45s} {count}")
    print(f"  {'total':45s} {sum(counter.calls.values())}")
    print(f"  {'DynamoDB items read':45s} {counter.items_read}")
