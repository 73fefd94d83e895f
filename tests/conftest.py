"""Shared fixtures. moto is imported before any boto3 client exists, as it must be."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import moto
import pytest

from chalicelib import bootstrap
from chalicelib.settings import Settings
from infra.queues import create_work_queue
from infra.tables import TableNames, create_tables
from local.clock import FixedClock

TIERS = ("integration", "e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier (its folder), so ``make check`` can leave out the slow ones."""
    for item in items:
        for tier in TIERS:
            if tier in item.path.parts:
                item.add_marker(getattr(pytest.mark, tier))


KEY_PARAMETER = "/verwijsindex/test/pseudonym-key"
TEST_KEY = base64.b64encode(bytes(range(32))).decode()
SENDER = "noreply@verwijsindex.example.nl"
CONFIGURATION_SET = "verwijsindex-test"
WORK_QUEUE = "verwijsindex-test-lifecycle-work"
START = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def aws() -> Iterator[None]:
    with moto.mock_aws():
        yield


@pytest.fixture
def table_names() -> TableNames:
    return TableNames.with_prefix("test")


@pytest.fixture
def settings(aws: None, table_names: TableNames) -> Settings:
    import boto3

    create_tables(boto3.client("dynamodb"), table_names)
    boto3.client("ssm").put_parameter(Name=KEY_PARAMETER, Value=TEST_KEY, Type="SecureString")
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress=SENDER)
    ses.create_configuration_set(ConfigurationSet={"Name": CONFIGURATION_SET})
    create_work_queue(boto3.client("sqs"), WORK_QUEUE)
    environment = table_names.environment() | {
        "PSEUDONYM_KEY_PARAMETER": KEY_PARAMETER,
        "MAIL_SENDER": SENDER,
        "SES_CONFIGURATION_SET": CONFIGURATION_SET,
        "LIFECYCLE_QUEUE": WORK_QUEUE,
    }
    return Settings.from_environ(environment)


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[bootstrap.Container]:
    built = bootstrap.Container(settings=settings, clock=clock)
    bootstrap.use(built)
    yield built
    bootstrap.use(None)
