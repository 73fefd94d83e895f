"""Rendering console pages: templates, security headers, the session cookie and form parsing.

Imported by the console's routes only, never at cold start of the other functions.
"""

from __future__ import annotations

import traceback
from functools import cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

from chalice.app import Request, Response

from chalicelib.observability import logger

if TYPE_CHECKING:
    import jinja2
    from pydantic import BaseModel

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_FILES = {"utrecht-components.css", "utrecht-theme.css", "console.css", "console-print.css"}
COOKIE = "vwi_console"
MAX_FORM_BYTES = 8 * 1024
# The largest form, the portal's new signal, has 22 fields; a body with more is no form of ours.
MAX_FORM_FIELDS = 32
FORM = "application/x-www-form-urlencoded"

# No script at all, styles from our own files only; data: images are the components' icons.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Strict-Transport-Security": "max-age=31536000",
}
# Every page may show personal data (a name at least): never stored by a browser or proxy.
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"}

Form = TypeVar("Form", bound="BaseModel")


class FormInvalid(Exception):
    """A form failed validation; ``errors`` maps each field to a Dutch message (never the input)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form invalid")
        self.errors = errors


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def set_cookie(value: str, secure: bool) -> str:
    attributes = [f"{COOKIE}={value}", "HttpOnly", "SameSite=Strict"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def clear_cookie(secure: bool) -> str:
    return set_cookie("", secure) + "; Max-Age=0"


def page(
    template: str,
    context: dict[str, Any],
    status: int = 200,
    cookie: str | None = None,
) -> Response:
    defaults: dict[str, Any] = {"errors": {}, "notice": None, "person": None, "csrf": "", "root": ""}
    body = environment().get_template(template).render({**defaults, **context})
    headers: dict[str, str | list[str]] = dict(PAGE_HEADERS)
    if cookie is not None:
        headers["Set-Cookie"] = cookie
    return Response(body=body, status_code=status, headers=headers)


def redirect(location: str, cookie: str | None = None) -> Response:
    """303 to a page beside this one: relative, so it works under any stage path."""
    headers: dict[str, str | list[str]] = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Location": location}
    if cookie is not None:
        headers["Set-Cookie"] = cookie
    return Response(body="", status_code=303, headers=headers)


def static(name: str) -> Response:
    if name not in STATIC_FILES:
        return Response(body="", status_code=404, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})
    return Response(
        body=(STATIC / name).read_text(encoding="utf-8"),
        headers={**SECURITY_HEADERS, "Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=3600"},
    )


def root_of(request: Request) -> str:
    """The relative way from the page asked for back to the console's own level ("../../" from
    /console/portaal/matches/{id}): links and redirects stay relative, so they work under any stage."""
    path = str((request.context or {}).get("resourcePath") or "")
    return "../" * path.removeprefix("/console/").count("/")


def cookie_of(request: Request) -> str | None:
    header = request.headers.get("cookie")
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def read_form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded form; an unreadable one has none (and so no CSRF token)."""
    media_type = (request.headers.get("content-type") or "").partition(";")[0].strip().lower()
    raw_body = request.raw_body
    raw = raw_body.encode() if isinstance(raw_body, str) else (raw_body or b"")
    if media_type != FORM or len(raw) > MAX_FORM_BYTES:
        return {}
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except (UnicodeDecodeError, ValueError):
        return {}


def validate(fields: dict[str, str], model: type[Form], messages: dict[str, str]) -> Form:
    """``fields`` as ``model``; a failing field gets its message from ``messages``."""
    from pydantic import ValidationError

    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors(include_input=False, include_url=False):
            name = str(error["loc"][0]) if error["loc"] else ""
            errors.setdefault(name if name in messages else "formulier", messages.get(name, "Vul het formulier in."))
        raise FormInvalid(errors) from None


def error_page(exc: Exception, root: str = "") -> Response:
    """Our own bug or an outage: log where, never the message or the input."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    logger.error(
        "unhandled console error",
        extra={
            "error_type": type(exc).__name__,
            "frames": [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}" for frame in frames],
        },
    )
    return page(
        "message.html",
        {
            "title": "Er ging iets mis",
            "message": "Probeer het over een paar minuten opnieuw.",
            "link": None,
            "root": root,
        },
        status=500,
    )
