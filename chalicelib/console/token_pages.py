"""The organisation administrator's API-token page: list, issue (shown once), revoke after confirming.

``/console/portaal/beheer/sleutels``: only an ``org_admin`` reaches it, and only their own
organisation's tokens (``OrganisationTokenService``); another organisation's token is unknown.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Request, Response

from chalicelib.console import kit, views
from chalicelib.console.access import principal_of, signed_in
from chalicelib.console.api_tokens import LABEL_LENGTH, label_of
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.wiring import console
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.people import Person, Role
from chalicelib.ports_registry import MAX_ACTIVE_TOKENS, TokenGrant
from chalicelib.services.admin import IssuedToken

NOTICES = {"ingetrokken": "De sleutel is ingetrokken. Het systeem dat hem gebruikte, krijgt geen toegang meer."}
LABEL = f"Geef de sleutel een naam van 1 tot {LABEL_LENGTH} tekens."
AT_CAP = f"Uw organisatie heeft al {MAX_ACTIVE_TOKENS} actieve sleutels. Trek er eerst een in."
NEVER = "Nog niet gebruikt"


def _row(grant: TokenGrant) -> dict[str, Any]:
    return {
        "token_id": grant.token_id,
        "label": grant.label or "Zonder naam (uitgegeven door beheer)",
        "created": kit.dutch(grant.created_at) if grant.created_at else "onbekend",
        "last_used": kit.dutch(grant.last_used) + grant.last_used.strftime(", rond %H:00 UTC")
        if grant.last_used
        else NEVER,
        "state": "Actief" if grant.active else "Ingetrokken",
        "active": grant.active,
    }


def _page(
    request: Request,
    session: ConsoleSession,
    person: Person,
    status: int = 200,
    issued: dict[str, str] | None = None,
    confirm: str | None = None,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    grants = console().api_tokens.tokens(principal_of(person))
    confirmed = None
    if confirm is not None:
        found = [grant for grant in grants if grant.token_id == confirm and grant.active]
        if not found:
            raise NotFound("no such token")
        confirmed = _row(found[0])
    return kit.render(
        "portal_tokens.html",
        session,
        status,
        title="API-sleutels",
        root=views.root_of(request),
        cap=MAX_ACTIVE_TOKENS,
        rows=[_row(grant) for grant in grants],
        issued=issued,
        confirm=confirmed,
        errors=errors or {},
        sent=sent or {},
        notice=notice,
    )


def tokens_page(request: Request) -> Response:
    session, person = signed_in(request, Role.ORG_ADMIN)
    query = kit.query(request)
    return _page(request, session, person, confirm=query.get("intrekken"), notice=NOTICES.get(query.get("melding", "")))


def tokens_action(request: Request) -> Response:
    session, person = signed_in(request, Role.ORG_ADMIN)
    fields = kit.read(request, session)
    service = console().api_tokens
    if fields.get("actie") == "intrekken":
        service.revoke(principal_of(person), fields.get("sleutel", "")[:40])
        return views.redirect("sleutels?melding=ingetrokken")
    raw = fields.get("label", "")[: LABEL_LENGTH * 4]
    try:
        issued: IssuedToken = service.issue(principal_of(person), raw)
    except InvalidInput as exc:
        message = LABEL if any(error.field == "label" for error in exc.errors) else AT_CAP
        return _page(request, session, person, 400, errors={"label": message}, sent=fields)
    return _page(request, session, person, issued={"token": issued.token, "label": label_of(raw)})
