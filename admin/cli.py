"""Admin command line: ``python -m admin <command>``.

It reaches the same AWS account or emulator as the app through the usual AWS environment
variables; ``--stage`` reads the table and key names of that stage from ``.chalice/config.json``.
Tokens are printed once and stored only as hashes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from chalicelib.adapters.ssm import PseudonymKeyError
from chalicelib.bootstrap import Container
from chalicelib.domain import validation
from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.errors import DomainError
from chalicelib.domain.sectors import SECTORS
from chalicelib.observability import logger
from chalicelib.services import admin
from chalicelib.services.lifecycle import LifecycleIncomplete
from chalicelib.settings import ConfigurationError, Settings
from infra.stages import stage_environment
from local.clock import FixedClock


def _date(value: str) -> date:
    try:
        return validation.parse_iso_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m admin", description=__doc__)
    parser.add_argument("--stage", help="read settings of this stage from .chalice/config.json")
    commands = parser.add_subparsers(dest="command", required=True)

    org = commands.add_parser("create-organisation", help="register an organisation and issue its first token")
    org.add_argument("--name", required=True)
    org.add_argument("--sector", required=True, choices=sorted(SECTORS))
    org.add_argument("--region", required=True)
    org.add_argument("--oin", help="its 20-digit OIN: with mutual TLS, its client certificate must carry it")

    muni = commands.add_parser("create-municipality", help="register a municipality and issue its first token")
    muni.add_argument("--code", required=True, help="4-digit CBS code")
    muni.add_argument("--name", required=True)
    muni.add_argument("--region", required=True)
    muni.add_argument("--regievoerder-email")

    issue = commands.add_parser("issue-token", help="issue another token")
    owner = issue.add_mutually_exclusive_group(required=True)
    owner.add_argument("--organisation", metavar="ID")
    owner.add_argument("--municipality", metavar="CODE")
    owner.add_argument("--admin", metavar="NAME", help="an administrator's token (reports across regions)")

    revoke = commands.add_parser("revoke-token", help="revoke one token at once")
    revoke.add_argument("--token-id", required=True)

    suspend = commands.add_parser("suspend-organisation", help="stop every token of an organisation at once")
    suspend.add_argument("organisation_id", metavar="ID")

    lifecycle = commands.add_parser(
        "run-lifecycle", help="archive and delete what is due, as the nightly job does (for ops and demos)"
    )
    lifecycle.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="run as if it were this Dutch date")

    invite = commands.add_parser(
        "invite-person", help="invite the first administrator of a municipality or organisation to the console"
    )
    invite.add_argument("--username", required=True)
    invite.add_argument("--email", required=True)
    invite.add_argument("--name", required=True, help="the person's name as colleagues see it")
    whose = invite.add_mutually_exclusive_group(required=True)
    whose.add_argument("--municipality", metavar="CODE", help="a municipal_admin of this municipality")
    whose.add_argument("--organisation", metavar="ID", help="an org_admin of this organisation")
    invite.add_argument("--console-url", required=True, help="the sign-in page named in the invitation mail")

    excluded = commands.add_parser("add-excluded-address", help="an address that never gives address matches")
    excluded.add_argument("--postcode", required=True)
    excluded.add_argument("--house-number", required=True, type=int)
    excluded.add_argument("--house-letter")
    excluded.add_argument("--suffix")
    return parser


def run(arguments: Sequence[str], container: Container) -> dict[str, Any]:
    """Carry out one command and return what it prints."""
    args = _parser().parse_args(arguments)
    registry = container.registry
    now = container.clock.now()
    if args.command == "create-organisation":
        organisation, token = admin.create_organisation(
            registry, args.name, args.sector, args.region, now, oin=args.oin
        )
        return {
            "id": organisation.id,
            "name": organisation.name,
            "sector": organisation.sector,
            "region": organisation.region,
            **({"oin": organisation.oin} if organisation.oin else {}),
            "token_id": token.token_id,
            "token": token.token,
        }
    if args.command == "create-municipality":
        token = admin.create_municipality(registry, args.code, args.name, args.region, args.regievoerder_email, now)
        return {"code": args.code, "token_id": token.token_id, "token": token.token}
    if args.command == "issue-token":
        if args.organisation:
            token = admin.issue_organisation_token(registry, args.organisation, now)
        elif args.municipality:
            token = admin.issue_municipality_token(registry, args.municipality, now)
        else:
            token = admin.issue_admin_token(registry, args.admin, now)
        return {"token_id": token.token_id, "token": token.token}
    if args.command == "revoke-token":
        registry.revoke_token(args.token_id)
        return {"token_id": args.token_id, "status": "revoked"}
    if args.command == "suspend-organisation":
        stopped = registry.suspend_organisation(args.organisation_id)
        return {"id": args.organisation_id, "status": "suspended", "tokens_stopped": stopped}
    if args.command == "add-excluded-address":
        added = admin.add_excluded_address(
            registry,
            container.pseudonymiser(),
            args.postcode,
            args.house_number,
            args.house_letter,
            args.suffix,
            now,
        )
        return {"status": "added" if added else "already-registered"}
    if args.command == "invite-person":
        return _invite_person(args, container)
    if args.command == "run-lifecycle":
        return container.lifecycle.run().as_dict()
    raise AssertionError(f"unhandled command {args.command}")


def _invite_person(args: argparse.Namespace, container: Container) -> dict[str, Any]:
    """The first administrator; from then on, their own administrators invite colleagues in the console."""
    from chalicelib.console import invitations
    from chalicelib.console.ports import Invitation
    from chalicelib.console.wiring import Console
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.people import Role

    if args.municipality and container.registry.get_municipality(args.municipality) is None:
        raise NotFound("no such municipality")
    if args.organisation and container.registry.get_organisation(args.organisation) is None:
        raise NotFound("no such organisation")
    role = Role.MUNICIPAL_ADMIN if args.municipality else Role.ORG_ADMIN
    invitation = Invitation(
        username=args.username,
        email=args.email,
        display_name=args.name,
        roles=frozenset({role}),
        municipality_code=args.municipality,
        organisation_id=args.organisation,
    )
    invitations.invite(Console(container).identity, container.mailer, invitation, args.console_url)
    # The temporary password is in the mail only.
    return {"username": args.username, "roles": [role.value], "status": "invited"}


def main(argv: Sequence[str] | None = None) -> int:
    # Standard output is the command's JSON result; the application's log lines go to stderr.
    handler = logger.registered_handler
    if not isinstance(handler, logging.StreamHandler):
        return _main(argv)
    previous = handler.setStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        if previous is not None:
            handler.setStream(previous)


def _main(argv: Sequence[str] | None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    stage = _stage_of(arguments)
    try:
        environ = {**stage_environment(stage), **os.environ} if stage else dict(os.environ)
        container = Container(settings=Settings.from_environ(environ), clock=_as_of_clock(arguments))
        result = run(arguments, container)
    except (DomainError, ConfigurationError, PseudonymKeyError, LifecycleIncomplete) as exc:
        print(json.dumps({"error": type(exc).__name__, "detail": str(exc)}), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def _as_of_clock(arguments: Sequence[str]) -> FixedClock | None:
    """``--as-of D``: a clock standing at 03:00 Dutch time on D, when the nightly job would run."""
    for index, argument in enumerate(arguments):
        value = None
        if argument == "--as-of" and index + 1 < len(arguments):
            value = arguments[index + 1]
        elif argument.startswith("--as-of="):
            value = argument.split("=", 1)[1]
        if value is not None:
            try:
                day = validation.parse_iso_date(value)
            except ValueError:
                return None  # argparse reports it
            return FixedClock(datetime.combine(day, time(3, 0), tzinfo=AMSTERDAM).astimezone(UTC))
    return None


def _stage_of(arguments: Sequence[str]) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == "--stage" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--stage="):
            return argument.split("=", 1)[1]
    return None


if __name__ == "__main__":
    sys.exit(main())
