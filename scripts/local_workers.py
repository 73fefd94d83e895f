"""What Lambda and SES would do around the API, for the local stack.

- :class:`StreamWorker` polls the emulator's DynamoDB stream and invokes the match function with
  Lambda-shaped batches of the records its event-source filter lets through, honouring
  ``batchItemFailures`` (see ``local.streams``).
- :class:`ScheduleWorker` fires the nightly functions (BRP follow-up, then the lifecycle job's
  planner) on an interval, as EventBridge would.
- :class:`QueueWorker` delivers the nightly job's work queue to ``lifecycle_work``, and the recheck
  queue to ``recheck_work``, as Lambda's SQS event sources would (see ``local.queues``).
- :class:`OutboxServer` serves the e-mails the emulator's SES accepted, as an HTML page and JSON.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"


def invoke_function(name: str, event: dict[str, Any]) -> Any:
    """Call one of the app's Lambda functions in-process, as Lambda would."""
    from chalice.local import LambdaContext

    from app import app

    return app.handler_map[name](event, LambdaContext(name, memory_size=512, max_runtime_ms=60_000))


class StreamWorker:
    """Delivers the signals table's stream to ``match_signals`` every ``interval`` seconds."""

    name = "stream poller"

    def __init__(self, stream_arn: str, interval: float = 0.5) -> None:
        self._arn = stream_arn
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def start(self) -> None:
        import boto3

        from local.stream_filter import match_function_filters
        from local.streams import StreamPoller

        poller = StreamPoller(
            boto3.session.Session().client("dynamodbstreams"),
            self._arn,
            lambda event: invoke_function("match_signals", event),
            filters=match_function_filters(),
        )

        def run() -> None:
            while not self._stop.wait(self._interval):
                try:
                    poller.poll()
                except Exception as exc:  # the emulator going away while stopping, for one
                    self.errors += 1
                    if not self._stop.is_set():
                        print(f"  stream poller: {type(exc).__name__}", flush=True)
                for batch in poller.dead_letters:
                    print(f"  stream poller: {len(batch)} record(s) failed too often, dropped", flush=True)
                poller.dead_letters.clear()

        self._thread = threading.Thread(target=run, name="stream-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


def scheduled_event() -> dict[str, Any]:
    """An EventBridge "Scheduled Event" as Lambda receives it."""
    import uuid
    from datetime import UTC, datetime

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/verwijsindex-local-lifecycle"],
        "detail": {},
    }


# The scheduled functions, in the order the nights run them (app.py: the BRP follow-up first).
NIGHTLY = ("register_follow", "lifecycle")


class ScheduleWorker:
    """Fires the nightly functions every ``interval`` seconds, as EventBridge would nightly."""

    name = "nightly schedule"

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        def run() -> None:
            while not self._stop.wait(self._interval):
                for name in NIGHTLY:
                    try:
                        report = invoke_function(name, scheduled_event())
                        if any(report.get(k) for k in ("due", "moved", "deceased")):
                            print(f"  {name}: {report}", flush=True)
                    except Exception as exc:
                        if not self._stop.is_set():
                            print(f"  {name}: {type(exc).__name__}", flush=True)
                self.runs += 1

        self._thread = threading.Thread(target=run, name="lifecycle-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


# What each queue's function reports that is worth a line in the stack's output.
QUEUE_FUNCTIONS = {
    "lifecycle_work": ("lifecycle", ("archived", "deleted", "reminders_sent")),
    "recheck_work": ("recheck", ("verified", "mismatched", "malformed")),
}


class QueueWorker:
    """Drains a queue into its function (``lifecycle_work`` unless ``function`` says otherwise) every
    ``interval`` seconds; a failed message comes back at once, or with ``retry_at_once`` false after
    the queue's visibility timeout, as on AWS."""

    def __init__(
        self, queue_name: str, interval: float = 1.0, function: str = "lifecycle_work", retry_at_once: bool = True
    ) -> None:
        self._queue = queue_name
        self._interval = interval
        self._function = function
        self._retry_at_once = retry_at_once
        self._label, self._shown = QUEUE_FUNCTIONS[function]
        self.name = f"{self._label} workers"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.chunks = 0

    def start(self) -> None:
        import boto3

        from local.queues import QueueDrainer

        drainer = QueueDrainer(
            boto3.session.Session().client("sqs"),
            self._queue,
            lambda event: invoke_function(self._function, event),
            retry_at_once=self._retry_at_once,
        )

        def run() -> None:
            while not self._stop.wait(self._interval):
                failures = drainer.failures
                try:
                    self.chunks += drainer.drain()
                except Exception as exc:  # the emulator going away while stopping, for one
                    if not self._stop.is_set():
                        print(f"  {self.name}: {type(exc).__name__}", flush=True)
                for report in drainer.results:
                    if any(report.get(key) for key in self._shown):
                        print(f"  {self._label}: {report}", flush=True)
                drainer.results.clear()
                if drainer.failures > failures and not self._retry_at_once:
                    print(f"  {self._label}: {drainer.failures - failures} failed, delivered again later", flush=True)

        self._thread = threading.Thread(target=run, name=f"{self._label}-workers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


def sent_mails() -> list[dict[str, Any]]:
    """Every e-mail the in-process emulator's SES accepted, newest first."""
    from local.outbox import sent_in_process

    return list(reversed(sent_in_process()))


def outbox_page(mails: list[dict[str, Any]]) -> str:
    rows = []
    for mail in mails:
        rows.append(
            "<article>"
            f"<h2>{html.escape(mail['subject'])}</h2>"
            f"<p><strong>Aan:</strong> {html.escape(mail['to'])} <small>({html.escape(str(mail['id']))})</small></p>"
            f"<pre>{html.escape(mail['text'])}</pre>"
            "</article>"
        )
    body = "\n".join(rows) or "<p>Nog geen e-mails verstuurd.</p>"
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta http-equiv='refresh' content='5'><title>Verwijsindex outbox</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "article{border-bottom:1px solid #ccc;padding:.5em 0}pre{white-space:pre-wrap}</style></head>"
        f"<body><h1>Outbox ({len(mails)})</h1><p><a href='/messages.json'>JSON</a></p>{body}</body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        mails = sent_mails()
        if self.path.split("?")[0] in ("/messages.json", "/api/messages"):
            payload = json.dumps([{k: v for k, v in m.items() if k != "raw"} for m in mails], indent=2)
            self._send(200, "application/json", payload)
        elif self.path.split("?")[0] == "/":
            self._send(200, "text/html; charset=utf-8", outbox_page(mails))
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status: int, content_type: str, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class OutboxServer:
    name = "outbox"

    def __init__(self, port: int) -> None:
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self._server = ThreadingHTTPServer((LOOPBACK, self._requested_port), _Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
