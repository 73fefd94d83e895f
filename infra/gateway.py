"""API Gateway's own answers, as ``infra/template.json`` deploys them, for the local server and tests.

On AWS, API Gateway answers some requests itself, before any function runs: no Authorization
header (``UNAUTHORIZED``), an unknown path or method (``MISSING_AUTHENTICATION_TOKEN``), a denying
authorizer (``ACCESS_DENIED``), a failing authorizer (``DEFAULT_5XX``). The template's
``AWS::ApiGateway::GatewayResponse`` resources turn each into a problem document with the API's
version and security headers. Chalice's local gateway answers the same cases with plain JSON of
its own; :func:`deployed_answer` gives the template's answer instead, so ``make run``, the tests
and schemathesis meet what a client of the deployed API meets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chalice.local import ChaliceRequestHandler, LocalGatewayException

TEMPLATE = Path(__file__).resolve().parent / "template.json"
_HEADER = "gatewayresponse.header."
# The header chalice's local gateway marks its own answers with, and what each one means on AWS.
ERROR_TYPE = "x-amzn-ErrorType"
_RESPONSE_TYPES = {
    (401, "UnauthorizedException"): "UNAUTHORIZED",
    (403, "UnauthorizedException"): "MISSING_AUTHENTICATION_TOKEN",
    (403, "AccessDeniedException"): "ACCESS_DENIED",
}


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


@cache
def gateway_answers() -> dict[str, GatewayAnswer]:
    """The template's gateway responses by ``ResponseType``."""
    template = json.loads(TEMPLATE.read_text())
    answers = {}
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::ApiGateway::GatewayResponse":
            continue
        properties = resource["Properties"]
        headers = {
            name.removeprefix(_HEADER): value.strip("'")
            for name, value in properties.get("ResponseParameters", {}).items()
            if name.startswith(_HEADER)
        }
        body = properties["ResponseTemplates"]["application/json"].encode()
        answers[properties["ResponseType"]] = GatewayAnswer(int(properties["StatusCode"]), headers, body)
    return answers


def deployed_answer(status: int, headers: Mapping[str, Any]) -> GatewayAnswer | None:
    """What API Gateway answers where chalice's local gateway answered ``status`` itself.

    ``None`` for an answer of the app, which passes unchanged.
    """
    error_type = next((str(value) for name, value in headers.items() if name.lower() == ERROR_TYPE.lower()), None)
    if error_type is None:
        return None
    response_type = _RESPONSE_TYPES.get((status, error_type), "DEFAULT_5XX" if status >= 500 else None)
    if response_type is None:
        return None
    answer = gateway_answers()[response_type]
    # A copy: chalice's handler pops Content-Type from the headers it is given.
    return GatewayAnswer(answer.status, dict(answer.headers), answer.body)


class GatewayRequestHandler(ChaliceRequestHandler):
    """Chalice's local request handler, answering as the deployed API Gateway does."""

    # http.server answers a method without a do_ handler with its own HTML 501; let the app answer
    # these as any other method it does not declare (405, with Allow).
    do_TRACE = do_QUERY = ChaliceRequestHandler._generic_handle

    def do_OPTIONS(self) -> None:
        """No route declares OPTIONS and no CORS preflight is set up: API Gateway answers it itself
        (chalice's local gateway would invent a preflight answer)."""
        self._parse_payload()
        answer = gateway_answers()["MISSING_AUTHENTICATION_TOKEN"]
        self._send_http_response(answer.status, dict(answer.headers), answer.body)

    def _send_error_response(self, error: LocalGatewayException) -> None:
        answer = deployed_answer(error.CODE, error.headers)
        if answer is None:
            super()._send_error_response(error)
            return
        self._send_http_response(answer.status, answer.headers, answer.body)


def proxy_event(
    method: str,
    path: str,
    body: Any,
    authorizer: Mapping[str, str],
    identity: Mapping[str, Any],
    *,
    token: str | None = None,
    request_id: str = "local",
) -> dict[str, Any]:
    """A request as API Gateway hands it to the API function once the authorizer let it through.

    ``authorizer`` is the authorizer's context with its ``principalId``; ``identity`` the caller's
    (``sourceIp``, and ``clientCert`` under mutual TLS).
    """
    bearer = token if token is not None else "(checked by the authorizer)"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": request_id,
            "apiId": request_id,
            "identity": dict(identity),
            "authorizer": dict(authorizer),
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
