"""The stand-in's ``ZoekMetGeslachtsnaamEnGeboortedatum``: the search by family name and birth date,
with the real API's rules (its ``features/`` in BRP-API/Haal-Centraal-BRP-bevragen):

- ``geslachtsnaam`` is the family name without its prefix, compared without case; without
  diacritics unless the search has some; a trailing ``*`` (after at least 3 characters) is a wildcard;
- ``voorvoegsel``, ``voornamen`` (a trailing ``*`` allowed) and ``geslacht`` narrow it when given;
- a deceased person (``opschortingBijhouding`` reason ``O``) is found only with
  ``inclusiefOverledenPersonen: true``; one suspended as ``F`` (error) or ``W`` (erased) never is;
- more than ten found is refused: 400 ``tooManyResults``;
- each person found is a ``PersoonBeperkt``, trimmed to the ``fields`` asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Any

SEARCH_TYPE = "ZoekMetGeslachtsnaamEnGeboortedatum"
MAX_FOUND = 10
# The top-level fields of PersoonBeperkt that ``fields`` may name.
LIMITED_FIELDS = frozenset({"burgerservicenummer", "geboorte", "geslacht", "leeftijd", "naam", "adressering"})
NAME = re.compile(r"[a-zA-Z0-9À-ž .'-]{1,200}|[a-zA-Z0-9À-ž .'-]{3,199}[*]")
GIVEN_NAMES = re.compile(r"[a-zA-Z0-9À-ž .'-]{1,199}[*]?")
PREFIX = re.compile(r"[a-zA-Z ']{1,10}")
GENDER = re.compile(r"[MmVvOo]")
NEVER_FOUND = frozenset({"F", "W"})


def invalid_search(body: dict[str, Any]) -> list[dict[str, str]]:
    """The ``invalidParams`` of a malformed search; empty when it may be asked."""
    problems = []
    checks = (("geslachtsnaam", NAME, True), ("voorvoegsel", PREFIX, False), ("voornamen", GIVEN_NAMES, False))
    for name, pattern, required in (*checks, ("geslacht", GENDER, False)):
        value = body.get(name)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.append({"name": name, "code": "pattern", "reason": "Waarde voldoet niet aan patroon."})
    if _day(body.get("geboortedatum")) is None:
        problems.append({"name": "geboortedatum", "code": "date", "reason": "Waarde is geen geldige datum."})
    if not isinstance(body.get("inclusiefOverledenPersonen", False), bool):
        problems.append({"name": "inclusiefOverledenPersonen", "code": "boolean", "reason": "Waarde is geen boolean."})
    return problems + invalid_fields(body.get("fields"), LIMITED_FIELDS)


def invalid_fields(fields: Any, known: Collection[str]) -> list[dict[str, str]]:
    """The ``fields`` parameter's problems, as every query type answers them: a non-empty list of
    field paths, each under a field the answer's person type knows."""
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        return [{"name": "fields", "code": "array", "reason": "Parameter is verplicht."}]
    if any(f.split(".")[0] not in known for f in fields):
        return [{"name": "fields", "code": "fields", "reason": "Parameter bevat een niet bestaand veld."}]
    return []


def matches(person: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether ``person`` answers the (valid) search ``body``."""
    reason = ((person.get("opschortingBijhouding") or {}).get("reden") or {}).get("code")
    if reason in NEVER_FOUND or (reason == "O" and body.get("inclusiefOverledenPersonen") is not True):
        return False
    name = person.get("naam") or {}
    born = ((person.get("geboorte") or {}).get("datum") or {}).get("datum")
    if born != body["geboortedatum"] or not _text_matches(name.get("geslachtsnaam"), body["geslachtsnaam"]):
        return False
    prefix = body.get("voorvoegsel")
    if prefix is not None and (name.get("voorvoegsel") or "").casefold() != prefix.casefold():
        return False
    given = body.get("voornamen")
    if given is not None and not _text_matches(name.get("voornamen"), given):
        return False
    gender = body.get("geslacht")
    registered = str((person.get("geslacht") or {}).get("code") or "")
    return gender is None or registered.upper() == str(gender).upper()


def _text_matches(value: Any, asked: str) -> bool:
    if not isinstance(value, str):
        return False
    wildcard = asked.endswith("*")
    asked = asked.removesuffix("*").casefold()
    registered: str = value.casefold()
    if _plain(asked) == asked:  # no diacritics asked: they do not count
        registered = _plain(registered)
    return registered.startswith(asked) if wildcard else registered == asked


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None
