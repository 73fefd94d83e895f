"""The start page's tasks: each page the console offers, and the roles that give it."""

from __future__ import annotations

from chalicelib.domain.people import Role

# Every page the start page links to, with the roles that give it.
REPORT_READERS = frozenset({Role.REGIEVOERDER, Role.MUNICIPAL_ADMIN, Role.ADMIN})
PORTAL_USERS = frozenset({Role.PROFESSIONAL, Role.ORG_ADMIN})
TASKS: tuple[tuple[frozenset[Role], str, str, str | None], ...] = (
    (frozenset({Role.REGIEVOERDER}), "Matches", "de matches van uw gemeente en hun opvolging", "matches"),
    (
        frozenset({Role.PRIVACY_OFFICER}),
        "Verzoeken van de familie",
        "inzage, correctie en verwijdering",
        "verzoeken/zoeken",
    ),
    (frozenset({Role.MUNICIPAL_ADMIN}), "Collega's", "collega's uitnodigen en blokkeren", "collegas"),
    (REPORT_READERS, "Rapportage", "de periodieke rapportage in tabellen en grafieken", "rapportage"),
    (PORTAL_USERS, "Uw matches", "de matches van uw organisatie zien en beantwoorden", "portaal"),
    (PORTAL_USERS, "Nieuwe melding", "een kind met de hand melden", "portaal/melden"),
    (PORTAL_USERS, "Mijn meldingen", "de meldingen van uw organisatie: afsluiten en overdragen", "portaal/meldingen"),
    (frozenset({Role.ORG_ADMIN}), "Collega's", "collega's uitnodigen en blokkeren", "portaal/beheer/collegas"),
    (
        frozenset({Role.ORG_ADMIN}),
        "API-sleutels",
        "sleutels voor uw systeem uitgeven en intrekken",
        "portaal/beheer/sleutels",
    ),
)
