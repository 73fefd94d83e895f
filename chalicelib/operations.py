"""The HTTP contract: every operation declared once.

``web.Routes`` turns a declaration into a Chalice route and derives the checks every request of it
passes, always in this order: the token, who may call, the query, the body. A caller of the wrong
kind therefore hears 403 before anything about its input, on every operation alike.
``openapi.document`` builds the published document from the same declarations, so the routes and
the document cannot drift apart.

Models are named here, not imported: every function imports app.py on a cold start and only the
API's requests need pydantic (see benchmarks/cold_start.py). A route imports its models on its
first call, the document builder when the document is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.model import PrincipalKind

# The full version in every response's API-Version header; the major one is the base path.
API_VERSION = "1.2.0"
BASE_PATH = "/v1"
OPENAPI_PATH = "/openapi.json"

JSON = "application/json"
HTML = "text/html"

NO_TOKEN: frozenset[PrincipalKind] = frozenset()
ORGANISATIONS = frozenset({PrincipalKind.ORGANISATION})
MUNICIPALITIES = frozenset({PrincipalKind.MUNICIPALITY})
REPORTERS = frozenset({PrincipalKind.MUNICIPALITY, PrincipalKind.ADMIN})
EVERY_KIND = frozenset(PrincipalKind)

_KIND_NAMES = {
    PrincipalKind.ORGANISATION: "organisations",
    PrincipalKind.MUNICIPALITY: "municipalities",
    PrincipalKind.ADMIN: "administrators",
}

SIGNAL_ID = r"^[0-9A-HJKMNP-TV-Z]{26}$"
MATCH_ID = r"^mt_[0-9a-f]{24}$"
IDEMPOTENCY_KEY = r"^[A-Za-z0-9._:-]{1,128}$"


@dataclass(frozen=True)
class Header:
    """A request or response header: its name, what it means and its JSON Schema."""

    name: str
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: a value of this answer fills a parameter of another operation."""

    name: str
    operation: str
    parameters: Mapping[str, str]
    description: str


@dataclass(frozen=True)
class Answer:
    """A success response: one model, or several alternatives (``oneOf``), per media type."""

    status: int
    description: str
    models: tuple[str, ...] = ()
    media_types: tuple[str, ...] = (JSON,)
    headers: tuple[Header, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    """Relative to :data:`BASE_PATH`, as the document's paths are relative to its server."""
    summary: str
    callers: frozenset[PrincipalKind]
    """Who may call it; empty: no token needed."""
    answers: tuple[Answer, ...]
    body: str | None = None
    """The model (in ``chalicelib.schemas``) of its JSON body."""
    query: str | None = None
    """The model of its query string; without one, any query parameter is refused."""
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    """Each path parameter's pattern."""
    request_headers: tuple[Header, ...] = ()
    problems: Mapping[int, str] = field(default_factory=dict)
    """Problems of this operation besides those its declaration implies (see :func:`problems`)."""
    description: str = ""

    @property
    def route(self) -> str:
        return BASE_PATH + self.path

    @property
    def needs_token(self) -> bool:
        return bool(self.callers)


def forbidden_message(callers: frozenset[PrincipalKind]) -> str:
    names = [_KIND_NAMES[kind] for kind in PrincipalKind if kind in callers]
    return "this endpoint is for " + " and ".join(names)


def problems(operation: Operation) -> dict[int, str]:
    """Every problem status the operation can answer, with what it means there."""
    found: dict[int, str] = {}
    unreadable = []
    if operation.body:
        unreadable.append("the body is not JSON")
    if operation.query:
        unreadable.append("a query parameter is given more than once")
    if unreadable:
        found[400] = "The request cannot be read: " + "; ".join(unreadable)
    if operation.needs_token:
        found[401] = "No valid bearer token"
        if ORGANISATIONS & operation.callers:
            found[401] += ", or (with mutual TLS) a client certificate of another organisation"
        if operation.callers != EVERY_KIND:
            found[403] = f"A token of another kind: {forbidden_message(operation.callers)}"
    found.update(operation.problems)
    if operation.body:
        found[413] = "The body exceeds 64 KiB"
        found[415] = "The body is not declared application/json in UTF-8"
    if operation.body or operation.query or operation.request_headers:
        found.setdefault(422, "The request breaks a rule, or has an unknown field or query parameter")
    return dict(sorted(found.items()))


# Organisations ----------------------------------------------------------------------------------

_SIGNAL_LINKS = (
    Link("GetSignal", "get_signal", {"signal_id": "$response.body#/id"}, "The signal with its matches"),
    Link("CloseSignal", "close_signal", {"signal_id": "$response.body#/id"}, "Close it early"),
    Link("HandOverSignal", "hand_over_signal", {"signal_id": "$response.body#/id"}, "Hand it to another professional"),
)
_SIGNAL = {"signal_id": SIGNAL_ID}
_NO_SUCH_SIGNAL = {404: "No signal of this organisation with this id (another organisation's looks the same)"}
# Read-modify-write operations retry on fresh data a few times before giving up with this.
_CHANGED_MEANWHILE = {409: "Changed meanwhile by another request, retry"}

CREATE_SIGNAL = Operation(
    id="create_signal",
    method="POST",
    path="/signals",
    summary="Register a signal",
    description="Registers that a professional of this organisation is involved with the child. A repeated "
    "request with the same Idempotency-Key and body answers the first signal again.",
    callers=ORGANISATIONS,
    body="SignalIn",
    request_headers=(
        Header(
            "Idempotency-Key",
            "Makes a retry safe: the same key with the same body answers the first signal again, for 24 hours",
            {"type": "string", "pattern": IDEMPOTENCY_KEY},
        ),
    ),
    answers=(
        Answer(
            201,
            "Created (or replayed for a repeated Idempotency-Key)",
            ("SignalOut",),
            headers=(
                Header("Location", "The signal's path", {"type": "string"}, required=True),
                Header(
                    "Idempotent-Replayed",
                    "Present when this answers a repeated Idempotency-Key",
                    {"type": "string", "enum": ["true"]},
                ),
            ),
            links=_SIGNAL_LINKS,
        ),
    ),
    problems={
        409: "This organisation already has an active signal for the child (signal_id names it)",
        422: "The request breaks a rule, has an unknown field, or reuses an Idempotency-Key with another body",
    },
)

LIST_SIGNALS = Operation(
    id="list_signals",
    method="GET",
    path="/signals",
    summary="This organisation's signals, newest first",
    callers=ORGANISATIONS,
    query="ListQuery",
    answers=(Answer(200, "A page; next_cursor fetches the next one", ("SignalPage",)),),
)

GET_SIGNAL = Operation(
    id="get_signal",
    method="GET",
    path="/signals/{signal_id}",
    summary="One signal with its matches",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    answers=(Answer(200, "The signal", ("SignalOut",)),),
    problems=_NO_SUCH_SIGNAL,
)

CLOSE_SIGNAL = Operation(
    id="close_signal",
    method="POST",
    path="/signals/{signal_id}/close",
    summary="Close a signal early",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    body="CloseIn",
    answers=(Answer(200, "risk_resolved: the archived signal; unjustified: deleted", ("SignalOut", "DeletedOut")),),
    problems=_NO_SUCH_SIGNAL | _CHANGED_MEANWHILE,
)

HAND_OVER_SIGNAL = Operation(
    id="hand_over_signal",
    method="PUT",
    path="/signals/{signal_id}/professional",
    summary="Hand the signal to another professional",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    body="ProfessionalIn",
    answers=(Answer(200, "The signal", ("SignalOut",)),),
    problems=_NO_SUCH_SIGNAL | _CHANGED_MEANWHILE,
)

ANSWER_MATCH = Operation(
    id="answer_match",
    method="PUT",
    path="/signals/{signal_id}/matches/{match_id}/answer",
    summary="Answer a match for this signal's side",
    description="The professional's answer: contact made, already in contact, no contact needed, or coordinating. "
    "The other professional and the regievoerder see it; the same answer again changes nothing.",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL | {"match_id": MATCH_ID},
    body="AnswerIn",
    answers=(Answer(200, "The answers of both sides", ("AnswerOut",)),),
    problems={404: "No match with this id of a signal of this organisation with this id"} | _CHANGED_MEANWHILE,
)

# Municipalities: the BSN only ever travels in request bodies ------------------------------------

_NOTHING_STORED = {404: "Nothing stored about this child that this municipality may see"}

SUBJECT_ACCESS = Operation(
    id="subject_access",
    method="POST",
    path="/subjects/access",
    summary="Everything stored about a child (access and copy)",
    callers=MUNICIPALITIES,
    query="AccessQuery",
    body="SubjectIn",
    answers=(
        Answer(
            200,
            "JSON, or with ?format=html a printable Dutch document for the family",
            ("SubjectAccessOut",),
            media_types=(JSON, HTML),
        ),
    ),
    problems=_NOTHING_STORED,
)

SUBJECT_RECTIFY = Operation(
    id="subject_rectify",
    method="POST",
    path="/subjects/rectify",
    summary="Correct the child's data on every signal",
    callers=MUNICIPALITIES,
    body="RectifyIn",
    answers=(Answer(200, "The corrected data", ("RectifiedOut",)),),
    problems=_NOTHING_STORED | _CHANGED_MEANWHILE,
)

SUBJECT_ERASE = Operation(
    id="subject_erase",
    method="POST",
    path="/subjects/erase",
    summary="Erase every signal of the child (objection or death)",
    callers=MUNICIPALITIES,
    body="EraseIn",
    answers=(Answer(200, "Erased", ("ErasedOut",)),),
    problems=_NOTHING_STORED | {409: "Being erased by another request, retry"},
)

LIST_MATCHES = Operation(
    id="list_matches",
    method="GET",
    path="/matches",
    summary="The matches this municipality's regievoerder follows up",
    callers=MUNICIPALITIES,
    query="MatchesQuery",
    answers=(Answer(200, "Matches, newest first", ("MatchesOut",)),),
)

MATCH_FOLLOW_UP = Operation(
    id="match_follow_up",
    method="POST",
    path="/matches/{match_id}/follow-up",
    summary="Record whether the professionals coordinated",
    callers=MUNICIPALITIES,
    path_parameters={"match_id": MATCH_ID},
    body="FollowUpIn",
    answers=(Answer(200, "The match", ("MunicipalMatchOut",)),),
    problems={404: "No match of this municipality with this id"} | _CHANGED_MEANWHILE,
)

REPORT = Operation(
    id="reports",
    method="GET",
    path="/reports",
    summary="Counts per period: a municipality its own, an administrator a region or the country",
    description='Every count under 5 is "<5"; a share that would reveal one is null.',
    callers=REPORTERS,
    query="ReportQuery",
    answers=(Answer(200, "The report", ("ReportOut",)),),
    problems={403: "A token of another kind, or a municipality asking for a region: region is for administrators"},
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
    ANSWER_MATCH,
    SUBJECT_ACCESS,
    SUBJECT_RECTIFY,
    SUBJECT_ERASE,
    LIST_MATCHES,
    MATCH_FOLLOW_UP,
    REPORT,
    HEALTH,
    OPENAPI,
)
