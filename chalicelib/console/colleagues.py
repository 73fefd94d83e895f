"""The administrators' colleagues pages: who has an account, invite, disable.

The municipal administrator's page is ``/console/collegas``; an organisation's administrator
(``org_admin``) has the same page at ``/console/portaal/beheer/collegas``. Everything goes through
``TeamService`` as the administrator's municipality or organisation with them in it, so the
administrator can reach no other and the logbook names who invited or disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from chalicelib.domain.people import MUNICIPAL_ROLES, ORGANISATION_ROLES, ROLE_LABELS, Person, Role

NOTICES = {
    "uitgenodigd": "De uitnodiging is verstuurd.",
    "geblokkeerd": "Het account is geblokkeerd. Deze collega kan niet meer inloggen.",
}
INVITE_MESSAGES = {
    "naam": "Vul de naam van uw collega in.",
    "email": "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
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


class OrganisationInviteForm(InviteForm):
    rol: Literal["professional", "org_admin"]  # type: ignore[assignment]


@dataclass(frozen=True)
class Kind:
    """What differs between the municipality's page and the organisation's."""

    role: Role
    roles: frozenset[Role]
    form: type[InviteForm]
    caption: str
    default_role: str


MUNICIPAL = Kind(Role.MUNICIPAL_ADMIN, MUNICIPAL_ROLES, InviteForm, "Accounts van uw gemeente", "regievoerder")
ORGANISATION = Kind(
    Role.ORG_ADMIN, ORGANISATION_ROLES, OrganisationInviteForm, "Accounts van uw organisatie", "professional"
)


class DisableForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str
    gebruiker: Annotated[str, StringConstraints(min_length=1, max_length=254)]


def _page(
    request: Request,
    kind: Kind,
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
        root=views.root_of(request),
        caption=kind.caption,
        rows=rows,
        roles=[{"value": role.value, "label": ROLE_LABELS[role]} for role in sorted(kind.roles)],
        default_role=kind.default_role,
        sent=sent or {},
        errors=errors or {},
        notice=notice,
    )


def _show(request: Request, kind: Kind) -> Response:
    session, person = signed_in(request, kind.role)
    return _page(request, kind, session, person, notice=NOTICES.get(kit.query(request).get("melding", "")))


def colleagues_page(request: Request) -> Response:
    return _show(request, MUNICIPAL)


def organisation_page(request: Request) -> Response:
    return _show(request, ORGANISATION)


def _console_url(request: Request) -> str:
    """The sign-in page at the console's own level, as the browser reached it: named in the invitation mail."""
    scheme = "https" if console().settings.secure_cookie else "http"
    host = request.headers.get("host", "")
    path = str(request.context.get("path") or "/console/collegas")
    levels = views.root_of(request).count("../")
    return f"{scheme}://{host}{path.rsplit('/', levels + 1)[0]}/inloggen"


def _act(request: Request, kind: Kind) -> Response:
    session, person = signed_in(request, kind.role)
    fields = kit.read(request, session)
    if fields.get("actie") == "blokkeren":
        return _disable(request, kind, session, person, fields)
    try:
        form = kit.parse(fields, kind.form, INVITE_MESSAGES)
        colleague = NewColleague(form.naam, form.email, Role(form.rol))
        console().team.invite(principal_of(person), colleague, _console_url(request))
    except views.FormInvalid as exc:
        return _page(request, kind, session, person, 400, errors=exc.errors, sent=fields)
    except Conflict:
        return _page(request, kind, session, person, 400, errors={"email": TAKEN}, sent=fields)
    return views.redirect("collegas?melding=uitgenodigd")


def colleagues_action(request: Request) -> Response:
    return _act(request, MUNICIPAL)


def organisation_action(request: Request) -> Response:
    return _act(request, ORGANISATION)


def _disable(request: Request, kind: Kind, session: ConsoleSession, person: Person, fields: dict[str, str]) -> Response:
    try:
        form = kit.parse(fields, DisableForm, {})
    except views.FormInvalid:
        raise NotFound("no such colleague") from None
    try:
        console().team.disable(principal_of(person), form.gebruiker)
    except InvalidInput:
        return _page(request, kind, session, person, 400, errors={"collegas": SELF})
    return views.redirect("collegas?melding=geblokkeerd")
