"""People who sign in: their roles and whom they work for.

Each person belongs to exactly one municipality or one organisation, set by whoever invited them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The user pool's groups."""

    REGIEVOERDER = "regievoerder"
    PRIVACY_OFFICER = "privacy_officer"
    MUNICIPAL_ADMIN = "municipal_admin"
    PROFESSIONAL = "professional"
    ORG_ADMIN = "org_admin"
    ADMIN = "admin"


MUNICIPAL_ROLES = frozenset({Role.REGIEVOERDER, Role.PRIVACY_OFFICER, Role.MUNICIPAL_ADMIN})
ORGANISATION_ROLES = frozenset({Role.PROFESSIONAL, Role.ORG_ADMIN})

ROLE_LABELS = {
    Role.REGIEVOERDER: "Regievoerder",
    Role.PRIVACY_OFFICER: "Privacyfunctionaris",
    Role.MUNICIPAL_ADMIN: "Beheerder gemeente",
    Role.PROFESSIONAL: "Professional",
    Role.ORG_ADMIN: "Beheerder organisatie",
    Role.ADMIN: "Beheerder Verwijsindex",
}


@dataclass(frozen=True)
class Person:
    """A signed-in person, as the identity provider vouched for them.

    ``id`` is the provider's stable subject (Cognito's ``sub``); the username may change.
    """

    id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    municipality_code: str | None = None
    organisation_id: str | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles


def affiliation_problem(
    roles: frozenset[Role], municipality_code: str | None, organisation_id: str | None
) -> str | None:
    """Why this combination cannot be a person's, or ``None`` when it can."""
    if not roles:
        return "a person needs at least one role"
    if bool(municipality_code) == bool(organisation_id) and roles != {Role.ADMIN}:
        return "a person belongs to exactly one municipality or one organisation"
    if municipality_code and not roles <= MUNICIPAL_ROLES:
        return "people of a municipality have municipal roles only"
    if organisation_id and not roles <= ORGANISATION_ROLES:
        return "people of an organisation have organisation roles only"
    return None
