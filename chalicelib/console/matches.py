"""The regievoerder's matches: the municipality's matches with a filter, and recording the follow-up.

The same service as ``GET /v1/matches`` and ``POST /v1/matches/{id}/follow-up``, called as the
person's municipality with the person in it, so the logbook names who looked and who recorded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chalice.app import Request, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from chalicelib.console import kit, views
from chalicelib.console.access import principal_of, signed_in
from chalicelib.console.ports import ConsoleSession
from chalicelib.domain import phones
from chalicelib.domain.answers import LABELS as ANSWER_LABELS
from chalicelib.domain.errors import NotFound
from chalicelib.domain.follow_up import FOLLOW_UP_LABELS, KIND_LABELS, NOTE_CODES, SHOWN_LABELS, Shown, is_note_code
from chalicelib.domain.matching import FollowUp, MatchSide, MunicipalMatch
from chalicelib.domain.people import Person, Role
from chalicelib.domain.sectors import SECTORS

SAVED = "De opvolging is vastgelegd."
SHOWN_MESSAGE = "Kies welke matches u wilt zien."
MESSAGES = {
    "status": "Kies hoe de match is opgevolgd.",
    "note_code": "Kies een notitie uit de lijst, of geen notitie.",
}


def _known_note(code: str | None) -> str | None:
    if code is not None and not is_note_code(code):
        raise ValueError("not a note code")
    return code


class FollowUpForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    csrf: str
    match: Annotated[str, StringConstraints(pattern=r"^mt_[0-9a-f]{24}$")]
    status: Literal["open", "contact_made", "no_contact_needed"]
    note_code: Annotated[str | None, BeforeValidator(lambda value: value or None), AfterValidator(_known_note)] = None
    toon: Shown = Shown.ALL


def _side(side: MatchSide) -> dict[str, str]:
    professional = side.professional
    return {
        "organisation": side.organisation.name,
        "sector": SECTORS.get(side.organisation.sector, side.organisation.sector),
        "name": professional.name,
        "function": professional.function,
        "phone": phones.display(professional.phone),
        "phone_link": professional.phone,  # stored in E.164, what a tel: link wants
        "email": professional.email,
        "signalled": kit.dutch(side.signal_created_at),
        "answer": ANSWER_LABELS[side.answer.answer] if side.answer else "Nog niet beantwoord",
    }


def _shown(match: MunicipalMatch, overdue: bool) -> dict[str, Any]:
    return {
        "id": match.id,
        "kind": KIND_LABELS[match.kind],
        "since": kit.dutch(match.since),
        "status": match.follow_up.value,
        "status_label": FOLLOW_UP_LABELS[match.follow_up],
        "followed_up_on": kit.dutch(match.follow_up_at) if match.follow_up_at else None,
        "note_code": match.note_code or "",
        "note": NOTE_CODES.get(match.note_code, match.note_code) if match.note_code else None,
        "overdue": overdue,
        "sides": [_side(side) for side in match.sides],
    }


def _page(
    session: ConsoleSession,
    person: Person,
    shown: Shown,
    status: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    from chalicelib.bootstrap import container

    today = kit.today()
    found = container().follow_ups.matches(principal_of(person), None)
    rows = [_shown(match, Shown.OVERDUE.includes(match, today)) for match in found if shown.includes(match, today)]
    if sent is not None:
        for row in rows:
            if row["id"] == sent["match"]:
                row.update(status=sent.get("status", row["status"]), note_code=sent.get("note_code", ""))
    return kit.render(
        "matches.html",
        session,
        status,
        title=f"Matches: {SHOWN_LABELS[shown].lower()}",
        rows=rows,
        shown=shown.value,
        shown_options=[{"value": key.value, "label": label} for key, label in SHOWN_LABELS.items()],
        statuses=[{"value": key.value, "label": label} for key, label in FOLLOW_UP_LABELS.items()],
        notes=[{"value": code, "label": label} for code, label in NOTE_CODES.items()],
        errors=errors or {},
        notice=notice,
    )


def matches_page(request: Request) -> Response:
    session, person = signed_in(request, Role.REGIEVOERDER)
    query = kit.query(request)
    try:
        shown = Shown(query.get("toon") or Shown.ALL)
    except ValueError:
        return _page(session, person, Shown.ALL, 400, errors={"toon": SHOWN_MESSAGE})
    notice = SAVED if query.get("melding") == "opgeslagen" else None
    return _page(session, person, shown, notice=notice)


def follow_up(request: Request) -> Response:
    from chalicelib.bootstrap import container

    session, person = signed_in(request, Role.REGIEVOERDER)
    fields = kit.read(request, session)
    match_id = fields.get("match", "")
    try:
        form = kit.parse(fields, FollowUpForm, MESSAGES)
    except views.FormInvalid as exc:
        if "formulier" in exc.errors or not match_id.startswith("mt_"):
            raise NotFound("no such match") from None
        try:
            shown = Shown(fields.get("toon") or Shown.ALL)
        except ValueError:
            shown = Shown.ALL
        # Each match has its own form: a message belongs to the field of the match it was sent for.
        errors = {f"{name}-{match_id}": message for name, message in exc.errors.items()}
        return _page(session, person, shown, 400, errors=errors, sent=fields)
    container().follow_ups.follow_up(principal_of(person), form.match, FollowUp(form.status), form.note_code)
    return views.redirect(f"matches?toon={form.toon.value}&melding=opgeslagen#match-{form.match}")
