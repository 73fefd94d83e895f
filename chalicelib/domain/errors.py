"""Domain errors; the HTTP layer maps each to one problem+json response."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error the application raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidInput(DomainError):
    """Well-formed input that breaks a rule (HTTP 422)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field_name: str, message: str) -> InvalidInput:
        return cls([FieldError(field_name, message)])


class Unauthenticated(DomainError):
    """No valid token (HTTP 401)."""


class Forbidden(DomainError):
    """A valid token of the wrong kind (HTTP 403)."""


class NotFound(DomainError):
    """Absent, or owned by another organisation: the two are indistinguishable (HTTP 404)."""


@dataclass
class DuplicateActiveSignal(DomainError):
    """The organisation already has an active signal for this child (HTTP 409)."""

    signal_id: str

    def __str__(self) -> str:
        return "this organisation already has an active signal for this child"


@dataclass
class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key was reused with a different request body (HTTP 422)."""

    detail: str = field(default="the Idempotency-Key was already used with a different body")

    def __str__(self) -> str:
        return self.detail


class Conflict(DomainError):
    """A concurrent change won; the client may retry (HTTP 409)."""
