"""Haal Centraal BRP Personen v2: the request for each use, and the answer as registered persons.

Each use asks a fixed, minimal list of ``fields`` (RvIG authorises a consumer per field, and every
field asked is personal data fetched): ``docs/brp.md`` gives the Jeugdwet article for each.
``opschortingBijhouding`` is never asked; the API sends it unasked, and reason ``O`` means deceased.

The search by family name and birth date (``ZoekMetGeslachtsnaamEnGeboortedatum``, the deceased
included) asks for the ``burgerservicenummer`` only: the caller pseudonymises each and keeps the one
that is the child (``services/register_ask.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from chalicelib.domain.population import (
    MAX_BATCH,
    NameSearch,
    RegisteredAddress,
    RegisteredPerson,
    RegisterUse,
)

QUERY_TYPE = "RaadpleegMetBurgerservicenummer"
SEARCH_TYPE = "ZoekMetGeslachtsnaamEnGeboortedatum"
SEARCH_FIELDS = ["burgerservicenummer"]
# The problem code of a search that found more persons than the API hands out.
TOO_MANY = "tooManyResults"
_ADDRESS = [
    "verblijfplaats.verblijfadres.postcode",
    "verblijfplaats.verblijfadres.huisnummer",
    "verblijfplaats.verblijfadres.huisletter",
    "verblijfplaats.verblijfadres.huisnummertoevoeging",
    "gemeenteVanInschrijving",
]
FIELDS: dict[RegisterUse, list[str]] = {
    RegisterUse.VERIFY: [
        "burgerservicenummer",
        "naam.voorvoegsel",
        "naam.geslachtsnaam",
        "geboorte.datum",
        *_ADDRESS,
        "ouders.burgerservicenummer",
    ],
    RegisterUse.FOLLOW: ["burgerservicenummer", *_ADDRESS, "overlijden.datum"],
}
DECEASED = "O"


def batches(bsns: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(bsns))
    return [unique[start : start + MAX_BATCH] for start in range(0, len(unique), MAX_BATCH)]


def query(bsns: Sequence[str], use: RegisterUse) -> dict[str, Any]:
    if not 1 <= len(bsns) <= MAX_BATCH:
        raise ValueError(f"ask 1 to {MAX_BATCH} BSNs at a time")
    return {"type": QUERY_TYPE, "burgerservicenummer": list(bsns), "fields": FIELDS[use]}


def search(query: NameSearch) -> dict[str, Any]:
    return {
        "type": SEARCH_TYPE,
        "geslachtsnaam": query.family_name,
        "geboortedatum": query.birth_date.isoformat(),
        "inclusiefOverledenPersonen": True,
        "fields": SEARCH_FIELDS,
    }


def found(document: Any) -> list[str]:
    """The BSNs of a search's 200 answer (none found: the list may be absent)."""
    if not isinstance(document, dict) or document.get("type") != SEARCH_TYPE:
        raise ValueError("not a ZoekMetGeslachtsnaamEnGeboortedatum answer")
    bsns = (entry.get("burgerservicenummer") for entry in document.get("personen") or [] if isinstance(entry, dict))
    return list(dict.fromkeys(bsn for bsn in bsns if isinstance(bsn, str)))


def persons(document: Any) -> list[RegisteredPerson]:
    """The persons of a 200 answer; an unknown BSN has no entry (the list may be absent)."""
    if not isinstance(document, dict) or document.get("type") != QUERY_TYPE:
        raise ValueError("not a RaadpleegMetBurgerservicenummer answer")
    return [_person(entry) for entry in document.get("personen") or [] if entry.get("burgerservicenummer")]


def _person(entry: dict[str, Any]) -> RegisteredPerson:
    name = entry.get("naam") or {}
    suspension = ((entry.get("opschortingBijhouding") or {}).get("reden") or {}).get("code")
    died_on = _date((entry.get("overlijden") or {}).get("datum"))
    return RegisteredPerson(
        bsn=entry["burgerservicenummer"],
        family_name=name.get("geslachtsnaam"),
        family_name_prefix=name.get("voorvoegsel"),
        birth_date=_date((entry.get("geboorte") or {}).get("datum")),
        address=_address(entry.get("verblijfplaats")),
        municipality_code=(entry.get("gemeenteVanInschrijving") or {}).get("code"),
        parent_bsns=tuple(
            parent["burgerservicenummer"] for parent in entry.get("ouders") or [] if parent.get("burgerservicenummer")
        ),
        deceased=suspension == DECEASED or died_on is not None,
        died_on=died_on,
    )


def _date(value: Any) -> date | None:
    """A full date (type ``Datum``); a partly unknown one agrees with no typed date."""
    if isinstance(value, dict) and value.get("type") == "Datum" and value.get("datum"):
        return date.fromisoformat(value["datum"])
    return None


def _address(place: Any) -> RegisteredAddress | None:
    if not isinstance(place, dict):
        return None
    address = place.get("verblijfadres") or {}
    if not address.get("postcode") or not address.get("huisnummer"):
        return None
    return RegisteredAddress(
        postcode=str(address["postcode"]).replace(" ", "").upper(),
        house_number=int(address["huisnummer"]),
        house_letter=address.get("huisletter"),
        house_number_suffix=address.get("huisnummertoevoeging"),
    )
