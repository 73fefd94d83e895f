"""The HTTP contract: every operation declared once.

``routes.Routes`` turns a declaration into a Chalice route and derives the checks every request of it
passes, always in this order: the token, who may call, the query, the body. A caller of the wrong
kind therefore hears 403 before anything about its input, on every operation alike.
``openapi.document`` builds the published document from the same declarations, so the routes and
the document cannot drift apart.

Models are named here, not imported: every function imports app.py on a cold start and only the
API's requests need pydantic (see benchmarks/cold_start.py). A route imports its models on its
first call, the document builder when the document is asked for.
"""

from __future__ import annotations

from chalicelib.operations.model import (
    API_VERSION,
    BASE_PATH,
    CHANGED_MEANWHILE,
    EVERY_KIND,
    HTML,
    IDEMPOTENCY_KEY,
    JSON,
    MATCH_ID,
    MUNICIPALITIES,
    NO_TOKEN,
    OPENAPI_PATH,
    ORGANISATIONS,
    REPORTERS,
    SIGNAL_ID,
    Answer,
    Header,
    Link,
    Operation,
    forbidden_message,
    problems,
)
from chalicelib.operations.municipalities import (
    LIST_MATCHES,
    MATCH_FOLLOW_UP,
    REPORT,
    SUBJECT_ACCESS,
    SUBJECT_ERASE,
    SUBJECT_RECTIFY,
)
from chalicelib.operations.organisations import (
    CLOSE_SIGNAL,
    CREATE_SIGNAL,
    GET_SIGNAL,
    HAND_OVER_SIGNAL,
    LIST_SIGNALS,
)

# The service itself --------------------------------------------------------------------------------

HEALTH = Operation(
    id="health",
    method="GET",
    path="/health",
    summary="Liveness",
    callers=NO_TOKEN,
    answers=(Answer(200, "OK", ("HealthOut",)),),
)

OPENAPI = Operation(
    id="openapi",
    method="GET",
    path=OPENAPI_PATH,
    summary="This document (readable from any origin)",
    callers=NO_TOKEN,
    answers=(
        Answer(
            200,
            "OpenAPI 3.1",
            headers=(
                Header(
                    "Access-Control-Allow-Origin",
                    "Any origin may read this document",
                    {"type": "string", "enum": ["*"]},
                    required=True,
                ),
            ),
        ),
    ),
)

OPERATIONS: tuple[Operation, ...] = (
    CREATE_SIGNAL,
    LIST_SIGNALS,
    GET_SIGNAL,
    CLOSE_SIGNAL,
    HAND_OVER_SIGNAL,
    SUBJECT_ACCESS,
    SUBJECT_RECTIFY,
    SUBJECT_ERASE,
    LIST_MATCHES,
    MATCH_FOLLOW_UP,
    REPORT,
    HEALTH,
    OPENAPI,
)

__all__ = [
    "API_VERSION",
    "BASE_PATH",
    "CHANGED_MEANWHILE",
    "CLOSE_SIGNAL",
    "CREATE_SIGNAL",
    "EVERY_KIND",
    "GET_SIGNAL",
    "HAND_OVER_SIGNAL",
    "HEALTH",
    "HTML",
    "IDEMPOTENCY_KEY",
    "JSON",
    "LIST_MATCHES",
    "LIST_SIGNALS",
    "MATCH_FOLLOW_UP",
    "MATCH_ID",
    "MUNICIPALITIES",
    "NO_TOKEN",
    "OPENAPI",
    "OPENAPI_PATH",
    "OPERATIONS",
    "ORGANISATIONS",
    "REPORT",
    "REPORTERS",
    "SIGNAL_ID",
    "SUBJECT_ACCESS",
    "SUBJECT_ERASE",
    "SUBJECT_RECTIFY",
    "Answer",
    "Header",
    "Link",
    "Operation",
    "forbidden_message",
    "problems",
]
