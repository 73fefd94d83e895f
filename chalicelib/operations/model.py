"""What a declaration says: the operation, its answers, headers and links, and the problems it implies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.model import PrincipalKind

# The full version in every response's API-Version header; the major one is the base path.
API_VERSION = "1.3.0"
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


# Read-modify-write operations retry on fresh data a few times before giving up with this.
CHANGED_MEANWHILE = {409: "Changed meanwhile by another request, retry"}
