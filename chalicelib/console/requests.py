"""The privacy officer's pages (``/console/verzoeken/...``): the family's access, correction, erasure.

Each page: the person must be a privacy officer; parse the form, call ``FamilyRequests``, render.
The BSN is only ever in the look-up form's POST body; every other page finds the child through the
session (see ``family.py``), so no URL, redirect or title carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from chalice.app import Request, Response

from chalicelib.console import views
from chalicelib.console.access import principal_of, signed_in
from chalicelib.console.family import FamilyRequests, NoChildLookedUp, NothingChanged, OtherChild
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.request_forms import (
    CORRECTION_MESSAGES,
    ERASURE_MESSAGES,
    LOOK_UP_MESSAGES,
    NOTHING_CHANGED,
    NOTHING_STORED,
    TOO_OLD,
    CorrectionForm,
    ErasureForm,
    LookUpForm,
)
from chalicelib.console.wiring import console
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Child
from chalicelib.domain.people import Person, Role
from chalicelib.domain.wording import ERASE_REASONS, GENDERS, STATUSES
from chalicelib.services.family_document import full_name, moment, municipality_name
from chalicelib.services.subjects import NothingStored

# Every page here is one folder below the console's own pages.
ROOT = "../"
OTHER_CHILD = (
    "Sinds u dit formulier opende, is in deze sessie een ander kind opgezocht. "
    "Er is niets gewijzigd. Open het overzicht en begin opnieuw."
)


def family() -> FamilyRequests:
    return console().family


def _officer(request: Request) -> tuple[ConsoleSession, Person]:
    return signed_in(request, Role.PRIVACY_OFFICER)


def _render(template: str, session: ConsoleSession, title: str, status: int = 200, **context: Any) -> Response:
    page_context = {"csrf": session.csrf_token, "person": session.person, "root": ROOT, "title": title, **context}
    return views.page(template, page_context, status)


def _form(request: Request, session: ConsoleSession, model: Any, messages: dict[str, str]) -> Any:
    """The form as ``model``, after its CSRF token: a forged form learns nothing about its fields."""
    fields = views.read_form(request)
    console().sign_in.check_csrf(session, fields.get("csrf"))
    return views.validate(fields, model, messages)


def _about_the_child(view: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Without a child looked up, the look-up form; a form for another child changes nothing."""

    @wraps(view)
    def guarded(request: Request) -> Response:
        try:
            return view(request)
        except NoChildLookedUp:
            return views.redirect("zoeken")
        except OtherChild:
            link = {"href": "verzoeken/overzicht", "label": "Naar het overzicht"}
            context = {"title": "Ander kind opgezocht", "message": OTHER_CHILD, "link": link, "root": ROOT}
            return views.page("message.html", context, status=409)

    return guarded


# Looking a child up


def look_up_page(request: Request) -> Response:
    session, _ = _officer(request)
    return _render("verzoeken_zoeken.html", session, "Kind opzoeken")


def look_up(request: Request) -> Response:
    session, person = _officer(request)
    try:
        form = _form(request, session, LookUpForm, LOOK_UP_MESSAGES)
        family().look_up(session, principal_of(person), form.bsn)
    except views.FormInvalid as exc:
        return _render("verzoeken_zoeken.html", session, "Kind opzoeken", 400, errors=exc.errors)
    except NothingStored:
        return _render("verzoeken_zoeken.html", session, "Kind opzoeken", 404, errors={"bsn": NOTHING_STORED})
    return views.redirect("overzicht")


# The overview, on screen and for print


@_about_the_child
def overview(request: Request) -> Response:
    session, person = _officer(request)
    _, document = family().overview(session, principal_of(person))
    return _render("verzoeken_overzicht.html", session, "Overzicht voor de familie", doc=document)


@_about_the_child
def print_view(request: Request) -> Response:
    session, person = _officer(request)
    _, document = family().overview(session, principal_of(person))
    return views.page("verzoeken_afdrukken.html", {"root": ROOT, "doc": document})


# Correction


def _values(child: Child) -> dict[str, Any]:
    address = child.address
    return {
        "given_names": child.given_names,
        "family_name_prefix": child.family_name_prefix or "",
        "family_name": child.family_name,
        "birth_date": child.birth_date.isoformat(),
        "gender": child.gender.value,
        "street": address.street,
        "house_number": str(address.house_number),
        "house_letter": address.house_letter or "",
        "house_number_suffix": address.house_number_suffix or "",
        "postcode": address.postcode,
        "city": address.city,
        "municipality_code": address.municipality_code,
    }


def _correction_form(
    session: ConsoleSession, reference: str, values: dict[str, Any], status: int = 200, **context: Any
) -> Response:
    genders = list(GENDERS.items())
    return _render(
        "verzoeken_correctie.html",
        session,
        "Gegevens corrigeren",
        status,
        reference=reference,
        values=values,
        genders=genders,
        **context,
    )


@_about_the_child
def correction_page(request: Request) -> Response:
    session, person = _officer(request)
    child, record = family().record(session, principal_of(person))
    return _correction_form(session, child.reference, _values(record.child))


@_about_the_child
def correct(request: Request) -> Response:
    session, person = _officer(request)
    typed = {name: value for name, value in views.read_form(request).items() if name in CORRECTION_MESSAGES}
    values = dict.fromkeys(CORRECTION_MESSAGES, "") | typed
    reference = views.read_form(request).get("reference", "")
    try:
        form = _form(request, session, CorrectionForm, CORRECTION_MESSAGES)
        corrected = family().correct(session, principal_of(person), form.reference, form.child())
    except views.FormInvalid as exc:
        return _correction_form(session, reference, values, 400, errors=exc.errors)
    except NothingChanged:
        return _correction_form(session, reference, values, 400, errors={"given_names": NOTHING_CHANGED})
    except InvalidInput:
        return _correction_form(session, reference, values, 400, errors={"birth_date": TOO_OLD})
    result = corrected.result
    new_code = result.child.address.municipality_code
    if result.new_municipality_notified:
        told = (
            f"De regievoerder van de gemeente {municipality_name(new_code)} kreeg een e-mail dat het kind "
            "naar die gemeente verhuisde, zonder andere gegevens over het kind."
        )
    else:
        told = (
            "Niemand kreeg een e-mail. De professionals zien de gecorrigeerde gegevens bij hun melding; "
            "het logboek van het kind houdt de correctie vast."
        )
    return _render(
        "verzoeken_gecorrigeerd.html",
        session,
        "Gegevens gecorrigeerd",
        changes=corrected.changes,
        signals_updated=result.signals_updated,
        told=told,
    )


# Erasure


def _erasure_page(
    request: Request, session: ConsoleSession, person: Person, status: int = 200, **context: Any
) -> Response:
    child, record = family().record(session, principal_of(person))
    signals = [
        {
            "organisation": read.signal.organisation.name,
            "created": moment(read.signal.created_at),
            "status": STATUSES[record.status(read).value],
            "professional": read.signal.professional.name,
        }
        for read in record.signals
    ]
    return _render(
        "verzoeken_verwijderen.html",
        session,
        "Meldingen verwijderen",
        status,
        reference=child.reference,
        child_name=full_name(record.child),
        signals=signals,
        reasons=list(ERASE_REASONS.items()),
        **{"chosen": None, **context},
    )


@_about_the_child
def erasure_page(request: Request) -> Response:
    session, person = _officer(request)
    return _erasure_page(request, session, person)


@_about_the_child
def erase(request: Request) -> Response:
    session, person = _officer(request)
    try:
        form = _form(request, session, ErasureForm, ERASURE_MESSAGES)
        erased = family().erase(session, principal_of(person), form.reference, form.reason)
    except views.FormInvalid as exc:
        return _erasure_page(request, session, person, 400, errors=exc.errors)
    return _render(
        "verzoeken_verwijderd.html",
        session,
        "Meldingen verwijderd",
        erased=erased.signals_erased,
        notified=erased.professionals_notified,
    )
