"""What the console's services need from outside: an identity provider and a session store.

Cognito and DynamoDB adapters implement these (``cognito.py``, ``sessions.py``), and so do the
in-memory fakes in ``tests/fakes.py``; one contract suite per port runs against both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.model import Pseudonym
from chalicelib.domain.people import Person, Role


class SignInRejected(Exception):
    """Wrong username or password, an unknown or disabled account, or too many attempts.

    One exception for all of them: the page must not tell whether a username exists.
    """


class CodeRejected(Exception):
    """The six-digit code does not match."""


class PasswordRejected(Exception):
    """The new password does not meet the pool's policy."""


class ChallengeExpired(Exception):
    """The provider no longer knows this sign-in attempt: start again."""


class ChallengeKind(StrEnum):
    NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"  # noqa: S105 (a challenge name)
    ENROL_TOTP = "MFA_SETUP"
    TOTP = "SOFTWARE_TOKEN_MFA"


@dataclass(frozen=True)
class Challenge:
    """A sign-in that is under way: what the provider asks next, and its handle on the attempt."""

    kind: ChallengeKind
    username: str
    handle: str


@dataclass(frozen=True)
class Authenticated:
    """A completed sign-in: the person from a verified ID token, and the refresh token to revoke."""

    person: Person
    refresh_token: str


@dataclass(frozen=True)
class Invitation:
    username: str
    email: str
    display_name: str
    roles: frozenset[Role]
    municipality_code: str | None = None
    organisation_id: str | None = None


@dataclass(frozen=True)
class Account:
    """A person's account as their administrator sees it.

    ``last_modified`` is when the provider last changed the account (Cognito's
    ``UserLastModifiedDate``): choosing the first password and enrolling TOTP change it, a later
    sign-in does not.
    """

    person: Person
    email: str
    enabled: bool
    confirmed: bool
    last_modified: datetime


class IdentityProvider(Protocol):
    def sign_in(self, username: str, password: str) -> Challenge:
        """Check the password; every account has two factors, so a challenge always follows."""
        ...

    def set_new_password(self, challenge: Challenge, new_password: str) -> Challenge: ...

    def begin_enrolment(self, challenge: Challenge) -> tuple[str, Challenge]:
        """A new TOTP secret (base32) for the authenticator app, and the challenge to finish with."""
        ...

    def finish_enrolment(self, challenge: Challenge, code: str) -> Authenticated: ...

    def answer_code(self, challenge: Challenge, code: str) -> Authenticated: ...

    def revoke(self, refresh_token: str) -> None:
        """Revoke the refresh token (and what was issued with it); unknown tokens are ignored."""
        ...

    def invite(self, invitation: Invitation, temporary_password: str) -> None:
        """Create the account, which must choose its own password and enrol TOTP on first sign-in."""
        ...

    def people_of(self, municipality_code: str) -> list[Account]:
        """The accounts of people of the municipality, by display name."""
        ...

    def people_of_organisation(self, organisation_id: str) -> list[Account]:
        """The accounts of people of the organisation, by display name."""
        ...

    def account(self, username: str) -> Account | None: ...

    def disable(self, username: str) -> None:
        """Refuse the account's sign-ins and revoke its refresh tokens; an unknown username is ignored."""
        ...


@dataclass(frozen=True)
class ConsoleSession:
    """One browser's session, stored server-side; the cookie holds only a random secret.

    ``key`` is a hash of that secret, so the store never holds a usable cookie.
    """

    key: str
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    person: Person | None = None
    refresh_token: str | None = field(default=None, repr=False)
    challenge: Challenge | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)


class SessionStore(Protocol):
    def put(self, session: ConsoleSession, expires_at: datetime) -> None:
        """Store (or replace) the session; the store may drop it after ``expires_at``."""
        ...

    def get(self, key: str) -> ConsoleSession | None: ...

    def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class LookedUpChild:
    """The child a session looked up, by pseudonym (never the BSN); ``reference`` is a random
    token each form about the child carries back, so a form acts on the child it was shown for."""

    reference: str
    pseudonym: Pseudonym


class ChildLookups(Protocol):
    """The one child each session has looked up, beside the session itself."""

    def put(self, session_key: str, child: LookedUpChild, expires_at: datetime) -> None:
        """Store (or replace) the session's child; gone after ``expires_at``."""
        ...

    def get(self, session_key: str, now: datetime) -> LookedUpChild | None: ...

    def delete(self, session_key: str) -> None: ...
