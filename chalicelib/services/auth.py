"""Bearer tokens: issued once, stored only as a hash, resolved to a principal per request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Principal
from chalicelib.ports_registry import USE_RESOLUTION, TokenLookup

TOKEN_PREFIX = "vwi"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 cannot be reversed by guessing."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh ``(token_id, token)``; the id is public (for revocation), the token is secret."""
    token_id = secrets.token_hex(8)
    return token_id, f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(tokens: TokenLookup, authorization: str | None, now: datetime | None = None) -> Principal:
    """The principal of the bearer token; with ``now``, its use is recorded, at most once an hour.

    The common path is the one read: only when the token item shows no use in the last hour is
    one conditional write added (``TokenLookup.record_use``).
    """
    token = bearer_token(authorization)
    if token is None or len(token) > 200:
        raise Unauthenticated("missing or malformed bearer token")
    grant = tokens.token_by_hash(hash_token(token))
    if grant is None or not grant.active:
        raise Unauthenticated("unknown, revoked or suspended token")
    if now is not None and (grant.last_used is None or now - grant.last_used > USE_RESOLUTION):
        tokens.record_use(grant.token_hash, now)
    return grant.principal


def require_certificate_of(principal: Principal, certificate_pem: str | None) -> None:
    """With mutual TLS on, an organisation's token counts only with that organisation's certificate.

    API Gateway has already checked the certificate against the truststore; what is left is whose it
    is: the OIN in its subject must be the one the organisation was registered with.
    """
    from chalicelib.certificates import subject_oin

    if certificate_pem is None:
        raise Unauthenticated("a client certificate is required")
    organisation = principal.organisation
    if organisation is None:
        return
    if organisation.oin is None or subject_oin(certificate_pem) != organisation.oin:
        raise Unauthenticated("the client certificate is not this organisation's")
