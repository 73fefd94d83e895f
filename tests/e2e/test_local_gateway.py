"""The local server of ``make run`` answers what the deployed API Gateway answers itself.

The app is served over real HTTP on a free loopback port, with the request handler the local stack
uses (``infra.gateway.GatewayRequestHandler``), and stopped after each test.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from chalice.config import Config
from chalice.local import LocalDevServer

from app import app
from chalicelib import operations
from infra.gateway import GatewayRequestHandler


@pytest.fixture
def served(container) -> Iterator[tuple[str, int]]:
    server = LocalDevServer(
        app, Config.create(chalice_stage="local"), "127.0.0.1", 0, handler_cls=GatewayRequestHandler
    )
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server.server_address
    finally:
        server.shutdown()
        server.server.server_close()
        thread.join(5)


def request(address: tuple[str, int], method: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/signals", 401),
        ("POST", "/v1/subjects/access", 401),
        ("GET", "/v1/nothing-here", 404),
        ("OPTIONS", "/v1/signals", 404),
    ],
    ids=["no-token", "no-token-post", "unknown-route", "options"],
)
def test_what_api_gateway_answers_itself_is_a_problem_document_with_the_apis_headers(served, method, path, status):
    code, headers, body = request(served, method, path)

    assert code == status
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == status
    assert headers["API-Version"] == operations.API_VERSION
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "DELETE"])
def test_a_method_the_app_does_not_declare_is_its_405_not_http_servers_501(served, method):
    code, headers, body = request(served, method, "/v1/health")

    assert code == 405
    assert headers["Allow"] == "GET"
    assert json.loads(body)["type"].endswith("/method-not-allowed")
