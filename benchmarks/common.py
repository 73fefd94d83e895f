"""Shared set-up for benchmarks: an in-process moto account with the tables and key, and a call counter."""

from __future__ import annotations

import base64
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
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
from chalicelib.adapters.dynamodb.items import signal_to_item
from chalicelib.adapters.dynamodb.table import serialise
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.services.signals import NewSignal
from chalicelib.settings import Settings
from infra.queues import create_work_queue
from infra.tables import TableNames, create_tables
from local.clock import FixedClock
from tests import builders

KEY_PARAMETER = "/verwijsindex/bench/pseudonym-key"
SENDER = "noreply@verwijsindex.example.nl"
WORK_QUEUE = "verwijsindex-bench-lifecycle-work"
NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


class CallCounter:
    """Counts AWS API calls by ``service.Operation``, and the items DynamoDB returned to reads,
    through botocore's event hooks (registered on the session before any client exists)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items_read = 0
        self.errors = 0

    def before_call(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def after_call(self, model: Any, parsed: Any, **_: Any) -> None:
        if parsed.get("Error"):
            self.errors += 1
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
        self.errors = 0


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
        create_work_queue(boto3.client("sqs"), WORK_QUEUE)
        settings = Settings.from_environ(
            names.environment()
            | {
                "PSEUDONYM_KEY_PARAMETER": KEY_PARAMETER,
                "MAIL_SENDER": SENDER,
                "SES_CONFIGURATION_SET": "verwijsindex-bench",
                "LIFECYCLE_QUEUE": WORK_QUEUE,
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


def new_signal(seed: int, address_overrides: dict[str, object] | None = None, email: str = "p@example.nl") -> NewSignal:
    from chalicelib.schemas import SignalIn, new_signal

    child = builders.child(bsn=builders.bsn(seed), address=builders.address(**(address_overrides or {})))
    body = builders.signal_body(child=child, professional=builders.professional(email=email))
    return new_signal(SignalIn.model_validate(body))


def load_unrelated(container, count: int) -> None:
    """Bulk-write ``count`` signals of unrelated children at unrelated addresses."""
    service = container.signals
    elsewhere = {"postcode": "9999ZZ", "house_number": 1}
    template = service.register(
        principal(Organisation("org_bulk", "Bulk", "huisarts", "noord")), new_signal(10_000_000, elsewhere), None
    ).signal
    pseudonymiser = container.pseudonymiser()
    requests = []
    for n in range(count):
        signal = replace(
            template,
            id=container.new_id(container.clock.now()),
            child_pseudonym=pseudonymiser.child(builders.bsn(20_000_000 + n)),
            address_pseudonym=pseudonymiser.child(f"address-{n}"),
        )
        requests.append({"PutRequest": {"Item": serialise(signal_to_item(signal))}})
        if len(requests) == 25:
            container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})
            requests = []
    if requests:
        container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})


def principal(organisation: Organisation) -> Principal:
    return Principal(client_id=organisation.id, kind=PrincipalKind.ORGANISATION, organisation=organisation)
