"""The portal's signals: a new one by hand, the organisation's list, one signal, close, hand over.

Each action goes through the same ``SignalService`` as the API (``POST /v1/signals``,
``GET /v1/signals``, ``close``, ``hand-over``), given the person as principal so the logbook names
them. The BSN is read from the new-signal form's POST body only; after saving, the browser is sent
to the signal's page, whose address names the signal's id and nothing about the child.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from chalice.app import Request, Response

from chalicelib.console import kit, portal_colleagues, views
from chalicelib.console.handlers import _form, _render
from chalicelib.console.portal import _answer_view, _person
from chalicelib.console.portal_forms import (
    CLOSE_MESSAGES,
    CLOSE_REASONS,
    DUPLICATE,
    NEW_SIGNAL_MESSAGES,
    PROFESSIONAL_MESSAGES,
    CloseForm,
    NewSignalForm,
    ProfessionalForm,
    inform_advice,
    refusals,
)
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.wiring import console
from chalicelib.domain import phones
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.errors import DuplicateActiveSignal, InvalidInput
from chalicelib.domain.follow_up import KIND_LABELS
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import CloseReason, Principal, SignalStatus
from chalicelib.domain.people import Person, Role
from chalicelib.domain.wording import GENDERS, VERIFICATION_ADVICE, VERIFICATIONS

LISTED = 100
STATUS_LABELS = {SignalStatus.ACTIVE: "Actief", SignalStatus.ARCHIVED: "Gearchiveerd"}
NOTICES = {
    "nieuw": "Uw melding is opgeslagen.",
    "overgedragen": "De melding is overgedragen. De nieuwe professional staat hieronder.",
    "gearchiveerd": "De melding is afgesloten en gearchiveerd.",
}


def _day(instant: datetime) -> str:
    return dutch_date(instant).strftime("%d-%m-%Y")


def _own_contact(person: Person | None) -> dict[str, str | None]:
    """The professional's own details as the account knows them; the rest they fill in."""
    if person is None:
        return {}
    account = console().identity.account(person.username)
    return {"name": person.display_name, "email": account.email if account else None}


def _signal_id(request: Request) -> str:
    return (request.uri_params or {})["signal_id"]


def _new_form(request: Request, session: ConsoleSession, status: int = 200, **context: Any) -> Response:
    typed = context.pop("values", None) or _own_contact(session.person)
    # Every field the form has, as typed; the BSN is never sent back to the browser.
    values = {name: typed.get(name) for name in NewSignalForm.model_fields if name != "bsn"}
    return _render(
        "portal_melden.html",
        session,
        status,
        title="Nieuwe melding",
        values=values,
        genders=list(GENDERS.items()),
        informed=(("ja", "Ja"), ("nee", "Nee")),
        submission=values.get("submission") or secrets.token_urlsafe(24),
        root=views.root_of(request),
        **({"existing": None} | context),
    )


def new_page(request: Request) -> Response:
    session, _ = _person(request)
    return _new_form(request, session)


def register(request: Request) -> Response:
    session, principal = _person(request)
    fields = views.read_form(request)
    try:
        form = _form(request, session, NewSignalForm, NEW_SIGNAL_MESSAGES)
        registered = console().root.signals.register(principal, form.command(), form.submission)
    except views.FormInvalid as exc:
        return _new_form(request, session, 400, values=fields, errors=exc.errors)
    except InvalidInput as exc:
        return _new_form(request, session, 422, values=fields, errors=refusals(exc.errors))
    except DuplicateActiveSignal as exc:
        return _new_form(request, session, 409, values=fields, errors={"bsn": DUPLICATE}, existing=exc.signal_id)
    return views.redirect(f"meldingen/{registered.signal.id}?melding=nieuw")


def handled_by(reads: list[SignalWithMatches], email: str | None) -> list[SignalWithMatches]:
    """The signals whose professional is the person with ``email`` (compared as addresses are)."""
    if not email:
        return []
    wanted = email.strip().casefold()
    return [read for read in reads if read.signal.professional.email.strip().casefold() == wanted]


def list_page(request: Request) -> Response:
    """A professional's own signals, or with ``?alle=ja`` the organisation's (colleagues stand in for
    each other); an organisation's administrator sees the organisation's."""
    session, principal = _person(request)
    person = session.person
    assert person is not None
    query: dict[str, str] = dict(request.query_params or {})
    whole = person.has(Role.ORG_ADMIN) or query.get("alle") == "ja"
    signals = console().root.signals
    page = signals.list(principal, None, LISTED, None)
    reads = page.signals if whole else handled_by(page.signals, _own_contact(person).get("email"))
    rows = [list_row(read, signals.status(read.signal)) for read in reads]
    title = "Meldingen van uw organisatie" if whole else "Mijn meldingen"
    toggle = not person.has(Role.ORG_ADMIN)
    return _render(
        "portal_meldingen.html",
        session,
        title=title,
        root=views.root_of(request),
        rows=rows,
        whole=whole,
        toggle=toggle,
    )


def list_row(read: SignalWithMatches, status: SignalStatus | None) -> dict[str, Any]:
    """A signal as a row of the list: no BRP column without the register (``verification`` None)."""
    signal = read.signal
    return {
        "id": signal.id,
        "created": _day(signal.created_at),
        "case_reference": signal.case_reference,
        "professional": signal.professional.name,
        "status": STATUS_LABELS[status] if status else "",
        "verification": VERIFICATIONS.get(signal.verification),
        "verification_state": signal.verification.value,
        "active_until": signal.active_until.strftime("%d-%m-%Y"),
        "delete_after": signal.delete_after.strftime("%d-%m-%Y"),
        "matches": len(read.matches),
    }


def signal_view(read: SignalWithMatches, status: SignalStatus | None) -> dict[str, Any]:
    """One signal as its pages show it; its check against the BRP only when there was one."""
    signal = read.signal
    return {
        "id": signal.id,
        "created": _day(signal.created_at),
        "case_reference": signal.case_reference,
        "status": STATUS_LABELS[status] if status else "",
        "active": status is SignalStatus.ACTIVE,
        "verification": VERIFICATIONS.get(signal.verification),
        "verification_advice": VERIFICATION_ADVICE.get(signal.verification),
        "verification_state": signal.verification.value,
        "active_until": signal.active_until.strftime("%d-%m-%Y"),
        "delete_after": signal.delete_after.strftime("%d-%m-%Y"),
        "family_informed": "Ja" if signal.family_informed else "Nee",
        "inform": inform_advice(signal.inform),
        "professional": signal.professional,
        "phone": phones.display(signal.professional.phone),
        "matches": [
            {
                "id": match.id,
                "kind": KIND_LABELS[match.kind],
                "since": _day(match.since),
                "organisation": match.other.organisation.name,
                "professional": match.other.professional,
                "phone": phones.display(match.other.professional.phone),
                "answer": _answer_view(match.answer),
                "other_answer": _answer_view(match.other_answer),
            }
            for match in read.matches
        ],
    }


def _read(request: Request) -> tuple[ConsoleSession, dict[str, Any]]:
    """The signal the address names, read (and logged) as the person; another organisation's is not found."""
    session, principal = _person(request)
    signals = console().root.signals
    read = signals.get(principal, _signal_id(request))
    return session, signal_view(read, signals.status(read.signal))


def signal_page(request: Request) -> Response:
    session, signal = _read(request)
    notice = NOTICES.get(dict(request.query_params or {}).get("melding", ""))
    root = views.root_of(request)
    return _render("portal_melding.html", session, title="Melding", root=root, signal=signal, notice=notice)


def close_page(request: Request) -> Response:
    session, signal = _read(request)
    root = views.root_of(request)
    return _render(
        "portal_afsluiten.html", session, title="Melding afsluiten", root=root, signal=signal, reasons=CLOSE_REASONS
    )


def close(request: Request) -> Response:
    session, principal = _person(request)
    signal_id = _signal_id(request)
    try:
        form = _form(request, session, CloseForm, CLOSE_MESSAGES)
    except views.FormInvalid as exc:
        _, signal = _read(request)
        root = views.root_of(request)
        return _render(
            "portal_afsluiten.html",
            session,
            400,
            title="Melding afsluiten",
            root=root,
            signal=signal,
            reasons=CLOSE_REASONS,
            errors=exc.errors,
        )
    kept = console().root.signals.close(principal, signal_id, CloseReason(form.reason))
    if kept is None:
        return _render(
            "message.html",
            session,
            title="Melding verwijderd",
            root=views.root_of(request),
            message="De melding is verwijderd.",
            link={"href": "portaal/meldingen", "label": "Naar mijn meldingen"},
        )
    return views.redirect(f"{views.root_of(request)}portaal/meldingen/{signal_id}?melding=gearchiveerd")


def _hand_over_form(request: Request, session: ConsoleSession, status: int = 200, **context: Any) -> Response:
    _, signal = _read(request)
    _, principal = _person(request)
    root = views.root_of(request)
    offered = portal_colleagues.options(portal_colleagues.colleagues(_organisation_id(principal)))
    return _render(
        "portal_overdragen.html",
        session,
        status,
        title="Melding overdragen",
        root=root,
        signal=signal,
        colleagues=offered,
        **context,
    )


def _organisation_id(principal: Principal) -> str:
    assert principal.organisation is not None  # _person admits organisations' people only
    return principal.organisation.id


def hand_over_page(request: Request) -> Response:
    session, _ = _person(request)
    return _hand_over_form(request, session, values=dict.fromkeys([*ProfessionalForm.model_fields, "colleague"]))


def hand_over(request: Request) -> Response:
    session, principal = _person(request)
    signal_id = _signal_id(request)
    typed = kit.read(request, session)
    try:
        fields = portal_colleagues.with_colleague(typed, portal_colleagues.colleagues(_organisation_id(principal)))
        form = views.validate(fields, ProfessionalForm, PROFESSIONAL_MESSAGES)
    except views.FormInvalid as exc:
        values = {name: typed.get(name) for name in [*ProfessionalForm.model_fields, "colleague"]}
        return _hand_over_form(request, session, 400, values=values, errors=exc.errors)
    console().root.signals.hand_over(principal, signal_id, form.professional())
    return views.redirect(f"{views.root_of(request)}portaal/meldingen/{signal_id}?melding=overgedragen")
