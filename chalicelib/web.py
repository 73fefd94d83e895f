"""HTTP plumbing: routes from their declarations, body parsing, the principal, the one error mapping.

Every error leaves as ``application/problem+json`` (RFC 9457). Messages are written by us and
never echo input, so a BSN can't travel back in an error. Every response carries the API's full
version and the security headers of the Logius API Design Rules (:func:`http_rules`).
"""

from __future__ import annotations

import functools
import json
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chalice.app import Request, Response

from chalicelib import operations
from chalicelib.domain.errors import (
    Conflict,
    DuplicateActiveSignal,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.observability import count_rejection, logger
from chalicelib.operations import Operation

if TYPE_CHECKING:
    # Only the API's routes use pydantic; the authorizer imports this module too.
    from chalice.app import Chalice, ChaliceAuthorizer
    from pydantic import BaseModel, ValidationError

MAX_BODY_BYTES = 64 * 1024
PROBLEM_BASE = "https://verwijsindex.example.nl/problems/"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
# Given to every route: Chalice's own media-type check answers plain JSON that repeats the header,
# so it is off and ``parse_body`` checks the media type of a body instead.
ANY_MEDIA_TYPE = ["*/*"]

Model = TypeVar("Model", bound="BaseModel")
Body = TypeVar("Body")
Query = TypeVar("Query")

# The Logius API Design Rules' security headers (/core/transport/security-headers), on every
# response, errors included. No response may be cached: nearly every one holds personal data.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# The family's printable access document styles itself; it loads and runs nothing.
HTML_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


class RequestError(Exception):
    """A request refused for its HTTP form before any use case sees it: not a domain rule."""


class BadRequest(RequestError):
    """The body is no JSON at all (HTTP 400)."""


class PayloadTooLarge(RequestError):
    """The body exceeds 64 KiB (HTTP 413)."""


class UnsupportedMediaType(RequestError):
    """A body that is not declared ``application/json`` in UTF-8 (HTTP 415)."""


def json_response(model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        body=model.model_dump_json(),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    **extra: str,
) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(extra)
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": PROBLEM_JSON})


QUERY_FIELD = "(query)"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# A BSN has nine digits, a phone number more: a key holding a run like that may be data.
_DIGIT_RUN = re.compile(r"[0-9]{5}")


def _field_name(part: object) -> str:
    """A path segment as the client named it, unless it could be data (a BSN used as a key)."""
    if isinstance(part, int):
        return str(part)
    text = str(part)
    return text if _IDENTIFIER.fullmatch(text) and not _DIGIT_RUN.search(text) else "(unnamed)"


def _validation_errors(exc: ValidationError) -> list[FieldError]:
    found = []
    for error in exc.errors(include_input=False, include_url=False):
        location = ".".join(_field_name(part) for part in error["loc"]) or "body"
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        found.append(FieldError(location, message))
    return found


def to_problem(exc: Exception) -> tuple[Response, str]:
    """The response for an error, and the reason recorded in the rejection metric."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        exc = InvalidInput(_validation_errors(exc))
    match exc:
        case BadRequest():
            return problem(400, "bad-request", "Bad request", str(exc)), "unparseable"
        case PayloadTooLarge():
            return problem(413, "payload-too-large", "Payload too large", str(exc)), "too_large"
        case UnsupportedMediaType():
            return problem(415, "unsupported-media-type", "Unsupported media type", str(exc)), "media_type"
        case InvalidInput():
            return (
                problem(422, "validation", "Invalid request", "the request breaks one or more rules", exc.errors),
                "invalid",
            )
        case IdempotencyKeyReused():
            errors = [FieldError("Idempotency-Key", str(exc))]
            return problem(422, "idempotency-key-reused", "Invalid request", str(exc), errors), "idempotency"
        case Unauthenticated():
            return problem(
                401, "unauthenticated", "Unauthenticated", "a valid bearer token is required"
            ), "unauthenticated"
        case Forbidden():
            return problem(403, "forbidden", "Forbidden", str(exc)), "forbidden"
        case NotFound():
            return problem(404, "not-found", "Not found", "no such resource"), "not_found"
        case DuplicateActiveSignal():
            return (
                problem(409, "duplicate-active-signal", "Conflict", str(exc), signal_id=exc.signal_id),
                "duplicate",
            )
        case Conflict():
            return problem(409, "conflict", "Conflict", str(exc)), "conflict"
    # Our own bug or an AWS outage. Log the type and where it happened, never the message or
    # the locals: either may hold personal data.
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    logger.error(
        "unhandled error",
        extra={
            "error_type": type(exc).__name__,
            "frames": [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}" for frame in frames],
        },
    )
    return problem(500, "internal", "Internal error", "the request could not be handled"), "internal"


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json``, with no charset or ``charset=utf-8`` (RFC 8259 knows no other)."""
    if content_type is None:
        return False
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != JSON:
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def parse_body(request: Request, model: type[Model]) -> tuple[Model, Any]:
    """Parse and validate a JSON body; returns the model and the decoded document."""
    if not is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaType("request bodies are application/json in UTF-8")
    raw_body = request.raw_body
    raw = raw_body.encode() if isinstance(raw_body, str) else (raw_body or b"")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    try:
        # Decoded first: json.loads would also guess UTF-16 and UTF-32 from raw bytes.
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        # ValueError includes UnicodeDecodeError. RecursionError: nesting deeper than the parser
        # can follow, e.g. 60 KiB of "[".
        raise BadRequest("the body is not valid JSON in UTF-8") from exc
    if not isinstance(document, dict):
        raise InvalidInput.single("body", "the body must be a JSON object")
    return model.model_validate(document), document


def principal_from(context: Mapping[str, Any] | None) -> Principal:
    """The principal the authorizer resolved; the authorizer itself never rejects, we do."""
    authorizer = (context or {}).get("authorizer") or {}
    if str(authorizer.get("authenticated")) != "true":
        raise Unauthenticated("a valid bearer token is required")
    organisation = None
    if authorizer.get("org_id"):
        organisation = Organisation(
            id=authorizer["org_id"],
            name=authorizer["org_name"],
            sector=authorizer["org_sector"],
            region=authorizer["org_region"],
            oin=authorizer.get("org_oin") or None,
        )
    return Principal(
        client_id=authorizer["client_id"],
        kind=PrincipalKind(authorizer["kind"]),
        organisation=organisation,
        municipality_code=authorizer.get("municipality_code") or None,
        region=authorizer.get("region") or None,
    )


def principal_context(principal: Principal) -> dict[str, str]:
    """What the authorizer hands to API Gateway: flat strings, as its context requires."""
    organisation = principal.organisation
    return {
        "authenticated": "true",
        "client_id": principal.client_id,
        "kind": principal.kind.value,
        "org_id": organisation.id if organisation else "",
        "org_name": organisation.name if organisation else "",
        "org_sector": organisation.sector if organisation else "",
        "org_region": organisation.region if organisation else "",
        "org_oin": (organisation.oin or "") if organisation else "",
        "municipality_code": principal.municipality_code or "",
        "region": principal.region or "",
    }


def client_certificate(context: Mapping[str, Any] | None) -> str | None:
    """The PEM of the client certificate API Gateway checked in the TLS handshake (mutual TLS only)."""
    identity = (context or {}).get("identity") or {}
    certificate = identity.get("clientCert") or {}
    pem = certificate.get("clientCertPem") if isinstance(certificate, Mapping) else None
    return pem if isinstance(pem, str) else None


# A cursor is the sort key of the last signal of a page. Written out rather than encoded, its form
# is a pattern the published schema states exactly; any value of that form is a position in the
# newest-first order, so no cursor the pattern allows is refused.
CURSOR_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\.[0-9A-HJKMNP-TV-Z]{26}"
_CURSOR = re.compile(CURSOR_PATTERN)
_SORT_KEY_SEPARATOR = "#"
# "#" would start a URL's fragment when a client pastes the cursor into a query unencoded.
_CURSOR_SEPARATOR = "."


def encode_cursor(after: str | None) -> str | None:
    return after.replace(_SORT_KEY_SEPARATOR, _CURSOR_SEPARATOR, 1) if after else None


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    if not _CURSOR.fullmatch(cursor):
        raise InvalidInput.single("cursor", "not a cursor this API issued")
    return cursor.replace(_CURSOR_SEPARATOR, _SORT_KEY_SEPARATOR, 1)


def query_params(params: Mapping[str, str] | None, allowed: set[str]) -> dict[str, str]:
    """The query as a dict; an unknown key is refused without naming it (it may be a BSN)."""
    given = dict(params or {})
    if set(given) - allowed:
        known = ", ".join(sorted(allowed)) or "none"
        raise InvalidInput.single(QUERY_FIELD, "unknown query parameter; known: " + known)
    return given


def single_values(params: Any) -> dict[str, str]:
    """Chalice's query parameters as one value per key; a key given twice cannot be read (400)."""
    if params is None:
        return {}
    values: dict[str, str] = {}
    for key in params:
        given = params.getlist(key)
        if len(given) != 1:
            raise BadRequest("a query parameter is given more than once")
        values[key] = given[0]
    return values


# Routes, derived from the declarations in chalicelib.operations ---------------------------------


@dataclass(frozen=True)
class Call(Generic[Body, Query]):
    """A request that passed its operation's checks: the caller, its query and its body, parsed."""

    request: Request
    principal: Principal | None
    query: Query
    body: Body

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "only operations that need a token have a caller"
        return self.principal


def _model(name: str) -> type[BaseModel]:
    from chalicelib import schemas

    model: type[BaseModel] = getattr(schemas, name)
    return model


class Routes:
    """Registers each declared operation as a Chalice route with the checks its declaration implies.

    ``mutual_tls`` says whether the deployment requires client certificates (Digikoppeling); it is
    asked per request, so the authorizer's cold start never reads the settings.
    """

    def __init__(self, app: Chalice, authorizer: ChaliceAuthorizer, mutual_tls: Callable[[], bool]) -> None:
        self._app = app
        self._authorizer = authorizer
        self._mutual_tls = mutual_tls
        self.operations: dict[str, Operation] = {}

    def __call__(self, operation: Operation) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        def register(view: Callable[..., Response]) -> Callable[..., Response]:
            @functools.wraps(view)
            def handle(**path_parameters: str) -> Response:
                try:
                    return view(self._checked(operation), **path_parameters)
                except Exception as exc:  # the one place that maps errors to HTTP
                    response, reason = to_problem(exc)
                    count_rejection(operation.id, reason)
                    return response

            self._app.route(
                operation.route,
                methods=[operation.method],
                content_types=ANY_MEDIA_TYPE,
                authorizer=self._authorizer if operation.needs_token else None,
            )(handle)
            self.operations[view.__name__] = operation
            return handle

        return register

    def _checked(self, operation: Operation) -> Call[Any, Any]:
        """Token, then who may call, then query, then body: the order is the contract's, not the view's."""
        request = self._app.current_request
        assert request is not None, "only called while handling a request"
        principal = None
        if operation.needs_token:
            principal = self._authenticated(request)
            if principal.kind not in operation.callers:
                raise Forbidden(operations.forbidden_message(operation.callers))
        params = single_values(request.query_params)
        query = None
        if operation.query:
            model = _model(operation.query)
            query = model.model_validate(query_params(params, set(model.model_fields)))
        else:
            query_params(params, set())
        body = parse_body(request, _model(operation.body))[0] if operation.body else None
        return Call(request=request, principal=principal, query=query, body=body)

    def _authenticated(self, request: Request) -> Principal:
        principal = principal_from(request.context)
        if self._mutual_tls():
            from chalicelib.services import auth

            auth.require_certificate_of(principal, client_certificate(request.context))
        return principal


# Rules every response follows, whatever answered it --------------------------------------------


CONSOLE_PREFIX = "/console/"


def http_rules(request: Request | None, get_response: Callable[[Request | None], Response]) -> Response:
    """What API Design Rules ask of every response: a trailing slash is 404, every error is a
    problem document, every response names the full API version and carries the security headers;
    only the OpenAPI document may be read from any origin."""
    context = request.context if request is not None else {}
    if str(context.get("resourcePath") or "").startswith(CONSOLE_PREFIX):
        # Pages for people: HTML errors in Dutch and headers of their own (chalicelib.console).
        return get_response(request)
    path = str(context.get("path") or "")
    if len(path) > 1 and path.endswith("/"):
        response = problem(404, "not-found", "Not found", "no such resource")
    else:
        response = _as_problem(get_response(request))
    headers = response.headers
    headers.update(SECURITY_HEADERS)
    if str(headers.get("Content-Type", "")).startswith(operations.HTML):
        headers["Content-Security-Policy"] = HTML_SECURITY_POLICY
    headers["API-Version"] = operations.API_VERSION
    if context.get("resourcePath") == operations.OPENAPI.route and response.status_code < 400:
        headers["Access-Control-Allow-Origin"] = "*"
    return response


_STATUS_TITLES = {405: ("method-not-allowed", "Method not allowed", "this resource does not answer this method")}


def _as_problem(response: Response) -> Response:
    """Chalice's own errors (an undeclared method, an error outside a view) as problem documents."""
    if response.status_code < 400 or str(response.headers.get("Content-Type", "")).startswith(PROBLEM_JSON):
        return response
    status = response.status_code
    slug, title, detail = _STATUS_TITLES.get(
        status,
        ("internal", "Internal error", "the request could not be handled")
        if status >= 500
        else ("bad-request", "Bad request", "the request cannot be handled"),
    )
    answer = problem(status, slug, title, detail)
    if "Allow" in response.headers:
        answer.headers["Allow"] = response.headers["Allow"]
    return answer
