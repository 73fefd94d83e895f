"""Wiring only: each entry point parses its input and makes one call into chalicelib.

Every function (API, authorizer, stream, schedule) imports this module on a cold start, so it
imports at the top only what all of them use; the API's models and presenters are imported by
the routes (see benchmarks/cold_start.py).
"""

from __future__ import annotations

from typing import Any

from chalice.app import AuthRequest, AuthResponse, Chalice, Cron, Request, Response

from chalicelib import web
from chalicelib.bootstrap import container
from chalicelib.domain.errors import DomainError
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import CloseReason, Principal, SignalStatus
from chalicelib.observability import SERVICE, count, flush_metrics, logger
from chalicelib.services import auth
from chalicelib.settings import signals_stream_arn

app = Chalice(app_name=SERVICE, configure_logs=False)
app.api.binary_types = []


@app.middleware("http")
def observe(event: Any, get_response: Any) -> Response:
    context = event.context or {}
    authorizer = context.get("authorizer") or {}
    logger.append_keys(request_id=context.get("requestId"), client_id=authorizer.get("client_id"))
    try:
        response: Response = get_response(event)
        logger.info(
            "request handled",
            extra={"method": event.method, "route": context.get("resourcePath"), "status": response.status_code},
        )
        return response
    finally:
        flush_metrics()
        logger.remove_keys(["request_id", "client_id"])


@app.authorizer(ttl_seconds=0)
def token_authorizer(auth_request: AuthRequest) -> AuthResponse:
    try:
        principal = auth.authenticate(container().registry, auth_request.token)
    except DomainError:
        # Let the request through unauthenticated so the API answers 401 as problem+json.
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"authenticated": "false"})
    return AuthResponse(routes=["*"], principal_id=principal.client_id, context=web.principal_context(principal))


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called while handling a request"
    return request


def _principal() -> Principal:
    return web.principal_from(_request().context)


def _organisation() -> Principal:
    """The caller, who must be an organisation: checked before the body, so 403 wins over 422."""
    from chalicelib.services.signals import require_organisation

    principal = _principal()
    require_organisation(principal)
    return principal


@app.route("/v1/health", methods=["GET"], content_types=web.ANY_MEDIA_TYPE)
@web.api_view("health")
def health() -> Response:
    from chalicelib import schemas

    return web.json_response(schemas.HealthOut(status="ok"))


@app.route("/v1/openapi.json", methods=["GET"], content_types=web.ANY_MEDIA_TYPE)
@web.api_view("openapi")
def openapi() -> Response:
    from chalicelib.openapi import document

    return Response(body=document(), headers={"Content-Type": web.JSON})


@app.route("/v1/signals", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("create_signal")
def create_signal() -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    request = _request()
    principal = _organisation()
    body, _ = web.parse_body(request, schemas.SignalIn)
    service = container().signals
    result = service.register(principal, schemas.new_signal(body), request.headers.get("idempotency-key"))
    if not result.replayed:
        count("SignalsCreated")
    read = result.read
    status = service.status(read.signal) or SignalStatus.ACTIVE
    headers = {"Location": f"/v1/signals/{read.signal.id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(signal_out(read, status, service.today()), 201, headers)


@app.route("/v1/signals", methods=["GET"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("list_signals")
def list_signals() -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    principal = _organisation()
    params = web.query_params(_request().query_params, {"status", "limit", "cursor"})
    query = schemas.ListQuery.model_validate(params)
    service = container().signals
    page = service.list(principal, query.status, query.limit, web.decode_cursor(query.cursor))
    return web.json_response(
        schemas.SignalPage(
            items=[
                signal_out(s, service.status(s.signal) or SignalStatus.ARCHIVED, service.today()) for s in page.signals
            ],
            next_cursor=web.encode_cursor(page.next_after),
        )
    )


@app.route("/v1/signals/{signal_id}", methods=["GET"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("get_signal")
def get_signal(signal_id: str) -> Response:
    from chalicelib.presenters import signal_out

    service = container().signals
    read = service.get(_organisation(), signal_id)
    return web.json_response(signal_out(read, service.status(read.signal) or SignalStatus.ARCHIVED, service.today()))


@app.route(
    "/v1/signals/{signal_id}/close", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer
)
@web.api_view("close_signal")
def close_signal(signal_id: str) -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    principal = _organisation()
    body, _ = web.parse_body(_request(), schemas.CloseIn)
    service = container().signals
    archived = service.close(principal, signal_id, CloseReason(body.reason))
    if archived is None:
        return web.json_response(schemas.DeletedOut(id=signal_id, status="deleted"))
    return web.json_response(signal_out(archived, SignalStatus.ARCHIVED, service.today()))


@app.route(
    "/v1/signals/{signal_id}/professional",
    methods=["PUT"],
    content_types=web.ANY_MEDIA_TYPE,
    authorizer=token_authorizer,
)
@web.api_view("hand_over_signal")
def hand_over_signal(signal_id: str) -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    principal = _organisation()
    body, _ = web.parse_body(_request(), schemas.ProfessionalIn)
    service = container().signals
    read = service.hand_over(principal, signal_id, body.to_domain())
    return web.json_response(signal_out(read, service.status(read.signal) or SignalStatus.ARCHIVED, service.today()))


@app.on_dynamodb_record(stream_arn=signals_stream_arn(), batch_size=10, starting_position="TRIM_HORIZON")
def match_signals(event: Any) -> dict[str, Any]:
    from chalicelib.stream import handle_batch

    try:
        return handle_batch(event.to_dict(), container().matching)
    finally:
        flush_metrics()


# Every night at 01:30 UTC (02:30 or 03:30 in the Netherlands), after the Dutch day has turned.
@app.schedule(Cron(30, 1, "*", "*", "?", "*"), name="lifecycle")
def lifecycle(event: Any) -> dict[str, object]:
    try:
        return container().lifecycle.run().as_dict()
    finally:
        flush_metrics()


# Municipality endpoints: the BSN only ever travels in request bodies.


def _municipality() -> Principal:
    """The caller, who must be a municipality: checked before the body, so 403 wins over 422."""
    from chalicelib.services.subjects import require_municipality

    principal = _principal()
    require_municipality(principal)
    return principal


@app.route("/v1/subjects/access", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("subject_access")
def subject_access() -> Response:
    from chalicelib import presenters, schemas

    principal = _municipality()
    query = schemas.AccessQuery.model_validate(web.query_params(_request().query_params, {"format"}))
    body, _ = web.parse_body(_request(), schemas.SubjectIn)
    access = presenters.subject_access_out(container().subjects.access(principal, body.bsn))
    if query.format == "html":
        document = presenters.access_document_html(access, principal.municipality_code or "")
        return Response(body=document, headers={"Content-Type": "text/html; charset=utf-8"})
    return web.json_response(access)


@app.route("/v1/subjects/rectify", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("subject_rectify")
def subject_rectify() -> Response:
    from chalicelib import presenters, schemas

    principal = _municipality()
    body, _ = web.parse_body(_request(), schemas.RectifyIn)
    result = container().subjects.rectify(principal, body.bsn, schemas.child_correction(body.child))
    return web.json_response(
        schemas.RectifiedOut(
            child=presenters.child_out(result.child),
            signals_updated=result.signals_updated,
            new_municipality_notified=result.new_municipality_notified,
        )
    )


@app.route("/v1/subjects/erase", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("subject_erase")
def subject_erase() -> Response:
    from chalicelib import schemas

    principal = _municipality()
    body, _ = web.parse_body(_request(), schemas.EraseIn)
    result = container().subjects.erase(principal, body.bsn, body.reason)
    return web.json_response(
        schemas.ErasedOut(
            status="erased", signals_erased=result.signals_erased, professionals_notified=result.professionals_notified
        )
    )


@app.route("/v1/matches", methods=["GET"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("list_matches")
def list_matches() -> Response:
    from chalicelib import presenters, schemas

    principal = _municipality()
    query = schemas.MatchesQuery.model_validate(web.query_params(_request().query_params, {"since"}))
    found = container().follow_ups.matches(principal, query.since)
    return web.json_response(schemas.MatchesOut(items=[presenters.municipal_match_out(m) for m in found]))


@app.route(
    "/v1/matches/{match_id}/follow-up", methods=["POST"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer
)
@web.api_view("match_follow_up")
def match_follow_up(match_id: str) -> Response:
    from chalicelib import presenters, schemas

    principal = _municipality()
    body, _ = web.parse_body(_request(), schemas.FollowUpIn)
    match = container().follow_ups.follow_up(principal, match_id, FollowUp(body.status), body.note_code)
    return web.json_response(presenters.municipal_match_out(match))


@app.route("/v1/reports", methods=["GET"], content_types=web.ANY_MEDIA_TYPE, authorizer=token_authorizer)
@web.api_view("reports")
def get_report() -> Response:
    from chalicelib import schemas

    principal = _principal()
    query = schemas.ReportQuery.model_validate(web.query_params(_request().query_params, {"period", "region"}))
    return Response(
        body=container().reports.report(principal, query.period, query.region), headers={"Content-Type": web.JSON}
    )
