"""The whole system on this machine, on loopback only: ``make run`` (``python -m scripts.local_stack``).

One process runs, in this order:

1. an embedded AWS (moto's ``ThreadedMotoServer``, one DynamoDB request at a time) on ``127.0.0.1``;
   ``AWS_ENDPOINT_URL``, dummy credentials and the region are set in ``os.environ`` so this process
   and its children reach it;
2. the resources of stage ``local`` (tables from ``infra/``, a fresh SecureString pseudonym key);
3. demo clients, registered through the admin services: two organisations in different regions,
   a municipality with a regievoerder and one excluded address;
4. the API, served by Chalice's local server on ``http://127.0.0.1:<port>``;
5. unless ``--brp off``, a stand-in for the population register (BRP) on a free loopback port,
   answering from RvIG test personas (``local/brp_stand_in.py``), its URLs and client credentials
   in the emulator's SSM where the app reads them; a signal accepted while it is down waits on the
   recheck queue ``--recheck-wait`` seconds (a deployment: 15 minutes) for ``recheck_work``.

Everything lives in memory and is gone when the command stops. The only file written is the
state file (``.local/stack.json`` unless ``--state-file`` says otherwise): the URLs and the demo
tokens, for scripts and tests. It is written once the stack answers and removed when it stops.

Each running part is a *component* with ``start()`` and ``stop()``; :class:`LocalStack` starts
them in order and stops the started ones in reverse on Ctrl-C, SIGTERM or a failed start. More
background workers (a DynamoDB-stream poller, a schedule firer, an outbox page) are added as
further components in :meth:`LocalStack.start`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import errno
import faulthandler
import functools
import json
import os
import shlex
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scripts.local_people import provision_identity, seed_people
from scripts.local_workers import OutboxServer, QueueWorker, ScheduleWorker, StreamWorker

PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "local"
LOOPBACK = "127.0.0.1"
REGION = "eu-west-1"
DEFAULT_API_PORT = 8000
DEFAULT_EMULATOR_PORT = 5000
DEFAULT_OUTBOX_PORT = 8025
DEFAULT_STATE_FILE = PROJECT_DIR / ".local" / "stack.json"
START_TIMEOUT_SECONDS = 30.0
STOP_DIAGNOSIS_SECONDS = 20.0
# The recheck queue's waits here: long enough to try a recheck by hand, short enough to see it happen.
DEFAULT_RECHECK_WAIT = 30
RECHECK_WAIT_LIMIT = 900
# Connections the API's listening socket queues before the kernel refuses more; API Gateway queues
# far more. Chalice's local server keeps socketserver's default of 5.
API_BACKLOG = 128

DEMO_ORGANISATIONS = (
    {"name": "GGD Regio Utrecht", "sector": "jgz", "region": "utrecht"},
    {"name": "Buurtteam Amsterdam-Oost", "sector": "wijkteam", "region": "amsterdam"},
)
DEMO_MUNICIPALITY: dict[str, str] = {
    "code": "0344",
    "name": "Utrecht",
    "region": "utrecht",
    "regievoerder_email": "regie@utrecht.example.nl",
}
# A (fictitious) shelter: signals for different children at this address never give address matches.
DEMO_EXCLUDED_ADDRESS: dict[str, Any] = {
    "postcode": "3512 JE",
    "house_number": 1,
    "house_letter": None,
    "house_number_suffix": None,
}

# A valid ``POST /v1/signals`` body; the child is 12 in 2026, the BSN passes the eleven-test.
DEMO_SIGNAL: dict[str, Any] = {
    "child": {
        "bsn": "111222333",
        "given_names": "Sanne",
        "family_name_prefix": "de",
        "family_name": "Vries",
        "birth_date": "2014-05-01",
        "gender": "V",
        "address": {
            "street": "Dorpsstraat",
            "house_number": 12,
            "house_letter": "a",
            "house_number_suffix": "bis",
            "postcode": "3511 AB",
            "city": "Utrecht",
            "municipality_code": "0344",
        },
    },
    "professional": {
        "name": "P. Jansen",
        "function": "Jeugdverpleegkundige",
        "email": "p.jansen@ggd.example.nl",
        "phone": "+31 30 123 4567",
    },
    "case_reference": "JGZ-2026-0042",
    "family_informed": True,
}
# Zoey, an RvIG test persona the BRP stand-in knows (local/brp_personas.json): with the register on,
# a signal must name a child the register knows, with its family name and birth date.
DEMO_BRP_SIGNAL: dict[str, Any] = {
    **DEMO_SIGNAL,
    "child": {
        **DEMO_SIGNAL["child"],
        "bsn": "999995807",
        "given_names": "Zoey",
        "family_name_prefix": "den",
        "family_name": "Braber",
        "birth_date": "2018-11-14",
        "address": {
            "street": "Schakelstraat",
            "house_number": 14,
            "house_letter": "H",
            "postcode": "1014 AW",
            "city": "Amsterdam",
            "municipality_code": "0363",
        },
    },
}

# Settings the app needs that .chalice/config.json may not give stage ``local`` (yet); it wins when it does.
LOCAL_FALLBACKS = {
    "MAIL_SENDER": "noreply@verwijsindex.example.nl",
    "SES_CONFIGURATION_SET": "verwijsindex-local",
}

# Variables that would send boto3 elsewhere than the emulator, or to a real account.
_FOREIGN_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)


class StackError(Exception):
    """The stack cannot start; the message says why and what to do."""


class Stopped(BaseException):
    """Raised in the main thread by Ctrl-C, SIGTERM or SIGHUP (a BaseException, so nothing swallows it)."""


class Component(Protocol):
    """A part of the running stack. ``start`` returns once it serves; ``stop`` is safe to call twice
    and after a ``start`` that failed half-way."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Options:
    port: int = DEFAULT_API_PORT
    emulator_port: int | None = None  # None: 5000 if free, else any free port; 0: any free port
    state_file: Path = DEFAULT_STATE_FILE
    check: bool = False
    verbose: bool = False
    outbox_port: int = DEFAULT_OUTBOX_PORT
    lifecycle_interval: float = 60.0
    # The population register's stand-in; make run turns it on (BRP=on), tests and tools choose.
    brp: bool = False
    # How moves and deaths are followed with the stand-in on (make run BRP_FOLLOW=...; docs/brp.md).
    brp_follow: str = "update-api"
    # Seconds a recheck waits before its first try and between tries (deployed: 900, then 1800).
    recheck_wait: int = DEFAULT_RECHECK_WAIT


@dataclass
class StackState:
    """What a client of the running stack needs; written to the state file as JSON."""

    api_url: str
    emulator_url: str
    stage: str
    region: str
    pid: int
    environment: dict[str, str]
    organisations: list[dict[str, Any]] = field(default_factory=list)
    municipalities: list[dict[str, Any]] = field(default_factory=list)
    excluded_addresses: list[dict[str, Any]] = field(default_factory=list)
    outbox_url: str = ""
    console_url: str = ""
    people: list[dict[str, Any]] = field(default_factory=list)
    brp_url: str = ""
    recheck_wait: int = DEFAULT_RECHECK_WAIT

    def to_json(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "emulator_url": self.emulator_url,
            "outbox_url": self.outbox_url,
            "stage": self.stage,
            "region": self.region,
            "pid": self.pid,
            "environment": self.environment,
            "organisations": self.organisations,
            "municipalities": self.municipalities,
            "excluded_addresses": self.excluded_addresses,
            "console_url": self.console_url,
            "people": self.people,
            # The BRP stand-in; empty when the stack runs without the register (BRP=off).
            "brp_url": self.brp_url,
            # Seconds before a pending signal's recheck, and between its tries.
            "recheck_wait": self.recheck_wait,
        }


# --- environment -------------------------------------------------------------------------------


def configure_aws_environment(environ: MutableMapping[str, str], endpoint_url: str | None = None) -> None:
    """Point boto3 (here and in child processes) at the emulator with dummy credentials, never at AWS."""
    for name in list(environ):
        if name in _FOREIGN_AWS_VARIABLES or name.startswith("AWS_ENDPOINT_URL_"):
            del environ[name]
    environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )
    if endpoint_url is not None:
        environ["AWS_ENDPOINT_URL"] = endpoint_url
    else:
        environ.pop("AWS_ENDPOINT_URL", None)


def stage_environment() -> dict[str, str]:
    """The variables stage ``local`` gives its functions; :data:`LOCAL_FALLBACKS` fill what it lacks."""
    from infra.stages import stage_environment as of_stage

    return {**LOCAL_FALLBACKS, **of_stage(STAGE)}


def port_available(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


# --- components --------------------------------------------------------------------------------


class MotoEmulator:
    """moto's server, every AWS service on one loopback port.

    It handles one DynamoDB request at a time (``local.moto_isolation``): moto does not isolate
    concurrent DynamoDB requests, DynamoDB does, and the API serves requests in parallel.
    """

    name = "emulator"

    def __init__(self, port: int | None, verbose: bool = False) -> None:
        self._requested_port = port
        self._verbose = verbose
        self._server: Any = None
        self._isolation = contextlib.ExitStack()
        self.port: int | None = None

    @property
    def url(self) -> str:
        assert self.port is not None, "start() first"
        return f"http://{LOOPBACK}:{self.port}"

    def _choose_port(self) -> int:
        if self._requested_port is None:
            if port_available(DEFAULT_EMULATOR_PORT):
                return DEFAULT_EMULATOR_PORT
            print(f"  port {DEFAULT_EMULATOR_PORT} is taken; the emulator takes a free port instead")
            return 0
        if self._requested_port and not port_available(self._requested_port):
            raise StackError(f"emulator port {self._requested_port} is in use; choose another with --emulator-port")
        return self._requested_port

    def start(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        from local.moto_cognito import revoke_token_supported
        from local.moto_isolation import one_dynamodb_request_at_a_time

        self._isolation.enter_context(one_dynamodb_request_at_a_time())
        self._isolation.enter_context(revoke_token_supported())
        # moto checks TOTP codes only when asked to; the console requires them.
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
        if not self._verbose:
            # werkzeug logs every emulator request at INFO; the API's own log is what matters here.
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address=LOOPBACK, port=self._choose_port(), verbose=False)
        # ThreadedMotoServer.start() waits forever if its thread cannot bind; wait here with a limit.
        starter = threading.Thread(target=server.start, name="emulator-start", daemon=True)
        starter.start()
        starter.join(START_TIMEOUT_SECONDS)
        if starter.is_alive():
            raise StackError("the AWS emulator did not start (is its port taken?)")
        self._server = server
        self.port = server.get_host_and_port()[1]

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            # The emulated resources live in this process's moto backends, not in the server: empty
            # them, or a later stack in the same process (a browser test module) finds them taken.
            http("POST", f"http://{LOOPBACK}:{self.port}/moto-api/reset")
            server.stop()
            # stop() shuts the serving loop down but leaves the socket open; close it so the port is free.
            wsgi_server = getattr(server, "_server", None)
            if wsgi_server is not None:
                wsgi_server.server_close()
        self._isolation.close()


class ChaliceApi:
    """``app.py`` behind Chalice's local server (API Gateway and the custom authorizer emulated)."""

    name = "api"

    def __init__(self, project_dir: Path, stage: str, port: int) -> None:
        self._project_dir = project_dir
        self._stage = stage
        self._requested_port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        assert self.port is not None, "start() first"
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        from chalice.cli import create_local_server
        from chalice.cli.factory import CLIFactory

        # environ=os.environ: the stage's environment variables land where app.py reads them, as in
        # ``chalice local``. The app is imported here, after AWS_ENDPOINT_URL is set.
        factory = CLIFactory(str(self._project_dir), environ=os.environ)
        try:
            server = create_local_server(factory, LOOPBACK, self._requested_port, self._stage)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StackError(
                    f"API port {self._requested_port} is in use; choose another, e.g. `make run PORT=8123`"
                ) from exc
            raise
        _widen_backlog(server.server, API_BACKLOG)
        _answer_as_api_gateway(server.server)
        self.port = server.server.server_address[1]
        server.port = self.port  # what its "Serving on …" line shows when --port 0 was asked
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
        self._thread.start()
        _wait_for_health(self.url, START_TIMEOUT_SECONDS)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        _give_the_app_its_class_back(server)


def _give_the_app_its_class_back(server: Any) -> None:
    """chalice's ``create_local_server`` makes the app a ``CustomLocalChalice`` by setting that
    class's bases to (LocalChalice, the app's class); a second server in the same process (one per
    browser test module) would make the class its own base. Undo it when the server stops."""
    from chalice.local import CustomLocalChalice

    app = server.app_object
    if type(app) is CustomLocalChalice:
        app.__class__ = CustomLocalChalice.__bases__[1]


def _answer_as_api_gateway(server: socketserver.TCPServer) -> None:
    """Answer a missing token, an unknown route and a failing authorizer with the gateway responses
    infra/template.json deploys, not with chalice's plain JSON (see infra/gateway.py)."""
    from infra.gateway import GatewayRequestHandler

    handler = server.RequestHandlerClass
    assert isinstance(handler, functools.partial), "chalice binds its handler to the app with functools.partial"
    server.RequestHandlerClass = functools.partial(GatewayRequestHandler, *handler.args, **handler.keywords)


def _widen_backlog(server: socketserver.TCPServer, backlog: int) -> None:
    """Let a bound, listening server queue ``backlog`` connections instead of its default.

    With socketserver's five, a burst of 20 clients got connections reset. ``listen`` again on a
    listening socket only changes the length of its queue.
    """
    server.request_queue_size = backlog
    server.socket.listen(backlog)


# --- provisioning and seeding -------------------------------------------------------------------


def provision(environment: dict[str, str], recheck_wait: int = DEFAULT_RECHECK_WAIT) -> dict[str, str]:
    """The tables, the nightly work queue and the recheck queue (with ``recheck_wait`` for its waits) as
    ``infra/`` deploys them, a fresh pseudonym key (never persisted) and the verified SES sender;
    returns what became known (the signals table's stream ARN)."""
    import boto3

    from infra.queues import create_recheck_queue, create_work_queue
    from infra.tables import TableNames, create_tables

    session = boto3.session.Session()
    names = TableNames(
        signals=environment["SIGNALS_TABLE"],
        logbook=environment["LOGBOOK_TABLE"],
        registry=environment["REGISTRY_TABLE"],
        idempotency=environment["IDEMPOTENCY_TABLE"],
    )
    create_tables(session.client("dynamodb"), names)
    create_work_queue(session.client("sqs"), environment["LIFECYCLE_QUEUE"])
    create_recheck_queue(session.client("sqs"), environment["RECHECK_QUEUE"], wait_seconds=recheck_wait)
    session.client("ssm").put_parameter(
        Name=environment["PSEUDONYM_KEY_PARAMETER"],
        Value=base64.b64encode(os.urandom(32)).decode(),
        Type="SecureString",
        Description="pseudonym key of the local stack; new on every run",
    )
    # SES rejects an unverified sender, as AWS does.
    ses = session.client("ses")
    if environment.get("MAIL_SENDER"):
        ses.verify_email_identity(EmailAddress=environment["MAIL_SENDER"])
    if environment.get("SES_CONFIGURATION_SET"):
        ses.create_configuration_set(ConfigurationSet={"Name": environment["SES_CONFIGURATION_SET"]})
    table = session.client("dynamodb").describe_table(TableName=names.signals)["Table"]
    return {"SIGNALS_STREAM_ARN": table["LatestStreamArn"]}


class BrpStandInComponent:
    name = "BRP stand-in"

    def __init__(self) -> None:
        from local.brp_stand_in import BrpStandIn

        self.stand_in = BrpStandIn(port=0)

    def start(self) -> None:
        self.stand_in.start()

    def stop(self) -> None:
        self.stand_in.stop()


def provision_brp(environment: dict[str, str], component: BrpStandInComponent) -> None:
    """The stand-in's URLs and credentials where a deployment keeps the real ones: SSM, under BRP_PARAMETERS."""
    import boto3

    component.stand_in.provision(boto3.client("ssm"), environment["BRP_PARAMETERS"])


def demo_signal(state: StackState) -> dict[str, Any]:
    """With the register on, the demo child must be one it knows: Zoey, an RvIG test persona."""
    return DEMO_BRP_SIGNAL if state.brp_url else DEMO_SIGNAL


def seed(environment: dict[str, str], state: StackState) -> None:
    """Demo clients, registered exactly as the admin CLI registers them."""
    from chalicelib.bootstrap import Container
    from chalicelib.services import admin
    from chalicelib.settings import Settings

    container = Container(settings=Settings.from_environ(environment))
    registry = container.registry
    now = container.clock.now()
    for spec in DEMO_ORGANISATIONS:
        organisation, token = admin.create_organisation(registry, spec["name"], spec["sector"], spec["region"], now)
        state.organisations.append(
            {
                "id": organisation.id,
                "name": organisation.name,
                "sector": organisation.sector,
                "region": organisation.region,
                "token_id": token.token_id,
                "token": token.token,
            }
        )
    municipality = DEMO_MUNICIPALITY
    token = admin.create_municipality(
        registry,
        municipality["code"],
        municipality["name"],
        municipality["region"],
        municipality["regievoerder_email"],
        now,
    )
    state.municipalities.append({**municipality, "token_id": token.token_id, "token": token.token})
    address = DEMO_EXCLUDED_ADDRESS
    admin.add_excluded_address(
        registry,
        container.pseudonymiser(),
        address["postcode"],
        address["house_number"],
        address["house_letter"],
        address["house_number_suffix"],
        now,
    )
    state.excluded_addresses.append(dict(address))


# --- the stack ----------------------------------------------------------------------------------


class LocalStack:
    """Starts the components in order; :meth:`stop` stops the started ones in reverse."""

    def __init__(self, options: Options, project_dir: Path = PROJECT_DIR) -> None:
        self.options = options
        self.project_dir = project_dir
        self.components: list[Component] = []
        self.state: StackState | None = None
        self._state_written = False

    def __enter__(self) -> StackState:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _start(self, component: Component) -> None:
        print(f"  starting {component.name}…", flush=True)
        self.components.append(component)  # before start(): stop() also undoes a half-done start
        component.start()

    def start(self) -> StackState:
        if self.options.port and not port_available(self.options.port):  # fail before the slow part
            raise StackError(f"API port {self.options.port} is in use; choose another, e.g. `make run PORT=8123`")
        configure_aws_environment(os.environ)
        emulator = MotoEmulator(self.options.emulator_port, verbose=self.options.verbose)
        self._start(emulator)
        configure_aws_environment(os.environ, emulator.url)

        environment = stage_environment()
        environment.update(provision(environment, self.options.recheck_wait))
        environment.update(provision_identity(environment))
        brp_url = ""
        if self.options.brp:
            brp = BrpStandInComponent()
            self._start(brp)
            provision_brp(environment, brp)
            brp_url = brp.stand_in.url
        environment["BRP"] = "on" if self.options.brp else "off"
        # The stand-in also answers the BRP Update API and the search by name: moves and deaths are
        # followed each "night", the one way or the other.
        environment["BRP_FOLLOW"] = self.options.brp_follow if self.options.brp else "off"
        os.environ.update(environment)
        state = StackState(
            api_url="",
            emulator_url=emulator.url,
            stage=STAGE,
            region=REGION,
            pid=os.getpid(),
            environment=environment,
            brp_url=brp_url,
            recheck_wait=self.options.recheck_wait,
        )
        seed(dict(os.environ), state)

        api = ChaliceApi(self.project_dir, STAGE, self.options.port)
        self._start(api)
        state.api_url = api.url
        state.console_url = f"{api.url}/console/inloggen"
        # The match function and the lifecycle job (in this process) link their mails to the portal.
        os.environ["CONSOLE_URL"] = f"{api.url}/console/"
        environment["CONSOLE_URL"] = os.environ["CONSOLE_URL"]
        state.people = seed_people(dict(os.environ), state.console_url, state.organisations)
        # What Lambda's event sources and SES would do around the API.
        self._start(StreamWorker(environment["SIGNALS_STREAM_ARN"]))
        self._start(ScheduleWorker(self.options.lifecycle_interval))
        self._start(QueueWorker(environment["LIFECYCLE_QUEUE"]))
        if self.options.brp:
            # A recheck that fails (the register still down) comes back after the queue's visibility timeout.
            self._start(QueueWorker(environment["RECHECK_QUEUE"], function="recheck_work", retry_at_once=False))
        outbox = OutboxServer(self.options.outbox_port)
        self._start(outbox)
        state.outbox_url = outbox.url

        self.state = state
        write_state(self.options.state_file, state)
        self._state_written = True
        return state

    def stop(self) -> None:
        if self._state_written:
            self.options.state_file.unlink(missing_ok=True)
            self._state_written = False
        while self.components:
            component = self.components.pop()
            try:
                component.stop()
            except Exception as exc:  # keep stopping the others
                print(f"  stopping {component.name} failed: {exc!r}", file=sys.stderr)


def write_state(path: Path, state: StackState) -> None:
    """Atomically, readable by the owner only (it holds tokens)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(state.to_json(), handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


# --- HTTP helpers, banner and self-check --------------------------------------------------------


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """``(status, parsed JSON body or text)``; non-2xx answers are returned, not raised."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def _wait_for_health(api_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = http("GET", f"{api_url}/v1/health")
            if status == 200 and body == {"status": "ok"}:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise StackError(f"the API at {api_url} did not answer /v1/health")
        time.sleep(0.1)


def curl_examples(state: StackState) -> list[str]:
    token = state.organisations[0]["token"]
    body = json.dumps(demo_signal(state), separators=(",", ":"))
    return [
        f"curl -s {state.api_url}/v1/health",
        f"curl -s -X POST {state.api_url}/v1/signals \\\n"
        f"    -H 'Authorization: Bearer {token}' \\\n"
        f"    -H 'Content-Type: application/json' \\\n"
        f"    -d {shlex.quote(body)}",
    ]


def banner(state: StackState, state_file: Path) -> str:
    lines = [
        "",
        f"Verwijsindex local stack is ready (stage {state.stage}, region {state.region}).",
        f"  API        {state.api_url}",
        f"  Emulator   {state.emulator_url}  (moto; every AWS service)",
        f"  Outbox     {state.outbox_url}  (the e-mails SES sent; JSON at /messages.json)",
        f"  State file {state_file}",
        f"  BRP        {state.brp_url or 'off (no verification, no family match; make run BRP=on)'}",
        "",
        "Demo clients (the tokens work until this stack stops):",
    ]
    for organisation in state.organisations:
        lines.append(
            f"  organisation {organisation['name']} ({organisation['sector']}, {organisation['region']}),"
            f" id {organisation['id']}"
        )
        lines.append(f"      token {organisation['token']}")
    for municipality in state.municipalities:
        lines.append(
            f"  municipality {municipality['code']} {municipality['name']} ({municipality['region']}),"
            f" regievoerder {municipality['regievoerder_email']}"
        )
        lines.append(f"      token {municipality['token']}")
    for address in state.excluded_addresses:
        parts = [address["postcode"], str(address["house_number"])]
        parts += [part for part in (address["house_letter"], address["house_number_suffix"]) if part]
        lines.append(f"  excluded address {' '.join(parts)}")
    if state.people:
        lines += ["", f"Console {state.console_url}", "  people (passwords work until this stack stops):"]
        for person in state.people:
            affiliation = (
                f"municipality {person['municipality_code']}"
                if person.get("municipality_code")
                else f"organisation {person['organisation_id']}"
            )
            lines.append(
                f"  {person['username']:<22} password {person['password']}  ({', '.join(person['roles'])},"
                f" {affiliation})"
            )
        secret = state.people[0]["totp_secret"]
        lines.append(f"  current TOTP code (one secret for every person): .venv/bin/python -m scripts.totp {secret}")
    lines += ["", "Try it (a second identical POST answers 409: one active signal per organisation and child):"]
    lines += [f"  {example}" for example in curl_examples(state)]
    lines += [
        "",
        "The nightly jobs (BRP follow-up, lifecycle) run every minute here;",
        "to run the lifecycle job as of a date (it archives and deletes!):",
        f"  AWS_ENDPOINT_URL={state.emulator_url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
        f" AWS_DEFAULT_REGION={state.region} .venv/bin/python -m admin --stage {state.stage}"
        " run-lifecycle --as-of 2031-01-01",
        "",
        "Admin CLI against this stack:",
        f"  AWS_ENDPOINT_URL={state.emulator_url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
        f" AWS_DEFAULT_REGION={state.region} .venv/bin/python -m admin --stage {state.stage} --help",
        "",
        *(
            [
                "The BRP stand-in (RvIG test personas, docs/brp.md): move a persona or record a death:",
                "  .venv/bin/python -m scripts.brp_stand_in move 999995832 --postcode 3512JE --house-number 7"
                " --municipality 0344",
                "  .venv/bin/python -m scripts.brp_stand_in death 999992077 --on 2026-12-01",
                "The next nightly run (every minute here, or now with 'scripts.brp_stand_in follow') follows them.",
                "Make the register fail, and a new signal is accepted as pending and checked again"
                f" {state.recheck_wait} s later:",
                "  .venv/bin/python -m scripts.brp_stand_in outage --status 503 --count 2",
                "",
            ]
            if state.brp_url
            else []
        ),
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def smoke_check(state: StackState) -> list[str]:
    """Health, a 401 without token and a 201 for the demo signal; returns the failures."""
    failures: list[str] = []
    status, body = http("GET", f"{state.api_url}/v1/health")
    if (status, body) != (200, {"status": "ok"}):
        failures.append(f"GET /v1/health answered {status} {body!r}")
    status, _ = http("POST", f"{state.api_url}/v1/signals", demo_signal(state))
    if status != 401:
        failures.append(f"POST /v1/signals without a token answered {status}, not 401")
    organisation = state.organisations[0]
    status, body = http("POST", f"{state.api_url}/v1/signals", demo_signal(state), organisation["token"])
    if status != 201 or not isinstance(body, dict):
        failures.append(f"POST /v1/signals answered {status} {body!r}, not 201")
    elif body.get("status") != "active" or body.get("organisation", {}).get("id") != organisation["id"]:
        failures.append(f"POST /v1/signals returned an unexpected signal: {body!r}")
    elif "bsn" in body.get("child", {}) or demo_signal(state)["child"]["bsn"] in json.dumps(body):
        failures.append("POST /v1/signals returned the BSN")
    return failures


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m scripts.local_stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_API_PORT, help="API port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--emulator-port",
        type=int,
        default=None,
        help=f"moto port on 127.0.0.1 (default {DEFAULT_EMULATOR_PORT}, or a free port when that is taken; 0: any)",
    )
    parser.add_argument(
        "--state-file", type=Path, default=DEFAULT_STATE_FILE, help="where the URLs and demo tokens are written"
    )
    parser.add_argument(
        "--check", action="store_true", help="start, call the API once as a client would, stop; exit 1 on failure"
    )
    parser.add_argument("--verbose", action="store_true", help="also log every request the emulator serves")
    parser.add_argument(
        "--brp",
        choices=("on", "off"),
        default="on",
        help="on (default): a stand-in for the population register (BRP) verifies signals and finds family"
        " matches; off: the stage runs without it",
    )
    parser.add_argument(
        "--brp-follow",
        choices=("update-api", "ask", "off"),
        default="update-api",
        help="with the stand-in on: follow moves and deaths through its BRP Update API (default), or ask it"
        " about every child with a signal each night (ask), or not at all",
    )
    parser.add_argument(
        "--recheck-wait",
        type=int,
        default=DEFAULT_RECHECK_WAIT,
        help="seconds a signal accepted while the BRP was down waits before it is checked again, and between"
        f" tries (default {DEFAULT_RECHECK_WAIT}; deployed: 900, then 1800)",
    )
    parser.add_argument(
        "--outbox-port", type=int, default=DEFAULT_OUTBOX_PORT, help="outbox page on 127.0.0.1 (0: any free)"
    )
    parser.add_argument(
        "--lifecycle-interval",
        type=float,
        default=60.0,
        help="seconds between runs of the nightly lifecycle job (default 60; AWS runs it nightly)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.recheck_wait <= RECHECK_WAIT_LIMIT:
        parser.error(f"--recheck-wait is 0 to {RECHECK_WAIT_LIMIT} seconds (SQS delays a message at most that long)")
    return Options(
        port=args.port,
        emulator_port=args.emulator_port,
        state_file=args.state_file.resolve(),
        check=args.check,
        verbose=args.verbose,
        outbox_port=args.outbox_port,
        lifecycle_interval=args.lifecycle_interval,
        brp=args.brp == "on",
        brp_follow=args.brp_follow,
        recheck_wait=args.recheck_wait,
    )


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _set_signal_handlers(handler: Callable[[int, Any], None]) -> None:
    for signum in _STOP_SIGNALS:
        signal.signal(signum, handler)


def _request_stop(signum: int, frame: Any) -> None:
    raise Stopped(signum)


def _force_exit(signum: int, frame: Any) -> None:
    print("\nforced exit while stopping", file=sys.stderr, flush=True)
    os._exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    stack = LocalStack(options)
    _set_signal_handlers(_request_stop)
    print(f"Starting the Verwijsindex local stack (stage {STAGE}, loopback only)…", flush=True)
    try:
        state = stack.start()
        if options.check:
            failures = smoke_check(state)
            for failure in failures:
                print(f"  check failed: {failure}", file=sys.stderr)
            print("check passed" if not failures else "check FAILED", flush=True)
            return 1 if failures else 0
        print(banner(state, options.state_file), flush=True)
        while True:
            time.sleep(3600)
    except Stopped:
        return 0
    except StackError as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C while stopping ends the process at once.
        _set_signal_handlers(_force_exit)
        print("Stopping the local stack…", flush=True)
        # Stopping takes seconds; if it hangs, say where each thread is (a second Ctrl-C still ends it).
        faulthandler.dump_traceback_later(STOP_DIAGNOSIS_SECONDS)
        stack.stop()
        faulthandler.cancel_dump_traceback_later()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
