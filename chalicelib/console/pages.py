"""The console's routes: a Chalice blueprint, registered by ``app.py`` under ``/console``.

Every function of the app imports this module at cold start, so it imports nothing but Chalice;
each page loads the console (templates, forms, Cognito) when it is asked for.
"""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

console = Blueprint(__name__)
# Chalice's own media-type check answers JSON; each form checks its media type itself.
ANY_MEDIA_TYPE = ["*/*"]


def _request() -> Request:
    request = console.current_request
    assert request is not None, "only called while handling a request"
    return request


def _run(name: str, module: str = "handlers") -> Response:
    """Run the page ``name`` of ``chalicelib.console.<module>``, loaded only now."""
    from importlib import import_module

    from chalicelib.console import handlers

    view = getattr(import_module(f"chalicelib.console.{module}"), name)
    return handlers.handle(view, _request())


@console.route("/inloggen", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def sign_in_page() -> Response:
    return _run("sign_in_page")


@console.route("/inloggen", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def sign_in() -> Response:
    return _run("sign_in")


@console.route("/wachtwoord", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def new_password_page() -> Response:
    return _run("new_password_page")


@console.route("/wachtwoord", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def new_password() -> Response:
    return _run("new_password")


@console.route("/koppelen", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def enrol_page() -> Response:
    return _run("enrol_page")


@console.route("/koppelen", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def enrol() -> Response:
    return _run("enrol")


@console.route("/code", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def code_page() -> Response:
    return _run("code_page")


@console.route("/code", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def code() -> Response:
    return _run("code")


@console.route("/start", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def home() -> Response:
    return _run("home")


@console.route("/uitloggen", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def sign_out() -> Response:
    return _run("sign_out")


@console.route("/static/{name}", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def static(name: str) -> Response:
    from chalicelib.console import views

    return views.static(name)
