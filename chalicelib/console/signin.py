"""Signing in with password and TOTP, and keeping the session it gives.

A browser first gets an anonymous session (it carries the CSRF token of the sign-in form and the
sign-in attempt while it is under way). A completed sign-in replaces it with a new session under a
new cookie, so a cookie planted before sign-in is worth nothing after it. Sessions end after 15
idle minutes or 10 hours in all, whichever comes first; signing out revokes the refresh token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from chalicelib.console.ports import (
    Authenticated,
    Challenge,
    ChallengeExpired,
    ChallengeKind,
    ConsoleSession,
    IdentityProvider,
    SessionStore,
)
from chalicelib.ports import Clock

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=10)


class NotSignedIn(Exception):
    """No session, or one that is not signed in (yet)."""


class SessionExpired(NotSignedIn):
    """The session ran past its idle or absolute timeout."""


class CsrfRejected(Exception):
    """A form came back without this session's token."""


class WrongStep(Exception):
    """The page does not belong to where this sign-in is (e.g. the code page before the password)."""


def session_key(cookie: str) -> str:
    """What the store keys a session by: a hash, so the store never holds a usable cookie."""
    return hashlib.sha256(cookie.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Opened:
    session: ConsoleSession
    cookie: str | None
    """A new cookie value to set, or ``None`` when the browser's cookie still holds."""


class SignInService:
    def __init__(
        self,
        identity: IdentityProvider,
        sessions: SessionStore,
        clock: Clock,
        secret: Callable[[], str] = new_secret,
    ) -> None:
        self._identity = identity
        self._sessions = sessions
        self._clock = clock
        self._secret = secret

    # Sessions --------------------------------------------------------------------------------

    def _save(self, session: ConsoleSession) -> None:
        expires_at = min(session.last_seen + IDLE_TIMEOUT, session.created_at + ABSOLUTE_TIMEOUT)
        self._sessions.put(session, expires_at)

    def _new(self, **fields: object) -> Opened:
        cookie = self._secret()
        now = self._clock.now()
        session = ConsoleSession(
            key=session_key(cookie),
            csrf_token=self._secret(),
            created_at=now,
            last_seen=now,
            **fields,  # type: ignore[arg-type]
        )
        self._save(session)
        return Opened(session, cookie)

    def current(self, cookie: str | None) -> ConsoleSession | None:
        """The live session behind ``cookie``, its idle timer restarted; ``SessionExpired`` when it ran out."""
        if not cookie or len(cookie) > 100:
            return None
        session = self._sessions.get(session_key(cookie))
        if session is None:
            return None
        now = self._clock.now()
        if now - session.last_seen > IDLE_TIMEOUT or now - session.created_at > ABSOLUTE_TIMEOUT:
            self._end(session)
            raise SessionExpired("session timed out")
        touched = replace(session, last_seen=now)
        self._save(touched)
        return touched

    def open(self, cookie: str | None) -> Opened:
        """The browser's session, or a new anonymous one (after a timeout too)."""
        try:
            session = self.current(cookie)
        except SessionExpired:
            session = None
        return Opened(session, None) if session is not None else self._new()

    def signed_in(self, cookie: str | None) -> ConsoleSession:
        session = self.current(cookie)
        if session is None or session.person is None:
            raise NotSignedIn("not signed in")
        return session

    @staticmethod
    def check_csrf(session: ConsoleSession, token: str | None) -> None:
        if not token or not hmac.compare_digest(session.csrf_token.encode(), token.encode()):
            raise CsrfRejected("form token missing or wrong")

    def _end(self, session: ConsoleSession) -> None:
        if session.refresh_token:
            self._identity.revoke(session.refresh_token)
        self._sessions.delete(session.key)

    def sign_out(self, session: ConsoleSession) -> None:
        self._end(session)

    # Signing in ------------------------------------------------------------------------------

    def _expect(self, session: ConsoleSession, kind: ChallengeKind) -> Challenge:
        if session.challenge is None or session.challenge.kind is not kind:
            raise WrongStep("not at this step of signing in")
        return session.challenge

    def _continue(self, session: ConsoleSession, challenge: Challenge) -> ConsoleSession:
        secret = None
        if challenge.kind is ChallengeKind.ENROL_TOTP:
            secret, challenge = self._identity.begin_enrolment(challenge)
        updated = replace(session, challenge=challenge, totp_secret=secret)
        self._save(updated)
        return updated

    def _abandon(self, session: ConsoleSession) -> None:
        self._save(replace(session, challenge=None, totp_secret=None))

    def password(self, session: ConsoleSession, username: str, password: str) -> ConsoleSession:
        """Check the password; the session then holds the step that comes next."""
        return self._continue(session, self._identity.sign_in(username, password))

    def new_password(self, session: ConsoleSession, new_password: str) -> ConsoleSession:
        challenge = self._expect(session, ChallengeKind.NEW_PASSWORD)
        try:
            return self._continue(session, self._identity.set_new_password(challenge, new_password))
        except ChallengeExpired:
            self._abandon(session)
            raise

    def enrol(self, session: ConsoleSession, code: str) -> Opened:
        challenge = self._expect(session, ChallengeKind.ENROL_TOTP)
        return self._finish(session, lambda: self._identity.finish_enrolment(challenge, code))

    def code(self, session: ConsoleSession, code: str) -> Opened:
        challenge = self._expect(session, ChallengeKind.TOTP)
        return self._finish(session, lambda: self._identity.answer_code(challenge, code))

    def _finish(self, session: ConsoleSession, complete: Callable[[], Authenticated]) -> Opened:
        try:
            authenticated = complete()
        except ChallengeExpired:
            self._abandon(session)
            raise
        self._sessions.delete(session.key)
        return self._new(person=authenticated.person, refresh_token=authenticated.refresh_token)
