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


def provision_identity(environment: dict[str, str]) -> dict[str, str]:
    """The user pool and client; returns the settings the console reads."""
    import boto3

    pool = create_user_pool(boto3.client("cognito-idp"), f"verwijsindex-{environment.get('STAGE', 'local')}")
    return {"USER_POOL_ID": pool.pool_id, "USER_POOL_CLIENT_ID": pool.client_id, "CONSOLE_COOKIE_SECURE": "false"}


def seed_people(environment: dict[str, str], console_url: str) -> list[dict[str, Any]]:
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
    for spec in DEMO_PEOPLE:
        invitation = Invitation(
            username=spec["username"],
            email=f"{spec['username']}@utrecht.example.nl",
            display_name=spec["name"],
            roles=frozenset(Role(role) for role in spec["roles"]),
            municipality_code=DEMO_PEOPLE_MUNICIPALITY,
        )
        temporary = invitations.invite(identity, root.mailer, invitation, console_url)
        password = secrets.token_urlsafe(12)
        challenge = identity.set_new_password(identity.sign_in(invitation.username, temporary), password)
        _, challenge = identity.begin_enrolment(challenge)
        try:
            identity.finish_enrolment(challenge, fresh_code())
        except CodeRejected:  # the code's 30 seconds ran out on the way: the next one
            identity.finish_enrolment(challenge, fresh_code(margin=30))
        people.append(
            {
                "username": invitation.username,
                "password": password,
                "totp_secret": EMULATOR_TOTP_SECRET,
                "roles": list(spec["roles"]),
                "municipality_code": DEMO_PEOPLE_MUNICIPALITY,
                "display_name": spec["name"],
            }
        )
    return people
