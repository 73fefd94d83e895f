"""The family's words: every code the index keeps, as Dutch that parents can read.

One mapping for every place the family reads their child's data: the API's printable copy and the
console's access overview. A line the mapping does not know reads as its action alone, never as
the code behind it. The portal's professionals read a signal's check against the population
register (BRP) in the same plain Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Verification

# Who acted when no person and no organisation did: the index's own functions.
SYSTEM_CLIENTS = frozenset({"match-function", "lifecycle-job"})
SYSTEM = "de Verwijsindex zelf (automatisch)"
OPS = "het beheer van de Verwijsindex"
UNKNOWN_ORGANISATION = "een organisatie die niet meer is aangesloten"

ACTIONS: Mapping[Action, str] = {
    Action.SIGNAL_CREATED: "Melding gedaan",
    Action.SIGNAL_READ: "Melding bekeken",
    Action.SIGNALS_LISTED: "Lijst van meldingen bekeken",
    Action.SIGNAL_ARCHIVED: "Melding gearchiveerd",
    Action.SIGNAL_DELETED: "Melding verwijderd",
    Action.SIGNAL_HANDED_OVER: "Melding overgedragen aan een andere professional",
    Action.NOTIFICATION_SENT: "Bericht verstuurd",
    Action.SUBJECT_LOOKED_UP: "Kind opgezocht voor een verzoek van de familie",
    Action.SUBJECT_ACCESSED: "Overzicht voor de familie bekeken (inzage)",
    Action.SUBJECT_RECTIFIED: "Gegevens van het kind gecorrigeerd",
    Action.SUBJECT_ERASED: "Alle meldingen over het kind verwijderd",
    Action.MATCHES_LISTED: "Lijst van matches bekeken",
    Action.MATCH_FOLLOWED_UP: "Opvolging van een match vastgelegd",
    Action.MATCH_READ: "Match bekeken",
    Action.MATCH_ANSWERED: "Match beantwoord door de professional",
    Action.PERSON_INVITED: "Collega uitgenodigd",
    Action.PERSON_DISABLED: "Account van een collega geblokkeerd",
    Action.TOKEN_ISSUED: "API-sleutel voor het systeem van de organisatie uitgegeven",
    Action.TOKEN_REVOKED: "API-sleutel van de organisatie ingetrokken",
    Action.REPORT_READ: "Rapportage bekeken",
}

# Whom a notification went to, by the first word of its logbook detail (the audience).
NOTIFICATIONS: Mapping[str, str] = {
    "new_signal_owner": "aan de professional die de melding deed: er is een match",
    "matched_owner": "aan de professional van een andere melding: er is een nieuwe match",
    "regievoerder": "aan de regievoerder van de gemeente: er is een match",
    "archived_owner": "aan de professional: de melding is gearchiveerd",
    "owner told the signal is archived": "aan de professional: de melding is gearchiveerd",
    "removed_owner": "aan de professional: de melding is verwijderd",
    "follow_up_reminder": "herinnering aan de professional: de match is nog niet opgevolgd",
    "moved_in": "aan de regievoerder van de nieuwe gemeente: het kind is verhuisd",
    "moved_owner": "aan de professional: het kind is verhuisd",
    "handed_over": "aan de nieuwe professional: de melding is aan hem of haar overgedragen",
}

# Why a signal was archived or deleted, by its logbook detail.
REASONS: Mapping[str, str] = {
    "active period ended": "de actieve periode was voorbij",
    "retention period ended": "de bewaartermijn was voorbij",
    "erasure: objection": "de gemeente wees een bezwaar toe",
    "erasure: deceased": "het kind is overleden",
}

ERASE_REASONS: Mapping[str, str] = {
    "objection": "Bezwaar van de ouders of het kind, toegewezen",
    "deceased": "Het kind is overleden",
}
GENDERS: Mapping[str, str] = {"M": "man", "V": "vrouw", "O": "onbekend of anders"}
STATUSES: Mapping[str, str] = {"active": "actief", "archived": "gearchiveerd"}
MATCH_KINDS: Mapping[str, str] = {
    "child": "hetzelfde kind",
    "parent": "hetzelfde gezin (ouder)",
    "address": "hetzelfde adres",
}

# A signal's check against the BRP: a short label, and what it means for whoever reads the signal.
# Without the register (``not_checked``) nothing is said: there was nothing to check against.
VERIFICATIONS: Mapping[Verification, str] = {
    Verification.VERIFIED: "Gecontroleerd in de BRP",
    Verification.PENDING: "Nog niet gecontroleerd in de BRP",
    Verification.MISMATCHED: "Klopt niet met de BRP",
}
VERIFICATION_ADVICE: Mapping[Verification, str] = {
    Verification.VERIFIED: "Het BSN, de achternaam en de geboortedatum kloppen met de BRP.",
    Verification.PENDING: (
        "De BRP was niet bereikbaar toen de melding binnenkwam. De Verwijsindex controleert de melding "
        "later vanzelf. U hoeft niets te doen. Klopt er iets niet, dan krijgt de professional een e-mail."
    ),
    Verification.MISMATCHED: (
        "Het BSN, de achternaam of de geboortedatum van het kind klopt niet met de BRP. De professional "
        "heeft hierover een e-mail gekregen. Kijk in uw eigen dossier of alles goed is overgenomen. Was het "
        "een tikfout? Sluit deze melding dan af met de reden 'De melding was onterecht' en doe een nieuwe "
        "melding met de juiste gegevens."
    ),
}


def action(entry: LogEntry) -> str:
    """What happened, in Dutch: the action, and for a message whom it went to, for a deletion why."""
    words = ACTIONS.get(entry.action, "Handeling")
    detail = (entry.detail or "").strip()
    if entry.action is Action.NOTIFICATION_SENT:
        audience = detail.split(";", 1)[0].strip()
        return f"{words} {NOTIFICATIONS[audience]}" if audience in NOTIFICATIONS else words
    if detail in REASONS:
        return f"{words}: {REASONS[detail]}"
    return words


def actor(entry: LogEntry, organisations: Mapping[str, str], municipalities: Mapping[str, str]) -> str:
    """Who did it: the person and whom they work for, an organisation's system, or the index itself.

    ``organisations`` and ``municipalities`` give names by id and CBS code; an organisation that is
    no longer known reads as such, never as its id.
    """
    if entry.client_id in SYSTEM_CLIENTS:
        return SYSTEM
    if entry.organisation_id:
        where = organisations.get(entry.organisation_id, UNKNOWN_ORGANISATION)
    elif entry.municipality_code:
        where = "gemeente " + municipalities.get(entry.municipality_code, entry.municipality_code)
    else:
        where = OPS
    if entry.person_name:
        return f"{entry.person_name} ({where})"
    if entry.organisation_id or entry.municipality_code:
        return f"het systeem van {where}"
    return where
