"""Entities and value objects of the reference index.

The child's BSN is deliberately absent: once pseudonymised it never travels further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.people import Person


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "V"
    OTHER = "O"


class PrincipalKind(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"
    ADMIN = "admin"


class SignalStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class CloseReason(StrEnum):
    RISK_RESOLVED = "risk_resolved"
    UNJUSTIFIED = "unjustified"


class Verification(StrEnum):
    """How far a signal's child was checked against the population register (BRP)."""

    NOT_CHECKED = "not_checked"
    """The deployment runs without the register."""
    VERIFIED = "verified"
    PENDING = "pending"
    """The register could not be reached when the signal arrived; a queued recheck follows."""
    MISMATCHED = "mismatched"
    """The recheck found the register contradicting what was typed; the professional was told."""


class InformParty(StrEnum):
    PARENTS = "parents"
    CHILD = "child"


@dataclass(frozen=True, kw_only=True)
class Address:
    street: str
    house_number: int
    postcode: str
    city: str
    municipality_code: str
    house_letter: str | None = None
    house_number_suffix: str | None = None


@dataclass(frozen=True, kw_only=True)
class Child:
    given_names: str
    family_name: str
    birth_date: date
    gender: Gender
    address: Address
    family_name_prefix: str | None = None


@dataclass(frozen=True)
class Professional:
    name: str
    function: str
    email: str
    phone: str


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    sector: str
    region: str
    # Its Organisatie-identificatienummer (20 digits): with mutual TLS (Digikoppeling), its client
    # certificate must carry it.
    oin: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved from a bearer token by the authorizer, or from a console session."""

    client_id: str
    kind: PrincipalKind
    organisation: Organisation | None = None
    municipality_code: str | None = None
    # A municipality's region: its scope covers signals of organisations in that region.
    region: str | None = None
    # Who acts, when a person signed in to the console; a case system's token has none.
    person: Person | None = None


@dataclass(frozen=True)
class Pseudonym:
    """A keyed hash and the version of the key that made it."""

    value: str
    key_version: str


@dataclass(frozen=True, kw_only=True)
class Signal:
    """A professional's "I am involved with this child"; what it matched is read beside it
    (``chalicelib.domain.matching.SignalWithMatches``)."""

    id: str
    child_pseudonym: Pseudonym
    address_pseudonym: Pseudonym
    child: Child
    organisation: Organisation
    professional: Professional
    created_at: datetime
    active_until: date
    delete_after: date
    family_informed: bool
    inform: tuple[InformParty, ...]
    case_reference: str | None = None
    archived_on: date | None = None
    close_reason: CloseReason | None = None
    verification: Verification = Verification.NOT_CHECKED
    # Pseudonyms of the parents' BSNs as the BRP registers them (the same keyed hash as the child's),
    # kept only for the family match and deleted with the signal.
    parent_pseudonyms: tuple[Pseudonym, ...] = field(default=(), repr=False)
    # When a recheck verified it, for a signal accepted while the register was down: its family and
    # registered-address matches arise from that moment (``domain.matching.matchable_since``).
    rechecked_at: datetime | None = None
    # The Idempotency-Key it was created with, so deleting the signal also deletes that record.
    idempotency_key: str | None = field(default=None, compare=False, repr=False)
    # How often the stored signal was changed since it was registered. Every change is written on
    # condition that the version it was computed from is still the stored one, so a change made
    # meanwhile is never overwritten with older data.
    version: int = field(default=0, compare=False, repr=False)
