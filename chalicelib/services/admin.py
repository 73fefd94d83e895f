"""Registering organisations, municipalities, tokens and excluded addresses (the admin CLI)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import validation
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.domain.pseudonyms import Pseudonymiser
from chalicelib.domain.sectors import SECTORS, is_known_sector
from chalicelib.ports_registry import AdminRegistry, TokenGrant
from chalicelib.services.auth import hash_token, new_token

# The Organisatie-identificatienummer that PKIoverheid certificates carry (Digikoppeling).
_OIN = re.compile(r"[0-9]{20}")


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str


def _require_text(field: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > 200:
        raise InvalidInput.single(field, "give 1 to 200 characters")
    return value


def _region(value: str) -> str:
    value = value.strip().lower()
    if not value or len(value) > 60 or not all(c.isalnum() or c in "-_" for c in value):
        raise InvalidInput.single("region", "use letters, digits, - or _")
    return value


def _issue(registry: AdminRegistry, principal_for: Principal, now: datetime, label: str | None = None) -> IssuedToken:
    token_id, token = new_token()
    grant = TokenGrant(
        token_id=token_id, token_hash=hash_token(token), principal=principal_for, active=True, label=label
    )
    registry.put_token(grant, now)
    return IssuedToken(token_id, token)


def create_organisation(
    registry: AdminRegistry, name: str, sector: str, region: str, now: datetime, oin: str | None = None
) -> tuple[Organisation, IssuedToken]:
    if not is_known_sector(sector):
        raise InvalidInput.single("sector", "unknown sector; one of " + ", ".join(SECTORS))
    if oin is not None and _OIN.fullmatch(oin) is None:
        raise InvalidInput.single("oin", "an OIN has 20 digits")
    organisation = Organisation(
        id=f"org_{secrets.token_hex(6)}",
        name=_require_text("name", name),
        sector=sector,
        region=_region(region),
        oin=oin,
    )
    registry.put_organisation(organisation, now)
    return organisation, issue_organisation_token(registry, organisation.id, now)


def issue_organisation_token(
    registry: AdminRegistry, organisation_id: str, now: datetime, label: str | None = None
) -> IssuedToken:
    """A new token for the organisation's case system; ``label`` names it on the administrator's page."""
    organisation = registry.get_organisation(organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    principal = Principal(client_id=f"{organisation.id}", kind=PrincipalKind.ORGANISATION, organisation=organisation)
    return _issue(registry, principal, now, label)


def create_municipality(
    registry: AdminRegistry,
    code: str,
    name: str,
    region: str,
    regievoerder_email: str | None,
    now: datetime,
) -> IssuedToken:
    if not validation.is_valid_municipality_code(code):
        raise InvalidInput.single("code", "not the four-digit CBS code of a current municipality")
    if regievoerder_email is not None and not validation.is_valid_email(regievoerder_email):
        raise InvalidInput.single("regievoerder_email", "not a valid e-mail address")
    registry.put_municipality(code, _require_text("name", name), _region(region), regievoerder_email, now)
    return issue_municipality_token(registry, code, now)


def issue_municipality_token(registry: AdminRegistry, code: str, now: datetime) -> IssuedToken:
    municipality = registry.get_municipality(code)
    if municipality is None:
        raise NotFound(f"no municipality {code}")
    principal = Principal(
        client_id=f"gm{code}",
        kind=PrincipalKind.MUNICIPALITY,
        municipality_code=code,
        region=str(municipality["region"]),
    )
    return _issue(registry, principal, now)


def issue_admin_token(registry: AdminRegistry, name: str, now: datetime) -> IssuedToken:
    client = _region(name)
    principal = Principal(client_id=f"admin_{client}", kind=PrincipalKind.ADMIN)
    return _issue(registry, principal, now)


def add_excluded_address(
    registry: AdminRegistry,
    pseudonymiser: Pseudonymiser,
    postcode: str,
    house_number: int,
    house_letter: str | None,
    house_number_suffix: str | None,
    now: datetime,
) -> bool:
    try:
        normalised = validation.normalise_postcode(postcode)
    except ValueError as exc:
        raise InvalidInput.single("postcode", str(exc)) from exc
    if not 1 <= house_number <= 99999:
        raise InvalidInput.single("house_number", "between 1 and 99999")
    if house_letter is not None and not validation.is_valid_house_letter(house_letter):
        raise InvalidInput.single("house_letter", "a single letter")
    if house_number_suffix is not None and not validation.is_valid_house_number_suffix(house_number_suffix):
        raise InvalidInput.single("suffix", "one to four letters or digits")
    pseudonym = pseudonymiser.address_parts(normalised, house_number, house_letter, house_number_suffix)
    return registry.add_excluded_address(pseudonym.value, pseudonym.key_version, now)
