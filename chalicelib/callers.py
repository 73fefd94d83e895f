"""Who calls: the principal the authorizer resolved from a bearer token, and the certificate
API Gateway checked in the TLS handshake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Organisation, Principal, PrincipalKind


def principal_from(context: Mapping[str, Any] | None) -> Principal:
    """The principal the authorizer resolved; the authorizer itself never rejects, we do."""
    authorizer = (context or {}).get("authorizer") or {}
    if str(authorizer.get("authenticated")) != "true":
        raise Unauthenticated("a valid bearer token is required")
    organisation = None
    if authorizer.get("org_id"):
        organisation = Organisation(
            id=authorizer["org_id"],
            name=authorizer["org_name"],
            sector=authorizer["org_sector"],
            region=authorizer["org_region"],
            oin=authorizer.get("org_oin") or None,
        )
    return Principal(
        client_id=authorizer["client_id"],
        kind=PrincipalKind(authorizer["kind"]),
        organisation=organisation,
        municipality_code=authorizer.get("municipality_code") or None,
        region=authorizer.get("region") or None,
    )


def principal_context(principal: Principal) -> dict[str, str]:
    """What the authorizer hands to API Gateway: flat strings, as its context requires."""
    organisation = principal.organisation
    return {
        "authenticated": "true",
        "client_id": principal.client_id,
        "kind": principal.kind.value,
        "org_id": organisation.id if organisation else "",
        "org_name": organisation.name if organisation else "",
        "org_sector": organisation.sector if organisation else "",
        "org_region": organisation.region if organisation else "",
        "org_oin": (organisation.oin or "") if organisation else "",
        "municipality_code": principal.municipality_code or "",
        "region": principal.region or "",
    }


def client_certificate(context: Mapping[str, Any] | None) -> str | None:
    """The PEM of the client certificate API Gateway checked in the TLS handshake (mutual TLS only)."""
    identity = (context or {}).get("identity") or {}
    certificate = identity.get("clientCert") or {}
    pem = certificate.get("clientCertPem") if isinstance(certificate, Mapping) else None
    return pem if isinstance(pem, str) else None
