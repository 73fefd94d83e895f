"""What every page for signed-in people does: read a form behind its CSRF token, render with the
session, say a date in Dutch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel

from chalicelib.console import views
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.wiring import console
from chalicelib.domain.clock import dutch_date

Form = TypeVar("Form", bound=BaseModel)

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def render(template: str, session: ConsoleSession, status: int = 200, **context: Any) -> Response:
    return views.page(template, {"csrf": session.csrf_token, "person": session.person, **context}, status)


def read(request: Request, session: ConsoleSession) -> dict[str, str]:
    """The form's fields, once its CSRF token matched: a forged form gets no further."""
    fields = views.read_form(request)
    console().sign_in.check_csrf(session, fields.get("csrf"))
    return fields


def parse(fields: dict[str, str], model: type[Form], messages: dict[str, str]) -> Form:
    return views.validate(fields, model, messages)


def query(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def today() -> date:
    return dutch_date(console().root.clock.now())


def dutch(day: date | datetime) -> str:
    """``2 december 2026``; an instant is given as its day in the Netherlands."""
    if isinstance(day, datetime):
        day = dutch_date(day)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
