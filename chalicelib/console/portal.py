"""The professionals' portal: their organisation's matches, and answering one.

A mail about a match links to its page here (``/console/portaal/matches/{id}``); the link names the
match only. Only a ``professional`` or ``org_admin`` of an organisation with a signal in the match
sees it; anyone else gets the page that says it does not exist. The answer goes through the same
service as ``PUT /v1/signals/{id}/matches/{matchId}/answer``, logged under the person.
"""

from __future__ import annotations

from typing import Any, Literal

from chalice.app import Request, Response
from pydantic import BaseModel, ConfigDict

from chalicelib.console import views
from chalicelib.console.access import NotPermitted, principal_of, signed_in
from chalicelib.console.handlers import _form, _render
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.wiring import console
from chalicelib.domain import phones
from chalicelib.domain.answers import LABELS, Answer, MatchAnswer
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.errors import NotFound
from chalicelib.domain.follow_up import KIND_LABELS
from chalicelib.domain.matching import MatchSide
from chalicelib.domain.model import Principal
from chalicelib.domain.people import Role
from chalicelib.domain.sectors import SECTORS
from chalicelib.services.answers import SideOfMatch

PORTAL_ROLES = (Role.PROFESSIONAL, Role.ORG_ADMIN)
ANSWER_MESSAGES = {"answer": "Kies wat op deze match van toepassing is."}
SAVED = "Uw antwoord is opgeslagen. De andere professional en de regievoerder zien het."
# The portal's start lists the matches of the organisation's newest signals.
LISTED_SIGNALS = 50


class AnswerForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str
    answer: Literal["contact_made", "already_in_contact", "no_contact_needed", "coordinating"]


def _person(request: Request) -> tuple[ConsoleSession, Principal]:
    """Signed in as a professional or organisation admin: their organisation, with them in it.

    Anyone else hears that the page does not exist, as for another organisation's match.
    """
    try:
        session, person = signed_in(request, *PORTAL_ROLES)
        principal = principal_of(person)
    except NotPermitted:
        raise NotFound("not a portal page of this person") from None
    if principal.organisation is None:
        raise NotFound("not a portal page of this person")
    return session, principal


def _answer_view(answer: MatchAnswer | None) -> dict[str, str] | None:
    if answer is None:
        return None
    return {"label": LABELS[answer.answer], "date": dutch_date(answer.at).strftime("%d-%m-%Y")}


def _side_view(side: MatchSide) -> dict[str, Any]:
    return {
        "signal_id": side.signal_id,
        "case_reference": side.case_reference,
        "organisation": side.organisation.name,
        "sector": SECTORS.get(side.organisation.sector, side.organisation.sector),
        "professional": side.professional,
        "phone": phones.display(side.professional.phone),
        "signal_date": dutch_date(side.signal_created_at).strftime("%d-%m-%Y"),
        "answer": _answer_view(side.answer),
    }


def _match_page(
    request: Request, session: ConsoleSession, seen: SideOfMatch, status: int = 200, **context: Any
) -> Response:
    match = seen.match
    return _render(
        "portal_match.html",
        session,
        status,
        title="Match",
        root=views.root_of(request),
        match_id=match.id,
        kind=KIND_LABELS[match.kind],
        since=dutch_date(match.since).strftime("%d-%m-%Y"),
        own=_side_view(seen.own),
        other=_side_view(seen.other),
        choices=[(answer.value, LABELS[answer]) for answer in Answer],
        chosen=seen.own.answer.answer.value if seen.own.answer else None,
        **context,
    )


def _match_id(request: Request) -> str:
    return (request.uri_params or {})["match_id"]


def match_page(request: Request) -> Response:
    session, principal = _person(request)
    seen = console().root.answers.read(principal, _match_id(request))
    saved = dict(request.query_params or {}).get("opgeslagen") == "ja"
    return _match_page(request, session, seen, notice=SAVED if saved else None)


def answer(request: Request) -> Response:
    session, principal = _person(request)
    match_id = _match_id(request)
    service = console().root.answers
    try:
        form = _form(request, session, AnswerForm, ANSWER_MESSAGES)
    except views.FormInvalid as exc:
        return _match_page(request, session, service.read(principal, match_id), 400, errors=exc.errors)
    service.answer(principal, match_id, Answer(form.answer))
    return views.redirect(f"{match_id}?opgeslagen=ja")


def start(request: Request) -> Response:
    """The organisation's matches: those its side has not answered first, then newest first."""
    session, principal = _person(request)
    signals = console().root.signals
    page = signals.list(principal, None, LISTED_SIGNALS, None)
    rows: list[dict[str, Any]] = []
    for read in page.signals:
        for match in read.matches:
            rows.append(
                {
                    "id": match.id,
                    "since": match.since,
                    "date": dutch_date(match.since).strftime("%d-%m-%Y"),
                    "kind": KIND_LABELS[match.kind],
                    "case_reference": read.signal.case_reference,
                    "other": match.other.organisation.name,
                    "answer": _answer_view(match.answer),
                    "other_answer": _answer_view(match.other_answer),
                }
            )
    rows.sort(key=lambda row: row["since"], reverse=True)
    rows.sort(key=lambda row: row["answer"] is not None)
    return _render("portal_start.html", session, title="Uw matches", root=views.root_of(request), rows=rows)
