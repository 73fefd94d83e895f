from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import bootstrap
from chalicelib.services import admin


@dataclass
class Api:
    """The HTTP API through ``chalice.test.Client``, with JSON helpers."""

    client: Client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, **headers: str) -> Any:
        import json

        all_headers = {"Content-Type": "application/json", **headers}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        return self.client.http.request(method, path, headers=all_headers, body=raw)


@pytest.fixture
def api(container: bootstrap.Container) -> Iterator[Api]:
    with Client(app, stage_name="local") as client:
        yield Api(client)


@pytest.fixture
def org_token(container: bootstrap.Container) -> str:
    _, token = admin.create_organisation(
        container.registry, "GGD Regio Utrecht", "jgz", "utrecht", container.clock.now()
    )
    return token.token


@pytest.fixture
def other_org_token(container: bootstrap.Container) -> str:
    _, token = admin.create_organisation(
        container.registry, "Buurtteam Oost", "wijkteam", "amsterdam", container.clock.now()
    )
    return token.token
