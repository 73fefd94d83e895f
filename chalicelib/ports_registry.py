"""The registry's ports: organisations, municipalities and tokens, for the admin CLI and the authorizer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.errors import DomainError
from chalicelib.domain.model import Organisation, Principal

# A suspension stops the organisation and all its active tokens in one transaction, so their number
# is bounded by the transaction limit: 100 actions on DynamoDB, 25 on moto 5.2.5. 24 active tokens
# (one per case system, with room to rotate) fit both.
MAX_ACTIVE_TOKENS = 24


class AlreadyRegistered(DomainError):
    """An organisation, municipality or token with this key exists already."""


@dataclass(frozen=True)
class TokenGrant:
    """A stored token: only its hash is kept; ``principal`` is what it authenticates as."""

    token_id: str
    token_hash: str
    principal: Principal
    active: bool
    label: str | None = None
    created_at: datetime | None = None
    # When the token last authenticated a request, to the hour (``USE_RESOLUTION``); None: never.
    last_used: datetime | None = None


# The last use of a token is written at most once per this interval, so the authorizer's common
# path stays one read.
USE_RESOLUTION = timedelta(hours=1)


class TokenLookup(Protocol):
    def token_by_hash(self, token_hash: str) -> TokenGrant | None: ...

    def record_use(self, token_hash: str, at: datetime) -> None:
        """Set the token's ``last_used`` to ``at`` unless it is at most ``USE_RESOLUTION`` older
        already (a conditional write; a refusal or an unknown token is no error)."""
        ...


class OrganisationTokens(Protocol):
    def tokens_of(self, organisation_id: str) -> list[TokenGrant]:
        """Every token the organisation holds, active or not, newest first."""
        ...


class AdminRegistry(Protocol):
    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None: ...

    def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    def suspend_organisation(self, organisation_id: str) -> int:
        """Stop the organisation and all its active tokens at once; returns how many stopped."""
        ...

    def put_municipality(
        self, code: str, name: str, region: str, regievoerder_email: str | None, created_at: datetime
    ) -> None: ...

    def get_municipality(self, code: str) -> dict[str, object] | None: ...

    def put_token(self, grant: TokenGrant, created_at: datetime) -> None:
        """Store a token, held by whom ``grant.principal`` names: an organisation's only while the
        organisation is active and holds fewer than ``MAX_ACTIVE_TOKENS`` active tokens, checked
        atomically with the write (``InvalidInput`` on field ``organisation`` otherwise): a check made
        before would leave a window in which a suspension misses the new token."""
        ...

    def revoke_token(self, token_id: str) -> None: ...

    def add_excluded_address(self, address_pseudonym: str, key_version: str, created_at: datetime) -> bool: ...
