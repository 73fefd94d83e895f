"""Inviting a person: an account with a temporary password, and our own Dutch invitation mail.

Cognito's own invitation mail is suppressed (and moto sends none): the mail goes through the
project's SES sender and configuration set, like every other mail. The temporary password is in
the mail and nowhere else; on first sign-in the person chooses their own and enrols TOTP.
"""

from __future__ import annotations

import secrets
from html import escape

from chalicelib.console.ports import IdentityProvider, Invitation
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.people import ROLE_LABELS, affiliation_problem
from chalicelib.ports import EmailMessage, Mailer
from chalicelib.services.mail import one_line

SUBJECT = "Uitnodiging voor de Verwijsindex"


def temporary_password() -> str:
    """Random, 16 characters: longer than the pool's minimum and valid for 7 days."""
    return secrets.token_urlsafe(12)


def invitation_mail(invitation: Invitation, password: str, console_url: str) -> EmailMessage:
    roles = ", ".join(ROLE_LABELS[role] for role in sorted(invitation.roles))
    lines = [
        f"Beste {one_line(invitation.display_name)},",
        "",
        f"U bent uitgenodigd voor de Verwijsindex als {roles}.",
        "",
        f"Gebruikersnaam: {one_line(invitation.username)}",
        f"Tijdelijk wachtwoord: {password}",
        f"Inloggen: {console_url}",
        "",
        "Bij de eerste keer inloggen kiest u een eigen wachtwoord en koppelt u een authenticator-app",
        "op uw telefoon. Het tijdelijke wachtwoord werkt 7 dagen.",
        "",
        "Verwacht u deze uitnodiging niet? Negeer dan dit bericht.",
    ]
    html = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>'
        + SUBJECT
        + "</title></head><body>"
        + f"<p>Beste {escape(invitation.display_name)},</p>"
        + f"<p>U bent uitgenodigd voor de Verwijsindex als {escape(roles)}.</p>"
        + f"<p>Gebruikersnaam: <strong>{escape(invitation.username)}</strong><br>"
        + f"Tijdelijk wachtwoord: <strong>{escape(password)}</strong><br>"
        + f'Inloggen: <a href="{escape(console_url)}">{escape(console_url)}</a></p>'
        + "<p>Bij de eerste keer inloggen kiest u een eigen wachtwoord en koppelt u een authenticator-app "
        + "op uw telefoon. Het tijdelijke wachtwoord werkt 7 dagen.</p>"
        + "<p>Verwacht u deze uitnodiging niet? Negeer dan dit bericht.</p></body></html>"
    )
    return EmailMessage(to=invitation.email, subject=SUBJECT, text="\n".join(lines) + "\n", html=html)


def invite(
    identity: IdentityProvider,
    mailer: Mailer,
    invitation: Invitation,
    console_url: str,
    password: str | None = None,
) -> str:
    """Create the account and mail the invitation; returns the temporary password (for the local stack).

    A second invitation under the same username fails at the provider, before any mail: each
    account gets its invitation once.
    """
    problem = affiliation_problem(invitation.roles, invitation.municipality_code, invitation.organisation_id)
    if problem is not None:
        raise InvalidInput.single("roles", problem)
    chosen = password or temporary_password()
    identity.invite(invitation, chosen)
    mailer.send(invitation_mail(invitation, chosen, console_url))
    return chosen
