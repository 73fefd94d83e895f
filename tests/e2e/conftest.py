"""End-to-end fixtures: the HTTP API through ``chalice.test.Client`` on moto, and its callers."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.adapters.dynamodb.registry import DynamoDBRegistry
from chalicelib.domain.model import Organisation
from chalicelib.observability import logger
from chalicelib.services import admin
from infra import gateway
from tests import builders
from tests.e2e import internals

PROBLEM_KEYS = {"type", "title", "status", "detail"}
OPTIONAL_PROBLEM_KEYS = {"errors", "signal_id"}


@dataclass(frozen=True)
class Reply:
    """One HTTP response, with the assertions every test makes about its shape."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    def json(self) -> Any:
        return json.loads(self.body)

    def ok(self, status: int = 200) -> Any:
        """Assert a JSON success with ``status`` and return the document."""
        assert self.status_code == status, (self.status_code, self.body)
        assert self.content_type == "application/json"
        return self.json()

    def problem(self, status: int) -> dict[str, Any]:
        """Assert an RFC 9457 problem document with ``status`` and return it."""
        assert self.status_code == status, (self.status_code, self.body)
        assert self.content_type == "application/problem+json", self.headers
        document = self.json()
        assert isinstance(document, dict)
        assert PROBLEM_KEYS <= document.keys() <= PROBLEM_KEYS | OPTIONAL_PROBLEM_KEYS, document
        assert document["status"] == status
        assert all(isinstance(document[key], str) and document[key] for key in ("type", "title", "detail"))
        for error in document.get("errors", []):
            assert error.keys() == {"field", "message"}, error
            assert isinstance(error["field"], str)  # "" for a query parameter without a name
            assert isinstance(error["message"], str) and error["message"]
        assert "Traceback" not in self.body.decode()
        return document

    def invalid(self) -> dict[str, str]:
        """Assert a 422 validation problem and return its messages by field name."""
        document = self.problem(422)
        assert document["errors"], document
        return {error["field"]: error["message"] for error in document["errors"]}


@dataclass
class Api:
    """The HTTP API through ``chalice.test.Client``; keeps every reply for the leak checks."""

    client: Client
    replies: list[Reply] = field(default_factory=list)

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        **headers: str,
    ) -> Reply:
        all_headers = {"Content-Type": "application/json", **headers}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        response = self.client.http.request(method, path, headers=all_headers, body=raw)
        reply = Reply(response.status_code, dict(response.headers), response.body)
        # What API Gateway answers itself (a missing token, an unknown route), as the template deploys it.
        answer = gateway.deployed_answer(response.status_code, response.headers)
        if answer is not None:
            reply = Reply(answer.status, answer.headers, answer.body)
        self.replies.append(reply)
        return reply

    def post_signal(self, token: str | None, body: Any, idempotency_key: str | None = None) -> Reply:
        headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
        return self.call("POST", "/v1/signals", token, body, **headers)

    def create_signal(self, token: str, body: Any = None) -> dict[str, Any]:
        """Register a signal (the builders' default body unless given) and return it."""
        signal: dict[str, Any] = self.post_signal(token, builders.signal_body() if body is None else body).ok(201)
        return signal

    def get_signal(self, token: str | None, signal_id: str) -> Reply:
        return self.call("GET", f"/v1/signals/{signal_id}", token)

    def list_signals(self, token: str | None, query: str = "") -> Reply:
        return self.call("GET", "/v1/signals" + (f"?{query}" if query else ""), token)

    def close(self, token: str | None, signal_id: str, body: Any) -> Reply:
        return self.call("POST", f"/v1/signals/{signal_id}/close", token, body)

    def hand_over(self, token: str | None, signal_id: str, body: Any) -> Reply:
        return self.call("PUT", f"/v1/signals/{signal_id}/professional", token, body)


@dataclass(frozen=True)
class Caller:
    """An organisation with one token, as the admin CLI registers them."""

    organisation: Organisation
    token_id: str
    token: str


@pytest.fixture(scope="session")
def boto3_session() -> Any:
    import boto3

    return boto3.session.Session()


@pytest.fixture
def aws(aws: None, boto3_session: Any) -> Iterator[None]:
    """moto, with one boto3 session for every test (see ``internals``)."""
    internals.use_as_default_session(boto3_session)
    yield


@pytest.fixture
def container(container: bootstrap.Container, boto3_session: Any) -> bootstrap.Container:
    """The root container with a session of its own that shares the parsed service models."""
    container.session = internals.session_sharing_models(boto3_session)
    return container


@pytest.fixture
def api(container: bootstrap.Container) -> Iterator[Api]:
    with Client(app, stage_name="local") as client:
        yield Api(client)


@pytest.fixture
def registry(container: bootstrap.Container) -> DynamoDBRegistry:
    return container.registry


def _organisation(container: bootstrap.Container, name: str, sector: str, region: str) -> Caller:
    organisation, token = admin.create_organisation(container.registry, name, sector, region, container.clock.now())
    return Caller(organisation, token.token_id, token.token)


@pytest.fixture
def org(container: bootstrap.Container) -> Caller:
    return _organisation(container, "GGD Regio Utrecht", "jgz", "utrecht")


@pytest.fixture
def other_org(container: bootstrap.Container) -> Caller:
    return _organisation(container, "Buurtteam Oost", "wijkteam", "amsterdam")


@pytest.fixture
def org_token(org: Caller) -> str:
    return org.token


@pytest.fixture
def other_org_token(other_org: Caller) -> str:
    return other_org.token


@pytest.fixture
def municipality_token(container: bootstrap.Container) -> str:
    token = admin.create_municipality(
        container.registry, "0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", container.clock.now()
    )
    return token.token


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at the moment, as ``print`` does."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def app_output(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Everything the application printed (log lines, EMF metrics) since the test began.

    Metrics are printed, so capsys sees them; the powertools log handler keeps the ``sys.stdout``
    of import time, which no capture fixture sees, so it writes through ``_CurrentStdout`` here.
    """
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.stream
    handler.stream = _CurrentStdout()  # not setStream(): it flushes a capture that may be closed
    seen: list[str] = []

    def read() -> str:
        captured = capsys.readouterr()
        seen.extend([captured.out, captured.err])
        return "".join(seen)

    yield read
    handler.stream = previous


@pytest.fixture
def stream(api: Api, container: bootstrap.Container, table_names: Any) -> Any:
    """The signals table's real moto stream, delivered to the match function as Lambda would:
    filtered by the event source's filter of the template."""
    import boto3

    from local.stream_filter import match_function_filters
    from local.streams import StreamPoller

    arn = boto3.client("dynamodb").describe_table(TableName=table_names.signals)["Table"]["LatestStreamArn"]

    def invoke(event: dict[str, Any]) -> Any:
        return api.client.lambda_.invoke("match_signals", event).payload

    return StreamPoller(boto3.client("dynamodbstreams"), arn, invoke, filters=match_function_filters())


@pytest.fixture
def outbox(container: bootstrap.Container) -> Callable[[], list[dict[str, Any]]]:
    """The e-mails moto's SES accepted, parsed: to, subject, text, html and the raw MIME."""
    return internals.sent_mails
