"""Rules every response of the API follows, whatever answered it (the Logius API Design Rules).

Pages for people under ``/console/`` keep their own HTML errors and headers (``chalicelib.console``)."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib import operations
from chalicelib.web import PROBLEM_JSON, problem

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
