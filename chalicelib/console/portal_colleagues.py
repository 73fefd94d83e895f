"""The colleagues a signal can be handed to in the portal: the organisation's enabled accounts.

The hand-over form offers them in a select; a chosen colleague's name and e-mail come from their
account, never from the form, and one not (or no longer) on the list is refused. Function and
phone are typed; leaving the select empty keeps the typed name and e-mail as a fallback.
"""

from __future__ import annotations

from chalicelib.console import views
from chalicelib.console.ports import Account
from chalicelib.console.wiring import console

FIELD = "colleague"
NOT_OFFERED = "Kies een collega uit de lijst, of laat de keuze leeg en vul de gegevens zelf in."


def colleagues(organisation_id: str) -> list[Account]:
    """Whom the organisation's professionals may hand a signal to."""
    return offered(console().identity.people_of_organisation(organisation_id))


def offered(accounts: list[Account]) -> list[Account]:
    """Disabled accounts are not offered."""
    return [account for account in accounts if account.enabled]


def options(accounts: list[Account]) -> list[dict[str, str]]:
    return [
        {"value": account.person.id, "label": f"{account.person.display_name} ({account.email})"}
        for account in accounts
    ]


def with_colleague(fields: dict[str, str], accounts: list[Account]) -> dict[str, str]:
    """``fields`` with the chosen colleague's name and e-mail as their account has them."""
    chosen = (fields.get(FIELD) or "").strip()
    if not chosen:
        return fields
    account = next((account for account in accounts if account.person.id == chosen), None)
    if account is None:
        raise views.FormInvalid({FIELD: NOT_OFFERED})
    return fields | {"name": account.person.display_name, "email": account.email}
