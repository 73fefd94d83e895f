"""Mutual TLS (Digikoppeling): an organisation's token counts only with its own client certificate.

API Gateway checks the certificate against the truststore in the TLS handshake and passes it in
the request context. Chalice's authorizer is of API Gateway's TOKEN type, which gets the token and
the method ARN only, never the request context; the API function gets the whole context. So these
tests run the requests as API Gateway does: the authorizer with a TOKEN event first, then the API
function with a proxy event carrying the authorizer's context and ``identity.clientCert``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from chalice.local import LambdaContext

from app import app
from chalicelib.services import admin
from infra.gateway import proxy_event
from tests import builders
from tests.certificates import OIN, OTHER_OIN, client_cert_context, organisation_certificate

ARN = "arn:aws:execute-api:eu-west-1:123456789012:api1234567/api/{method}{path}"


@pytest.fixture
def mutual_tls(container):
    container.settings = replace(container.settings, mutual_tls="on")
    return container


@pytest.fixture
def oin_org(mutual_tls, clock) -> str:
    _, token = admin.create_organisation(mutual_tls.registry, "GGD Regio Utrecht", "jgz", "utrecht", clock.now(), OIN)
    return token.token


def through_api_gateway(
    api, method: str, path: str, token: str, certificate: str | None, body: Any = None
) -> dict[str, Any]:
    authorized = api.client.lambda_.invoke(
        "token_authorizer",
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": ARN.format(method=method, path=path)},
    ).payload
    identity: dict[str, Any] = {"sourceIp": "192.0.2.10"}
    if certificate is not None:
        identity["clientCert"] = client_cert_context(certificate)
    context = {"principalId": authorized["principalId"], **authorized["context"]}
    event = proxy_event(method, path, body, context, identity, token=token, request_id="mtls-test")
    response: dict[str, Any] = app(event, LambdaContext("api_handler", 512))
    return response


def test_an_organisations_token_with_its_own_certificate_is_served(api, oin_org):
    response = through_api_gateway(
        api, "POST", "/v1/signals", oin_org, organisation_certificate(OIN), builders.signal_body()
    )

    assert response["statusCode"] == 201, response["body"]
    assert json.loads(response["body"])["organisation"]["name"] == "GGD Regio Utrecht"


@pytest.mark.parametrize(
    "certificate",
    [organisation_certificate(OTHER_OIN, "Buurtteam Oost"), None],
    ids=["another-organisations-certificate", "no-certificate"],
)
def test_an_organisations_token_with_another_certificate_is_401(api, oin_org, certificate):
    for method, path, body in [("POST", "/v1/signals", builders.signal_body()), ("GET", "/v1/signals", None)]:
        response = through_api_gateway(api, method, path, oin_org, certificate, body)

        assert response["statusCode"] == 401
        assert response["headers"]["Content-Type"] == "application/problem+json"
        assert json.loads(response["body"])["type"].endswith("/unauthenticated")
    assert api.list_signals(oin_org).problem(401)


def test_an_organisation_registered_without_oin_is_401_under_mutual_tls(api, mutual_tls, org_token):
    response = through_api_gateway(api, "GET", "/v1/signals", org_token, organisation_certificate(OIN))

    assert response["statusCode"] == 401


def test_without_mutual_tls_the_certificate_is_not_asked_for(api, container, clock):
    _, token = admin.create_organisation(container.registry, "GGD Regio Utrecht", "jgz", "utrecht", clock.now(), OIN)

    assert through_api_gateway(api, "GET", "/v1/signals", token.token, None)["statusCode"] == 200
