"""Wiring only: each entry point takes its input and makes one call into chalicelib.

Each route is declared once in ``chalicelib.operations``: who may call it, its query, body and
answers. ``routes.Routes`` registers it with the checks its declaration implies and hands the view
a ``Call`` that passed them; ``chalicelib.openapi`` documents the same declarations.

Every function (API, authorizer, stream, schedule) imports this module on a cold start, so it
imports at the top only what all of them use; the API's models and presenters are imported by
the routes (see benchmarks/cold_start.py), and named in annotations for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import AuthRequest, AuthResponse, Chalice, Cron, Response

from chalicelib import callers, http_rules, operations, web
from chalicelib.bootstrap import container
from chalicelib.console.pages import console
from chalicelib.domain.answers import Answer
from chalicelib.domain.errors import DomainError
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import CloseReason, SignalStatus
from chalicelib.observability import SERVICE, count, flush_metrics, logger
from chalicelib.routes import Call, Routes
from chalicelib.services import auth
from chalicelib.settings import lifecycle_queue_name, recheck_queue_name, signals_stream_arn

if TYPE_CHECKING:
    from chalicelib import schemas

app = Chalice(app_name=SERVICE, configure_logs=False)
app.api.binary_types = []
app.register_blueprint(console, url_prefix=http_rules.CONSOLE_PREFIX.rstrip("/"))


@app.middleware("http")
def observe(event: Any, get_response: Any) -> Response:
    context = event.context or {}
    authorizer = context.get("authorizer") or {}
    logger.append_keys(request_id=context.get("requestId"), client_id=authorizer.get("client_id"))
    try:
        response = http_rules.http_rules(event, get_response)
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
        principal = auth.authenticate(container().registry, auth_request.token, container().clock.now())
    except DomainError:
        # Let the request through unauthenticated so the API answers 401 as problem+json.
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"authenticated": "false"})
    return AuthResponse(routes=["*"], principal_id=principal.client_id, context=callers.principal_context(principal))


routes = Routes(app, token_authorizer, mutual_tls=lambda: container().settings.client_certificates_required)


@routes(operations.HEALTH)
def health(call: Call[None, None]) -> Response:
    from chalicelib import schemas

    return web.json_response(schemas.HealthOut(status="ok"))


@routes(operations.OPENAPI)
def openapi(call: Call[None, None]) -> Response:
    from chalicelib.openapi import document

    return Response(body=document(), headers={"Content-Type": web.JSON})


@routes(operations.CREATE_SIGNAL)
def create_signal(call: Call[schemas.SignalIn, None]) -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    service = container().signals
    result = service.register(call.caller, schemas.new_signal(call.body), call.request.headers.get("idempotency-key"))
    if not result.replayed:
        count("SignalsCreated")
    read = result.read
    status = service.status(read.signal) or SignalStatus.ACTIVE
    headers = {"Location": f"{operations.BASE_PATH}/signals/{read.signal.id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(signal_out(read, status, service.today()), 201, headers)


@routes(operations.LIST_SIGNALS)
def list_signals(call: Call[None, schemas.ListQuery]) -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    query = call.query
    service = container().signals
    page = service.list(call.caller, query.status, query.limit, web.decode_cursor(query.cursor))
    return web.json_response(
        schemas.SignalPage(
            items=[
                signal_out(s, service.status(s.signal) or SignalStatus.ARCHIVED, service.today()) for s in page.signals
            ],
            next_cursor=web.encode_cursor(page.next_after),
        )
    )


@routes(operations.GET_SIGNAL)
def get_signal(call: Call[None, None], signal_id: str) -> Response:
    from chalicelib.presenters import signal_out

    service = container().signals
    read = service.get(call.caller, signal_id)
    return web.json_response(signal_out(read, service.status(read.signal) or SignalStatus.ARCHIVED, service.today()))


@routes(operations.CLOSE_SIGNAL)
def close_signal(call: Call[schemas.CloseIn, None], signal_id: str) -> Response:
    from chalicelib import schemas
    from chalicelib.presenters import signal_out

    service = container().signals
    archived = service.close(call.caller, signal_id, CloseReason(call.body.reason))
    if archived is None:
        return web.json_response(schemas.DeletedOut(id=signal_id, status="deleted"))
    return web.json_response(signal_out(archived, SignalStatus.ARCHIVED, service.today()))


@routes(operations.HAND_OVER_SIGNAL)
def hand_over_signal(call: Call[schemas.ProfessionalIn, None], signal_id: str) -> Response:
    from chalicelib.presenters import signal_out

    service = container().signals
    read = service.hand_over(call.caller, signal_id, call.body.to_domain())
    return web.json_response(signal_out(read, service.status(read.signal) or SignalStatus.ARCHIVED, service.today()))


@routes(operations.ANSWER_MATCH)
def answer_match(call: Call[schemas.AnswerIn, None], signal_id: str, match_id: str) -> Response:
    from chalicelib.presenters import answer_out

    answered = container().answers.answer(call.caller, match_id, Answer(call.body.answer), signal_id)
    return web.json_response(answer_out(answered))


@app.on_dynamodb_record(stream_arn=signals_stream_arn(), batch_size=10, starting_position="TRIM_HORIZON")
def match_signals(event: Any) -> dict[str, Any]:
    from chalicelib.stream import handle_batch

    try:
        return handle_batch(event.to_dict(), container().matching)
    finally:
        flush_metrics()


# Every night at 01:30 UTC (02:30 or 03:30 in the Netherlands), after the Dutch day has turned: the
# planner sends what is due, in chunks, to the queue that lifecycle_work reads.
@app.schedule(Cron(30, 1, "*", "*", "?", "*"), name="lifecycle")
def lifecycle(event: Any) -> dict[str, object]:
    try:
        return container().nightly_planner.plan().as_dict()
    finally:
        flush_metrics()


@app.on_sqs_message(queue=lifecycle_queue_name(), batch_size=1, name="lifecycle_work")
def lifecycle_work(event: Any) -> dict[str, object]:
    from chalicelib.work import handle_messages

    try:
        root = container()
        ask_planner, ask = root.ask_planner, root.register_ask
        asking = (ask_planner, ask) if ask_planner is not None and ask is not None else None
        return handle_messages((record.body for record in event), root.lifecycle, root.nightly_planner, asking)
    finally:
        flush_metrics()


# A signal accepted while the register was down, checked again some minutes later (docs/brp.md); a
# failure raises, so SQS delivers the message again after its visibility timeout.
@app.on_sqs_message(queue=recheck_queue_name(), batch_size=1, name="recheck_work")
def recheck_work(event: Any) -> dict[str, int]:
    from chalicelib.recheck_work import handle_rechecks

    try:
        return handle_rechecks((record.body for record in event), container().recheck)
    finally:
        flush_metrics()


# Every night at 00:30 UTC, before the lifecycle job: moves and deaths the BRP Update API reports for
# the children followed or, with BRP_FOLLOW=ask, every child with a signal planned onto the work queue
# for lifecycle_work to ask about (docs/brp.md); nothing to do with BRP or BRP_FOLLOW off.
@app.schedule(Cron(30, 0, "*", "*", "?", "*"), name="register_follow")
def register_follow(event: Any) -> dict[str, object]:
    try:
        ask_planner = container().ask_planner
        if ask_planner is not None:
            return ask_planner.plan().as_dict()
        nightly = container().nightly_follow
        if nightly is None:
            return {"followed": "off"}
        outcome = nightly.run()
        logger.info("register followed", extra=outcome.as_dict())
        return outcome.as_dict()
    finally:
        flush_metrics()


# Municipality endpoints: the BSN only ever travels in request bodies.


@routes(operations.SUBJECT_ACCESS)
def subject_access(call: Call[schemas.SubjectIn, schemas.AccessQuery]) -> Response:
    from chalicelib import presenters

    record = container().subjects.access(call.caller, call.body.bsn)
    if call.query.format == "html":
        from chalicelib.services.family_document import family_document, names_in

        document = family_document(record, call.caller.municipality_code or "", names_in(container().registry))
        html = presenters.access_document_html(document)
        return Response(body=html, headers={"Content-Type": "text/html; charset=utf-8"})
    return web.json_response(presenters.subject_access_out(record))


@routes(operations.SUBJECT_RECTIFY)
def subject_rectify(call: Call[schemas.RectifyIn, None]) -> Response:
    from chalicelib import presenters, schemas

    body = call.body
    result = container().subjects.rectify(call.caller, body.bsn, schemas.child_correction(body.child))
    return web.json_response(
        schemas.RectifiedOut(
            child=presenters.child_out(result.child),
            signals_updated=result.signals_updated,
            new_municipality_notified=result.new_municipality_notified,
        )
    )


@routes(operations.SUBJECT_ERASE)
def subject_erase(call: Call[schemas.EraseIn, None]) -> Response:
    from chalicelib import schemas

    result = container().subjects.erase(call.caller, call.body.bsn, call.body.reason)
    return web.json_response(
        schemas.ErasedOut(
            status="erased", signals_erased=result.signals_erased, professionals_notified=result.professionals_notified
        )
    )


@routes(operations.LIST_MATCHES)
def list_matches(call: Call[None, schemas.MatchesQuery]) -> Response:
    from chalicelib import presenters, schemas

    found = container().follow_ups.matches(call.caller, call.query.since)
    return web.json_response(schemas.MatchesOut(items=[presenters.municipal_match_out(m) for m in found]))


@routes(operations.MATCH_FOLLOW_UP)
def match_follow_up(call: Call[schemas.FollowUpIn, None], match_id: str) -> Response:
    from chalicelib import presenters

    body = call.body
    match = container().follow_ups.follow_up(call.caller, match_id, FollowUp(body.status), body.note_code)
    return web.json_response(presenters.municipal_match_out(match))


@routes(operations.REPORT)
def get_report(call: Call[None, schemas.ReportQuery]) -> Response:
    from chalicelib import schemas

    report = container().reports.report(call.caller, call.query.period, call.query.region)
    return web.json_response(schemas.ReportOut.model_validate(report))
