"""Change the local BRP stand-in of a running ``make run``: move a persona, record a death, or make
the next answers fail. It talks only to the stand-in named in the stack's state file: the real
register has no such routes, and this command never reaches one.

    .venv/bin/python -m scripts.brp_stand_in move 999995832 --postcode 3512JE --house-number 7 --municipality 0344
    .venv/bin/python -m scripts.brp_stand_in death 999992077 --on 2026-12-01
    .venv/bin/python -m scripts.brp_stand_in outage --status 503 --count 5
    .venv/bin/python -m scripts.brp_stand_in follow    # what a nightly run does with the changes

``follow`` runs the nightly follow-up now (the stack also runs it every minute): it asks the
stand-in's BRP Update API which followed children changed (``GET /wijzigingen``), asks ``/personen``
about them, deletes a deceased child's signals and re-keys a moved child's, telling the
professionals and the new municipality's regievoerder (see the outbox). With ``make run
BRP_FOLLOW=ask`` it plans every child with a signal onto the work queue instead, and the stack's
workers search each by name and birth date within a second or so.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scripts.local_stack import DEFAULT_STATE_FILE


class NotTheStandIn(Exception):
    """No running stack with the stand-in, or a URL off loopback: refuse rather than guess."""


def stand_in_url(state_file: Path) -> str:
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError) as exc:
        raise NotTheStandIn(f"no running local stack ({state_file}); start it with make run") from exc
    url = state.get("brp_url") or ""
    if not url:
        raise NotTheStandIn("the local stack runs without the register (BRP=off)")
    if urlsplit(url).hostname != "127.0.0.1":
        raise NotTheStandIn("the BRP in the state file is not the local stand-in")
    return str(url)


def follow(state_file: Path) -> str:
    """Run the nightly follow-up now, in this process, against the stack's emulator and stand-in:
    the same function the schedule fires (``register_follow``), through the BRP Update API or, with
    ``BRP_FOLLOW=ask``, planning the children for the stack's workers."""
    import os

    from chalicelib.bootstrap import Container
    from chalicelib.settings import Settings
    from scripts.local_stack import configure_aws_environment

    state = json.loads(state_file.read_text())
    configure_aws_environment(os.environ, state["emulator_url"])
    environment = dict(state["environment"])
    asking = environment.get("BRP_FOLLOW") == "ask"
    settings = Settings.from_environ(environment | {"BRP": "on", "BRP_FOLLOW": "ask" if asking else "update-api"})
    if asking:
        planner = Container(settings=settings).ask_planner
        assert planner is not None
        plan = planner.plan()
        return f"children planned {plan.children} in {plan.chunks} chunk(s); the stack's workers ask about them"
    nightly = Container(settings=settings).nightly_follow
    assert nightly is not None
    outcome = nightly.run()
    return (
        f"changed {outcome.changed}, moved {outcome.moved}, deceased {outcome.deceased},"
        f" signals deleted {outcome.deleted}, mails sent {outcome.notified}"
    )


def post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.brp_stand_in", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE_FILE)
    commands = parser.add_subparsers(dest="command", required=True)
    move = commands.add_parser("move", help="register a persona at another address")
    move.add_argument("bsn")
    move.add_argument("--postcode", required=True)
    move.add_argument("--house-number", type=int, required=True)
    move.add_argument("--house-letter")
    move.add_argument("--suffix")
    move.add_argument("--municipality", required=True, help="CBS code of the new municipality, e.g. 0344")
    death = commands.add_parser("death", help="record a persona's death")
    death.add_argument("bsn")
    death.add_argument("--on", required=True, help="date of death, YYYY-MM-DD")
    outage = commands.add_parser("outage", help="make the next answers fail")
    outage.add_argument("--status", type=int, choices=(429, 503), default=503)
    outage.add_argument("--count", type=int, default=1)
    commands.add_parser("follow", help="run the nightly follow-up of moves and deaths now")
    args = parser.parse_args(argv)
    try:
        base = stand_in_url(args.state_file)
        if args.command == "move":
            body = {
                "burgerservicenummer": args.bsn,
                "postcode": args.postcode.replace(" ", "").upper(),
                "huisnummer": args.house_number,
                "huisletter": args.house_letter,
                "huisnummertoevoeging": args.suffix,
                "gemeente": args.municipality,
            }
            post(base + "/stand-in/verhuizing", body)
        elif args.command == "follow":
            print(follow(args.state_file))
        elif args.command == "death":
            post(base + "/stand-in/overlijden", {"burgerservicenummer": args.bsn, "datum": args.on})
        else:
            post(base + "/stand-in/storing", {"status": args.status, "aantal": args.count})
    except NotTheStandIn as exc:
        print(f"brp_stand_in: {exc}", file=sys.stderr)
        return 1
    except urllib.error.HTTPError as exc:
        print(
            f"brp_stand_in: the stand-in refused ({exc.code}): unknown persona or incomplete command", file=sys.stderr
        )
        return 1
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
