"""The municipal administrator's colleagues page: who has an account, invite, disable.

Everything goes through ``TeamService`` as the administrator's municipality with them in it, so
the administrator can reach no other municipality and the logbook names who invited or disabled.
"""

from __future__ import annotations

from typing import Annotated, Literal

from chalice.app import Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from chalicelib.console import kit, views
from chalicelib.console.access import principal_of, signed_in
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.team import NewColleague
from chalicelib.console.wiring import console
from chalicelib.domain import text, validation
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.people import MUNICIPAL_ROLES, ROLE_LABELS, Person, Role

NOTICES = {
    "uitgenodigd": "De uitnodiging is verstuurd.",
    "geblokkeerd": "Het account is geblokkeerd. Deze collega kan niet meer inloggen.",
}
INVITE_MESSAGES = {
    "naam": "Vul de naam van uw collega in.",
    "email": "Vul een geldig e-mailadres in, zoals naam@gemeente.nl.",
    "rol": "Kies een van de rollen.",
}
TAKEN = "Er is al een account met dit e-mailadres."
SELF = "U kunt uw eigen account niet blokkeren."


def _name(value: str) -> str:
    return text.normalise(value)


def _email(value: str) -> str:
    if not validation.is_valid_email(value):
        raise ValueError("not an e-mail address")
    return value


class InviteForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str
    naam: Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_name)]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
    rol: Literal["regievoerder", "privacy_officer", "municipal_admin"]


class DisableForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str
    gebruiker: Annotated[str, StringConstraints(min_length=1, max_length=254)]


def _page(
    session: ConsoleSession,
    person: Person,
    status: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    accounts = console().team.colleagues(principal_of(person))
    rows = [
        {
            "username": account.person.username,
            "name": account.person.display_name,
            "email": account.email,
            "roles": ", ".join(ROLE_LABELS[role] for role in sorted(account.person.roles)),
            "state": "Geblokkeerd"
            if not account.enabled
            else ("Actief" if account.confirmed else "Uitgenodigd, nog niet ingelogd"),
            "last_modified": f"{kit.dutch(account.last_modified)}",
            "may_disable": account.enabled and account.person.id != person.id,
        }
        for account in accounts
    ]
    return kit.render(
        "colleagues.html",
        session,
        status,
        title="Collega's",
        rows=rows,
        roles=[{"value": role.value, "label": ROLE_LABELS[role]} for role in sorted(MUNICIPAL_ROLES)],
        sent=sent or {},
        errors=errors or {},
        notice=notice,
    )


def colleagues_page(request: Request) -> Response:
    session, person = signed_in(request, Role.MUNICIPAL_ADMIN)
    return _page(session, person, notice=NOTICES.get(kit.query(request).get("melding", "")))


def _console_url(request: Request) -> str:
    """The sign-in page beside this one, as the browser reached it: named in the invitation mail."""
    scheme = "https" if console().settings.secure_cookie else "http"
    host = request.headers.get("host", "")
    path = str(request.context.get("path") or "/console/collegas")
    return f"{scheme}://{host}{path.rsplit('/', 1)[0]}/inloggen"


def colleagues_action(request: Request) -> Response:
    session, person = signed_in(request, Role.MUNICIPAL_ADMIN)
    fields = kit.read(request, session)
    if fields.get("actie") == "blokkeren":
        return _disable(request, session, person, fields)
    try:
        form = kit.parse(fields, InviteForm, INVITE_MESSAGES)
        colleague = NewColleague(form.naam, form.email, Role(form.rol))
        console().team.invite(principal_of(person), colleague, _console_url(request))
    except views.FormInvalid as exc:
        return _page(session, person, 400, errors=exc.errors, sent=fields)
    except Conflict:
        return _page(session, person, 400, errors={"email": TAKEN}, sent=fields)
    return views.redirect("collegas?melding=uitgenodigd")


def _disable(request: Request, session: ConsoleSession, person: Person, fields: dict[str, str]) -> Response:
    try:
        form = kit.parse(fields, DisableForm, {})
    except views.FormInvalid:
        raise NotFound("no such colleague") from None
    try:
        console().team.disable(principal_of(person), form.gebruiker)
    except InvalidInput:
        return _page(session, person, 400, errors={"collegas": SELF})
    return views.redirect("collegas?melding=geblokkeerd")
