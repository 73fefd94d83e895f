"""HTTP plumbing: JSON and problem responses, body and query parsing, cursors, the one error mapping.

Every error leaves as ``application/problem+json`` (RFC 9457). Messages are written by us and
never echo input, so a BSN can't travel back in an error. Routes are registered by
``chalicelib.routes``; the headers every response carries are added by ``chalicelib.http_rules``.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request, Response

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
from chalicelib.observability import logger

if TYPE_CHECKING:
    # Only the API's routes use pydantic; the authorizer imports this module too.
    from pydantic import BaseModel, ValidationError

MAX_BODY_BYTES = 64 * 1024
PROBLEM_BASE = "https://verwijsindex.example.nl/problems/"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
# Given to every route: Chalice's own media-type check answers plain JSON that repeats the header,
# so it is off and ``parse_body`` checks the media type of a body instead.
ANY_MEDIA_TYPE = ["*/*"]

Model = TypeVar("Model", bound="BaseModel")


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
