"""The sectors an organisation can belong to: data, not scattered strings."""

from __future__ import annotations

from typing import Final

SECTORS: Final[dict[str, str]] = {
    "huisarts": "Huisartsenzorg",
    "jgz": "Jeugdgezondheidszorg",
    "onderwijs": "Onderwijs",
    "kinderopvang": "Kinderopvang",
    "leerplicht": "Leerplicht",
    "veilig_thuis": "Veilig Thuis",
    "wijkteam": "Wijkteam / buurtteam",
    "jeugdhulp": "Jeugdhulp",
    "jeugdbescherming": "Jeugdbescherming",
    "jeugdreclassering": "Jeugdreclassering",
    "ggz": "Geestelijke gezondheidszorg",
    "verslavingszorg": "Verslavingszorg",
    "maatschappelijk_werk": "Maatschappelijk werk",
    "jongerenwerk": "Jongerenwerk",
    "halt": "Halt",
    "politie": "Politie",
    "verloskunde": "Verloskunde",
    "kraamzorg": "Kraamzorg",
    "schuldhulpverlening": "Schuldhulpverlening",
    "zorg_voor_jeugd_overig": "Overige zorg voor jeugd",
}


def is_known_sector(code: str) -> bool:
    return code in SECTORS
