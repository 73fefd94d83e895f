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


@console.route("/matches", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def matches_page() -> Response:
    return _run("matches_page", "matches")


@console.route("/matches", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def follow_up() -> Response:
    return _run("follow_up", "matches")


@console.route("/rapportage", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def report_page() -> Response:
    return _run("report_page", "reports")


@console.route("/collegas", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def colleagues_page() -> Response:
    return _run("colleagues_page", "colleagues")


@console.route("/collegas", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def colleagues_action() -> Response:
    return _run("colleagues_action", "colleagues")


@console.route("/portaal", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_start() -> Response:
    return _run("start", "portal")


@console.route("/portaal/matches/{match_id}", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_match(match_id: str) -> Response:
    return _run("match_page", "portal")


@console.route("/portaal/matches/{match_id}", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_answer(match_id: str) -> Response:
    return _run("answer", "portal")


# The portal's signals: a new one by hand (the BSN only in the POST body), the list, one, close, hand over.


@console.route("/portaal/melden", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_new_signal_page() -> Response:
    return _run("new_page", "portal_signals")


@console.route("/portaal/melden", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_new_signal() -> Response:
    return _run("register", "portal_signals")


@console.route("/portaal/meldingen", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_signals() -> Response:
    return _run("list_page", "portal_signals")


@console.route("/portaal/meldingen/{signal_id}", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_signal(signal_id: str) -> Response:
    return _run("signal_page", "portal_signals")


@console.route("/portaal/meldingen/{signal_id}/afsluiten", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_close_page(signal_id: str) -> Response:
    return _run("close_page", "portal_signals")


@console.route("/portaal/meldingen/{signal_id}/afsluiten", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_close(signal_id: str) -> Response:
    return _run("close", "portal_signals")


@console.route("/portaal/meldingen/{signal_id}/overdragen", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_hand_over_page(signal_id: str) -> Response:
    return _run("hand_over_page", "portal_signals")


@console.route("/portaal/meldingen/{signal_id}/overdragen", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_hand_over(signal_id: str) -> Response:
    return _run("hand_over", "portal_signals")


@console.route("/portaal/beheer/collegas", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_colleagues() -> Response:
    return _run("organisation_page", "colleagues")


@console.route("/portaal/beheer/collegas", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_colleagues_action() -> Response:
    return _run("organisation_action", "colleagues")


@console.route("/portaal/beheer/sleutels", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def portal_tokens() -> Response:
    return _run("tokens_page", "token_pages")


@console.route("/portaal/beheer/sleutels", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def portal_tokens_action() -> Response:
    return _run("tokens_action", "token_pages")


@console.route("/static/{name}", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def static(name: str) -> Response:
    from chalicelib.console import views

    return views.static(name)


# The family's requests (the privacy officer): the BSN only ever in the look-up form's POST body.


@console.route("/verzoeken/zoeken", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def look_up_page() -> Response:
    return _run("look_up_page", "requests")


@console.route("/verzoeken/zoeken", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def look_up() -> Response:
    return _run("look_up", "requests")


@console.route("/verzoeken/overzicht", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def family_overview() -> Response:
    return _run("overview", "requests")


@console.route("/verzoeken/afdrukken", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def family_print() -> Response:
    return _run("print_view", "requests")


@console.route("/verzoeken/correctie", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def correction_page() -> Response:
    return _run("correction_page", "requests")


@console.route("/verzoeken/correctie", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def correct() -> Response:
    return _run("correct", "requests")


@console.route("/verzoeken/verwijderen", methods=["GET"], content_types=ANY_MEDIA_TYPE)
def erasure_page() -> Response:
    return _run("erasure_page", "requests")


@console.route("/verzoeken/verwijderen", methods=["POST"], content_types=ANY_MEDIA_TYPE)
def erase() -> Response:
    return _run("erase", "requests")
