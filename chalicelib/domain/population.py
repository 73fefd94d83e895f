"""The population register (BRP) as the reference index sees it: a registered person, and whether
what a professional typed agrees with it.

A registered person carries BSNs (its own and its parents'), so it lives only while a request or
a nightly check runs: the BSNs are turned into pseudonyms before anything is stored, and nothing
else of it is kept beyond the child data the signal already holds.

The port (``ports.PopulationRegister.persons``) answers, by BSN, those of the BSNs asked that the
register knows, asking at most ``MAX_BATCH`` per request; an unknown BSN is simply absent. It raises
``RegisterUnavailable`` when the register cannot be asked.

Names are compared as people type them: case, diacritics, spacing and apostrophes do not count,
and the prefix (``den``, ``van 't``) may be typed in its own field or in front of the family name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chalicelib.domain.errors import DomainError, FieldError
from chalicelib.domain.model import Child

# The Haal Centraal API answers at most 20 BSNs per request.
MAX_BATCH = 20

FAMILY_NAME_FIELD = "child.family_name"
BIRTH_DATE_FIELD = "child.birth_date"
BSN_FIELD = "child.bsn"
# The messages never repeat what the register holds: the professional learns that it differs, not how.
NOT_REGISTERED = "is not known in the population register (BRP)"
NOT_LIVING = "cannot be signalled according to the population register (BRP)"
DIFFERS = "does not agree with the population register (BRP)"


class RegisterUse(StrEnum):
    """Why the register is asked: each use asks for its own fixed, minimal set of fields."""

    VERIFY = "verify"
    """A new signal: does the child exist, do name and birth date agree, where do they live, who
    are the parents (for the family match)."""
    FOLLOW = "follow"
    """The nightly check of children with active signals: did they move or die."""


class RegisterUnavailable(DomainError):
    """The register could not be asked (down, slow, refused us): try again later."""


@dataclass(frozen=True, kw_only=True)
class RegisteredAddress:
    """The registered dwelling: exactly what address matching uses, nothing more."""

    postcode: str
    house_number: int
    house_letter: str | None = None
    house_number_suffix: str | None = None


@dataclass(frozen=True, kw_only=True)
class RegisteredPerson:
    """What the register answered about one BSN, for one use: fields it was not asked are ``None``."""

    bsn: str
    family_name: str | None = None
    family_name_prefix: str | None = None
    birth_date: date | None = None
    address: RegisteredAddress | None = None
    """The registered address in the Netherlands; ``None`` when abroad or unknown."""
    municipality_code: str | None = None
    """The municipality of registration (``gemeenteVanInschrijving``)."""
    parent_bsns: tuple[str, ...] = ()
    deceased: bool = False
    died_on: date | None = None


def _letters(text: str) -> str:
    """``text`` without case, diacritics, spaces, apostrophes and hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in kept if c.isalnum())


def full_family_name(prefix: str | None, family_name: str) -> str:
    return _letters(f"{prefix or ''}{family_name}")


def same_family_name(child: Child, person: RegisteredPerson) -> bool:
    if person.family_name is None:
        return False
    typed = full_family_name(child.family_name_prefix, child.family_name)
    return typed == full_family_name(person.family_name_prefix, person.family_name)


def disagreements(child: Child, person: RegisteredPerson | None) -> list[FieldError]:
    """What the professional typed that the register contradicts; empty when it agrees."""
    if person is None:
        return [FieldError(BSN_FIELD, NOT_REGISTERED)]
    if person.deceased:
        return [FieldError(BSN_FIELD, NOT_LIVING)]
    errors: list[FieldError] = []
    if not same_family_name(child, person):
        errors.append(FieldError(FAMILY_NAME_FIELD, DIFFERS))
    if person.birth_date != child.birth_date:
        errors.append(FieldError(BIRTH_DATE_FIELD, DIFFERS))
    return errors


# The Haal Centraal search by family name and birth date answers at most this many persons; more is
# refused (400 ``tooManyResults``).
MAX_FOUND = 10
# The search's family name (``GeslachtsnaamFilter``): letters, digits, space, dot, hyphen, apostrophe.
SEARCH_NAME = re.compile(r"[a-zA-Z0-9À-ž .'-]{1,200}")
# Prefixes typed in front of the family name (the search wants the name without them).
_PREFIX_WORDS = frozenset(
    {"van", "de", "den", "der", "het", "'t", "t", "ter", "ten", "te", "in", "op", "la", "le", "du", "da", "di", "d'"}
)


class TooManyFound(DomainError):
    """The search found more persons than the register hands out: this child cannot be picked out."""


@dataclass(frozen=True)
class NameSearch:
    """Who to look for by name: the family name without its prefix, and the birth date (the
    deceased included). What comes back is only BSNs; the caller keeps the one that is the child."""

    family_name: str
    birth_date: date


def searches(child: Child) -> list[NameSearch]:
    """The searches that may find ``child`` as typed: the family name as typed and, when a prefix was
    typed in front of it, without that prefix; only names the search accepts."""
    typed = " ".join(child.family_name.replace("\u2019", "'").split())
    words = typed.split(" ")
    while len(words) > 1 and words[0].casefold() in _PREFIX_WORDS:
        words = words[1:]
    names = [" ".join(words), typed]
    return [NameSearch(name, child.birth_date) for name in dict.fromkeys(names) if SEARCH_NAME.fullmatch(name)]
