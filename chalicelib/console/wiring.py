"""Builds the console's services from the composition root's shared parts, lazily, once.

The console keeps its own small container so the API's composition root stays as it is; it takes
the clock, the AWS session and the settings from ``bootstrap.container()``. ``use()`` is the seam
for tests.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from chalicelib import bootstrap

if TYPE_CHECKING:
    from chalicelib.console.api_tokens import OrganisationTokenService
    from chalicelib.console.cognito import CognitoIdentityProvider
    from chalicelib.console.family import FamilyRequests
    from chalicelib.console.ports import ChildLookups, IdentityProvider, SessionStore
    from chalicelib.console.settings import ConsoleSettings
    from chalicelib.console.signin import SignInService
    from chalicelib.console.team import TeamService


class Console:
    def __init__(
        self,
        root: bootstrap.Container,
        settings: ConsoleSettings | None = None,
        identity: IdentityProvider | None = None,
        sessions: SessionStore | None = None,
        lookups: ChildLookups | None = None,
    ) -> None:
        self.root = root
        self._settings = settings
        self._identity = identity
        self._sessions = sessions
        self._lookups = lookups

    @cached_property
    def settings(self) -> ConsoleSettings:
        from chalicelib.console.settings import ConsoleSettings

        return self._settings or ConsoleSettings.from_environ()

    @cached_property
    def identity(self) -> IdentityProvider:
        return self._identity or self.cognito

    @cached_property
    def cognito(self) -> CognitoIdentityProvider:
        from chalicelib.console.cognito import CognitoIdentityProvider
        from chalicelib.console.tokens import TokenVerifier

        settings = self.settings
        verifier = TokenVerifier(settings.issuer, settings.client_id, settings.jwks_url)
        client = self.root._client("cognito-idp")
        return CognitoIdentityProvider(client, settings.user_pool_id, settings.client_id, verifier, self.root.clock.now)

    @cached_property
    def sessions(self) -> SessionStore:
        if self._sessions is not None:
            return self._sessions
        from chalicelib.console.sessions import DynamoDBSessionStore

        return DynamoDBSessionStore(self.root.dynamodb, self.root.settings.idempotency_table)

    @cached_property
    def sign_in(self) -> SignInService:
        from chalicelib.console.signin import SignInService

        return SignInService(self.identity, self.sessions, self.root.clock)

    @cached_property
    def team(self) -> TeamService:
        from chalicelib.console.team import TeamService

        return TeamService(self.identity, self.root.mailer, self.root.logbook, self.root.audit)

    @cached_property
    def api_tokens(self) -> OrganisationTokenService:
        from chalicelib.console.api_tokens import OrganisationTokenService

        root = self.root
        return OrganisationTokenService(root.registry, root.logbook, root.audit, root.clock)

    @cached_property
    def lookups(self) -> ChildLookups:
        if self._lookups is not None:
            return self._lookups
        from chalicelib.console.lookups import DynamoDBChildLookups

        return DynamoDBChildLookups(self.root.dynamodb, self.root.settings.idempotency_table)

    @cached_property
    def family(self) -> FamilyRequests:
        from chalicelib.console.family import FamilyRequests
        from chalicelib.services.family_document import names_in

        root = self.root
        return FamilyRequests(root.subjects, self.lookups, root.clock, names_in(root.registry))


_console: Console | None = None


def console() -> Console:
    """The console of the current composition root; rebuilt when tests install another root."""
    global _console
    root = bootstrap.container()
    if _console is None or _console.root is not root:
        _console = Console(root)
    return _console


def use(replacement: Console | None) -> None:
    """Install ``replacement`` with its composition root (or, with ``None``, start afresh); for tests."""
    global _console
    _console = replacement
    bootstrap.use(replacement.root if replacement is not None else None)
