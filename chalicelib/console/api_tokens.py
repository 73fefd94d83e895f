"""An organisation's administrator and the API tokens of its case system: list, issue, revoke.

Issuing goes through the admin service the ops CLI uses (the token is returned once and stored
as a hash; the registry keeps the cap on active tokens in the same transaction). Only an
``org_admin`` of the organisation reaches its tokens; another organisation's token is unknown.
Issuing and revoking are logged under the person.
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain import text
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Principal
from chalicelib.domain.people import Role
from chalicelib.ports import Clock, Logbook
from chalicelib.ports_registry import AdminRegistry, OrganisationTokens, TokenGrant
from chalicelib.services import admin
from chalicelib.services.admin import IssuedToken
from chalicelib.services.audit import Audit

LABEL_LENGTH = 60


class TokenRegistry(AdminRegistry, OrganisationTokens, Protocol):
    """What the service needs of the registry: issuing and revoking, and an organisation's tokens."""


def _organisation(principal: Principal) -> str:
    person = principal.person
    if person is None or principal.organisation is None or not person.has(Role.ORG_ADMIN):
        raise NotFound("no tokens to manage")
    return principal.organisation.id


def label_of(value: str) -> str:
    """The label, normalised as every free text is; 1 to ``LABEL_LENGTH`` characters."""
    try:
        label = text.normalise(value)
    except ValueError:
        raise InvalidInput.single("label", "give visible text") from None
    if len(label) > LABEL_LENGTH:
        raise InvalidInput.single("label", f"give 1 to {LABEL_LENGTH} characters")
    return label


class OrganisationTokenService:
    def __init__(self, registry: TokenRegistry, logbook: Logbook, audit: Audit, clock: Clock) -> None:
        self._registry = registry
        self._logbook = logbook
        self._audit = audit
        self._clock = clock

    def tokens(self, principal: Principal) -> list[TokenGrant]:
        return self._registry.tokens_of(_organisation(principal))

    def issue(self, principal: Principal, label: str) -> IssuedToken:
        """A new token, shown to the administrator once; refused (``InvalidInput``) at the cap."""
        organisation_id = _organisation(principal)
        named = label_of(label)
        now = self._clock.now()
        issued = admin.issue_organisation_token(self._registry, organisation_id, now, named)
        self._logbook.append(self._audit.by(principal, now, Action.TOKEN_ISSUED, detail=f"{issued.token_id}: {named}"))
        return issued

    def revoke(self, principal: Principal, token_id: str) -> TokenGrant:
        held = {grant.token_id: grant for grant in self._registry.tokens_of(_organisation(principal))}
        grant = held.get(token_id)
        if grant is None:
            raise NotFound("no such token")
        if grant.active:
            self._registry.revoke_token(token_id)
            self._logbook.append(self._audit.by(principal, self._clock.now(), Action.TOKEN_REVOKED, detail=token_id))
        return grant
