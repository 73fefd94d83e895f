"""The console's accounts in the local stack: the user pool from ``infra/``, and demo people.

Each demo person is invited as an administrator would (the invitation mail lands in the outbox),
then signs in once here to choose a password and enrol TOTP, so they can sign in straight away.
"""

from __future__ import annotations

import secrets
from typing import Any

from infra.identity import EMULATOR_TOTP_SECRET, create_user_pool

DEMO_PEOPLE = (
    {"username": "regievoerder-0344", "name": "Ria Vermeer", "roles": ["regievoerder"]},
    {"username": "privacy-0344", "name": "Pim de Wit", "roles": ["privacy_officer"]},
    {"username": "beheer-0344", "name": "Bas Smit", "roles": ["municipal_admin"]},
)
DEMO_PEOPLE_MUNICIPALITY = "0344"
# For each demo organisation: a professional (the portal: their matches, answering them) and an
# organisation admin. Names by the organisation's first word: professional-ggd, beheer-buurtteam.
DEMO_ORGANISATION_PEOPLE = (
    {"prefix": "professional", "name": "Professional", "roles": ["professional"]},
    {"prefix": "beheer", "name": "Beheerder", "roles": ["org_admin"]},
)


def organisation_people(organisations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demo people of each organisation, as specs like ``DEMO_PEOPLE`` with their organisation."""
    people = []
    for organisation in organisations:
        slug = str(organisation["name"]).split()[0].lower()
        for spec in DEMO_ORGANISATION_PEOPLE:
            people.append(
                {
                    "username": f"{spec['prefix']}-{slug}",
                    "name": f"{spec['name']} {organisation['name']}",
                    "roles": spec["roles"],
                    "email": f"{spec['prefix']}@{slug}.example.nl",
                    "organisation_id": organisation["id"],
                }
            )
    return people


def provision_identity(environment: dict[str, str]) -> dict[str, str]:
    """The user pool and client; returns the settings the console reads."""
    import boto3

    pool = create_user_pool(boto3.client("cognito-idp"), f"verwijsindex-{environment.get('STAGE', 'local')}")
    return {"USER_POOL_ID": pool.pool_id, "USER_POOL_CLIENT_ID": pool.client_id, "CONSOLE_COOKIE_SECURE": "false"}


def seed_people(
    environment: dict[str, str],
    console_url: str,
    organisations: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    from chalicelib.bootstrap import Container
    from chalicelib.console import invitations
    from chalicelib.console.ports import CodeRejected, Invitation
    from chalicelib.console.wiring import Console
    from chalicelib.domain.people import Role
    from chalicelib.settings import Settings
    from scripts.totp import fresh_code

    root = Container(settings=Settings.from_environ(environment))
    console = Console(root)
    identity = console.cognito
    people = []
    municipal = [{**spec, "municipality_code": DEMO_PEOPLE_MUNICIPALITY} for spec in DEMO_PEOPLE]
    for spec in municipal + organisation_people(list(organisations)):
        invitation = Invitation(
            username=spec["username"],
            email=spec.get("email") or f"{spec['username']}@utrecht.example.nl",
            display_name=spec["name"],
            roles=frozenset(Role(role) for role in spec["roles"]),
            municipality_code=spec.get("municipality_code"),
            organisation_id=spec.get("organisation_id"),
        )
        temporary = invitations.invite(identity, root.mailer, invitation, console_url)
        password = secrets.token_urlsafe(12)
        challenge = identity.set_new_password(identity.sign_in(invitation.username, temporary), password)
        _, challenge = identity.begin_enrolment(challenge)
        try:
            identity.finish_enrolment(challenge, fresh_code())
        except CodeRejected:  # the code's 30 seconds ran out on the way: the next one
            identity.finish_enrolment(challenge, fresh_code(margin=30))
        affiliation = (
            {"municipality_code": invitation.municipality_code}
            if invitation.municipality_code
            else {"organisation_id": invitation.organisation_id}
        )
        people.append(
            {
                "username": invitation.username,
                "password": password,
                "totp_secret": EMULATOR_TOTP_SECRET,
                "roles": list(spec["roles"]),
                **affiliation,
                "display_name": spec["name"],
            }
        )
    return people
