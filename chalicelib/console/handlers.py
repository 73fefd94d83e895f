"""What each console page does: parse the form, call the sign-in service, render.

Imported by the routes in ``pages.py`` when a page is asked for, so no other function loads it.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Request, Response

from chalicelib.console import views
from chalicelib.console.access import NotPermitted
from chalicelib.console.forms import (
    CODE_MESSAGES,
    NEW_PASSWORD_MESSAGES,
    SIGN_IN_MESSAGES,
    CodeForm,
    NewPasswordForm,
    SignInForm,
    SignOutForm,
)
from chalicelib.console.ports import (
    ChallengeExpired,
    ChallengeKind,
    CodeRejected,
    ConsoleSession,
    PasswordRejected,
    SignInRejected,
)
from chalicelib.console.signin import CsrfRejected, NotSignedIn, SessionExpired, SignInService, WrongStep
from chalicelib.console.tasks import TASKS
from chalicelib.console.wiring import console
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.people import ROLE_LABELS, Person

NEXT_PAGE = {ChallengeKind.NEW_PASSWORD: "wachtwoord", ChallengeKind.ENROL_TOTP: "koppelen", ChallengeKind.TOTP: "code"}
NOTICES = {
    "verlopen": "Uw sessie is verlopen. Log opnieuw in.",
    "opnieuw": "Het inloggen duurde te lang. Begin opnieuw.",
}
REJECTED = (
    "De combinatie van gebruikersnaam en wachtwoord klopt niet, of er is te vaak geprobeerd. "
    "Controleer wat u typte, of wacht een paar minuten."
)
FORM_REFUSED = "Dit formulier is verlopen of kwam niet van deze site. Open de pagina opnieuw en probeer het nog eens."
AGAIN = {"href": "inloggen", "label": "Naar inloggen"}
START = {"href": "start", "label": "Naar de startpagina"}
NOT_PERMITTED = "Deze pagina hoort niet bij uw rol. Vraag de beheerder van uw organisatie als u hem nodig hebt."
NOT_FOUND = "Deze pagina bestaat niet, of hoort bij een andere gemeente of organisatie."
CHANGED_MEANWHILE = "Iemand anders wijzigde dit tegelijk met u. Open de pagina opnieuw en probeer het nog eens."

WRONG_CODE = "Deze code klopt niet. Vul de 6 cijfers in die de app nu toont."


def service() -> SignInService:
    return console().sign_in


def _secure() -> bool:
    return console().settings.secure_cookie


def _new_cookie(value: str | None) -> str | None:
    return views.set_cookie(value, _secure()) if value else None


def _session(request: Request) -> ConsoleSession:
    """The browser's session for a form it sends back; without one, the form cannot be trusted."""
    session = service().current(views.cookie_of(request))
    if session is None:
        raise SessionExpired("no session")
    return session


def _form(request: Request, session: ConsoleSession, model: Any, messages: dict[str, str]) -> Any:
    """The form as ``model``, after its CSRF token: a forged form learns nothing about its fields."""
    fields = views.read_form(request)
    service().check_csrf(session, fields.get("csrf"))
    return views.validate(fields, model, messages)


def _render(
    template: str, session: ConsoleSession, status: int = 200, cookie: str | None = None, **context: Any
) -> Response:
    return views.page(template, {"csrf": session.csrf_token, "person": session.person, **context}, status, cookie)


def sign_in_page(request: Request) -> Response:
    opened = service().open(views.cookie_of(request))
    if opened.session.person is not None:
        return views.redirect("start")
    query: dict[str, str] = dict(request.query_params or {})
    notice = NOTICES.get(query.get("melding", ""))
    return _render("sign_in.html", opened.session, cookie=_new_cookie(opened.cookie), title="Inloggen", notice=notice)


def sign_in(request: Request) -> Response:
    session = _session(request)
    try:
        form = _form(request, session, SignInForm, SIGN_IN_MESSAGES)
        session = service().password(session, form.username, form.password)
    except views.FormInvalid as exc:
        return _render("sign_in.html", session, 400, title="Inloggen", errors=exc.errors)
    except SignInRejected:
        return _render("sign_in.html", session, 401, title="Inloggen", errors={"username": REJECTED})
    assert session.challenge is not None
    return views.redirect(NEXT_PAGE[session.challenge.kind])


def _at_step(request: Request, kind: ChallengeKind) -> ConsoleSession:
    session = _session(request)
    if session.challenge is None or session.challenge.kind is not kind:
        raise WrongStep("not at this step")
    return session


def new_password_page(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.NEW_PASSWORD)
    assert session.challenge is not None
    return _render("new_password.html", session, title="Nieuw wachtwoord", username=session.challenge.username)


def new_password(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.NEW_PASSWORD)
    assert session.challenge is not None
    username = session.challenge.username
    try:
        form = _form(request, session, NewPasswordForm, NEW_PASSWORD_MESSAGES)
        session = service().new_password(session, form.password)
    except views.FormInvalid as exc:
        return _render(
            "new_password.html", session, 400, title="Nieuw wachtwoord", username=username, errors=exc.errors
        )
    except PasswordRejected:
        errors = {"password": "Dit wachtwoord is niet sterk genoeg. Kies een langer wachtwoord."}
        return _render("new_password.html", session, 400, title="Nieuw wachtwoord", username=username, errors=errors)
    assert session.challenge is not None
    return views.redirect(NEXT_PAGE[session.challenge.kind])


def _qr(session: ConsoleSession) -> dict[str, Any]:
    import segno
    from markupsafe import Markup

    assert session.challenge is not None and session.totp_secret is not None
    secret = session.totp_secret
    uri = f"otpauth://totp/Verwijsindex:{session.challenge.username}?secret={secret}&issuer=Verwijsindex"
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR-code om de authenticator-app te koppelen")
    groups = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    return {"qr_svg": Markup(svg), "secret_groups": groups}  # noqa: S704 (segno's own markup, no input in it but the escaped URI)


def enrol_page(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.ENROL_TOTP)
    return _render("enrol.html", session, title="Authenticator-app koppelen", **_qr(session))


def enrol(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.ENROL_TOTP)
    try:
        form = _form(request, session, CodeForm, CODE_MESSAGES)
        opened = service().enrol(session, form.code)
    except views.FormInvalid as exc:
        return _render(
            "enrol.html", session, 400, title="Authenticator-app koppelen", errors=exc.errors, **_qr(session)
        )
    except CodeRejected:
        errors = {"code": WRONG_CODE}
        return _render("enrol.html", session, 400, title="Authenticator-app koppelen", errors=errors, **_qr(session))
    return views.redirect("start", _new_cookie(opened.cookie))


def code_page(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.TOTP)
    return _render("code.html", session, title="Code invoeren")


def code(request: Request) -> Response:
    session = _at_step(request, ChallengeKind.TOTP)
    try:
        form = _form(request, session, CodeForm, CODE_MESSAGES)
        opened = service().code(session, form.code)
    except views.FormInvalid as exc:
        return _render("code.html", session, 400, title="Code invoeren", errors=exc.errors)
    except CodeRejected:
        return _render("code.html", session, 400, title="Code invoeren", errors={"code": WRONG_CODE})
    return views.redirect("start", _new_cookie(opened.cookie))


def _affiliation(person: Person) -> str:
    if person.municipality_code:
        return f"Gemeente {person.municipality_code}"
    if person.organisation_id:
        return f"Organisatie {person.organisation_id}"
    return "Beheer Verwijsindex"


def home(request: Request) -> Response:
    session = service().signed_in(views.cookie_of(request))
    person = session.person
    assert person is not None
    roles = sorted(person.roles)
    tasks = [
        {"label": label, "description": description, "href": href}
        for given_by, label, description, href in TASKS
        if given_by & person.roles
    ]
    return _render(
        "home.html",
        session,
        title="Start",
        affiliation=_affiliation(person),
        role_labels=[ROLE_LABELS[role] for role in roles],
        tasks=tasks,
    )


def sign_out(request: Request) -> Response:
    session = _session(request)
    _form(request, session, SignOutForm, {})
    service().sign_out(session)
    return views.page(
        "message.html",
        {
            "title": "U bent uitgelogd",
            "message": "U bent uitgelogd.",
            "link": {"href": "inloggen", "label": "Opnieuw inloggen"},
        },
        cookie=views.clear_cookie(_secure()),
    )


def handle(view: Any, request: Request) -> Response:
    """Run a page; the one place that turns the console's exceptions into pages and redirects."""
    root = views.root_of(request)
    try:
        response: Response = view(request)
        return response
    except SessionExpired:
        return views.redirect(root + "inloggen?melding=verlopen")
    except (NotSignedIn, WrongStep):
        return views.redirect(root + "inloggen")
    except ChallengeExpired:
        return views.redirect(root + "inloggen?melding=opnieuw")
    except NotPermitted:
        return views.page(
            "message.html",
            {"title": "Geen toegang", "message": NOT_PERMITTED, "link": START, "root": root},
            status=403,
        )
    except NotFound:
        return views.page(
            "message.html",
            {"title": "Niet gevonden", "message": NOT_FOUND, "link": START, "root": root},
            status=404,
        )
    except Conflict:
        return views.page(
            "message.html",
            {"title": "Tegelijk gewijzigd", "message": CHANGED_MEANWHILE, "link": START, "root": root},
            status=409,
        )
    except CsrfRejected:
        message = (
            "Dit formulier is verlopen of kwam niet van deze site. Open de pagina opnieuw en probeer het nog eens."
        )
        return views.page(
            "message.html",
            {
                "title": "Formulier geweigerd",
                "message": message,
                "link": {"href": "inloggen", "label": "Naar de startpagina"},
                "root": root,
            },
            status=403,
        )
    except Exception as exc:  # the one place that maps the console's errors to pages
        return views.error_page(exc, root)
