"""The packaged functions run as Lambda runs them, on this machine.

``deployment.zip`` is unpacked into a read-only directory (Lambda's ``/var/task``); each probe is
a fresh interpreter that writes no bytecode (``-B``, as ``PYTHONDONTWRITEBYTECODE=1``), sees no
site-packages (``-I -S``) and finds modules in Lambda's order: the package, then the runtime's own
boto3 and its dependencies, then the standard library. A module the package lacks therefore fails
here as it would on Lambda, instead of being found in the virtual environment. Permission bits
do not stop root, so callers compare :meth:`Sandbox.files` before and after as well.

``infra/package.py`` uses it to find the modules worth compiling, ``benchmarks/cold_start.py`` to
time cold starts and ``tests/integration/test_cold_start.py`` to prove the bytecode is used.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What the Lambda Python runtime brings besides the standard library (in /var/runtime).
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")

# Run before every probe: Lambda's search path, from the two directories passed as arguments.
_SEARCH_PATH = "import sys\nsys.path[0:0] = sys.argv[1:3]\n"

# Records every module compiled from source while importing: with valid bytecode there is none.
# The hook sits on the standard library's source loader, in the probe's own interpreter only.
_RECORD_COMPILES = """
_source_loader = sys.modules["_frozen_importlib_external"].SourceLoader
_compile = _source_loader.source_to_code
compiled_from_source = []


def _recording(self, data, path, *, _optimize=-1):
    compiled_from_source.append(path)
    return _compile(self, data, path, _optimize=_optimize)


_source_loader.source_to_code = _recording
"""

# Marks the lines a probe reports, among the function's own log lines.
REPORT = "coldstart-report "

_IMPORT_TIME = """
import time

started = time.perf_counter()
import {module}

print(time.perf_counter() - started)
"""


class ProbeError(Exception):
    """A probe interpreter failed; its output says why."""


@dataclass(frozen=True)
class Sandbox:
    task: Path
    runtime: Path

    def run(self, code: str, environment: Mapping[str, str] | None = None, record_compiles: bool = False) -> str:
        """Run ``code`` in a fresh interpreter; returns what it printed."""
        prologue = _SEARCH_PATH + (_RECORD_COMPILES if record_compiles else "")
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **(environment or {})}
        result = subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-I", "-S", "-B", "-c", prologue + code, str(self.task), str(self.runtime)],
            cwd=self.task,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ProbeError(f"probe failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stdout

    def import_seconds(self, module: str) -> float:
        """Seconds ``import module`` takes in a fresh interpreter."""
        return float(self.run(_IMPORT_TIME.format(module=module)).strip().splitlines()[-1])

    def modules_after(self, code: str, environment: Mapping[str, str] | None = None) -> ModuleReport:
        """The modules loaded and those compiled from source by the time ``code`` has run."""
        report = (
            code
            + "\nimport json as _json\n"
            + f"print({REPORT!r} + _json.dumps({{'modules': {{name: getattr(module, '__file__', None)"
            + " for name, module in list(sys.modules.items())}, 'compiled': compiled_from_source}))\n"
        )
        reported = [
            json.loads(line[len(REPORT) :])
            for line in self.run(report, environment, record_compiles=True).splitlines()
            if line.startswith(REPORT)
        ]
        document = reported.pop()
        return ModuleReport(self.task, document["modules"], document["compiled"], reported)

    def files(self) -> set[str]:
        return {str(path.relative_to(self.task)) for path in self.task.rglob("*")}


@dataclass(frozen=True)
class ModuleReport:
    task: Path
    modules: dict[str, str | None]
    compiled: list[str]
    # Whatever else the code reported (``print(REPORT + json.dumps(...))``), in order.
    reported: list[Any]

    def from_package(self) -> dict[str, str]:
        """Module name -> file (relative to the package) of every module loaded from the package."""
        prefix = str(self.task) + os.sep
        return {
            name: file[len(prefix) :]
            for name, file in self.modules.items()
            if file is not None and file.startswith(prefix)
        }

    def compiled_in_package(self) -> list[str]:
        prefix = str(self.task) + os.sep
        return sorted(path[len(prefix) :] for path in self.compiled if path.startswith(prefix))

    def top_level(self) -> set[str]:
        return {name.split(".", 1)[0] for name in self.modules}


def link_runtime(target: Path) -> None:
    """``target`` holds links to this interpreter's copies of the modules the Lambda runtime brings,
    with their distributions' metadata (which ``importlib.metadata`` scans, as on Lambda)."""
    target.mkdir(parents=True, exist_ok=True)
    distributions = importlib.metadata.packages_distributions()
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ProbeError(f"{name} is not installed here; the Lambda runtime provides it")
        origin = Path(spec.origin)
        # Not submodule_search_locations: six, a single module, gives itself a __path__.
        source = origin.parent if origin.name == "__init__.py" else origin
        (target / source.name).symlink_to(source)
        for distribution in distributions.get(name, []):
            files = importlib.metadata.distribution(distribution).files or []
            for metadata in {file.parts[0] for file in files if file.name == "METADATA"}:
                if not (target / metadata).exists():
                    (target / metadata).symlink_to(source.parent / metadata)


def _set_writable(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


@contextmanager
def sandbox(archive: Path | None = None, task: Path | None = None, read_only: bool = True) -> Iterator[Sandbox]:
    """``archive`` unpacked (or the directory ``task`` as it is) next to the runtime's modules."""
    with tempfile.TemporaryDirectory(prefix="lambda-") as scratch:
        if task is None:
            assert archive is not None, "an archive or a task directory"
            task = Path(scratch) / "task"
            with zipfile.ZipFile(archive) as unpacking:
                unpacking.extractall(task)
        runtime = Path(scratch) / "runtime"
        link_runtime(runtime)
        if read_only:
            _set_writable(task, writable=False)
        try:
            yield Sandbox(task, runtime)
        finally:
            if read_only:
                _set_writable(task, writable=True)


# --- The four functions, each started cold and called once, as Lambda would -------------------------

# The handler Lambda calls for each function (the template's ``Handler``, without ``app.``).
HANDLERS = {
    "api": "app",
    "authorizer": "token_authorizer",
    "match": "match_signals",
    "lifecycle": "lifecycle",
    "lifecycle_work": "lifecycle_work",
}
LOOPBACK = "127.0.0.1"
REGION = "eu-west-1"

_FIRST_CALL = """
import json, os, time


class LambdaContext:
    aws_request_id = "coldstart"
    function_name = "verwijsindex-coldstart"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:verwijsindex-coldstart"

    def get_remaining_time_in_millis(self):
        return 30_000


started = time.perf_counter()
import app

imported = time.perf_counter()
result = app.{handler}(json.loads(os.environ["COLDSTART_EVENT"]), LambdaContext())
called = time.perf_counter()
print({report!r} + json.dumps({{"import": imported - started, "call": called - imported, "result": result}}))
"""


@dataclass(frozen=True)
class FunctionCall:
    handler: str
    event: dict[str, Any]


@dataclass(frozen=True)
class ColdStart:
    import_seconds: float
    call_seconds: float
    result: Any
    report: ModuleReport


def cold_start(box: Sandbox, call: FunctionCall, environment: Mapping[str, str]) -> ColdStart:
    """``import app`` and one call of the function in a fresh interpreter, with what each loaded."""
    code = _FIRST_CALL.format(handler=call.handler, report=REPORT)
    report = box.modules_after(code, {**environment, "COLDSTART_EVENT": json.dumps(call.event)})
    timing = report.reported[-1]
    return ColdStart(timing["import"], timing["call"], timing["result"], report)


@contextmanager
def emulated_stage(stage: str = "dev") -> Iterator[tuple[dict[str, str], dict[str, FunctionCall]]]:
    """moto's server on a loopback port, provisioned and seeded for ``stage``'s configuration.

    Yields the functions' environment (the stage's variables, pointed at the emulator) and a
    first call for each function: the API registers a signal, the authorizer checks a token, the
    match function gets the stream records of two organisations signalling one child (a match:
    three mails) and the lifecycle job runs its night. This process's environment points at the
    emulator until the block ends.
    """
    import logging

    from moto.server import ThreadedMotoServer

    from infra.stages import stage_environment

    # werkzeug logs every request the emulator serves.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    saved = dict(os.environ)
    try:
        endpoint = f"http://{LOOPBACK}:{server.get_host_and_port()[1]}"
        aws = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "coldstart",
            "AWS_SECRET_ACCESS_KEY": "coldstart",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
        os.environ.update(aws)
        os.environ.pop("AWS_PROFILE", None)
        variables = stage_environment(stage)
        stream_arn = _provision(variables)
        calls = _first_calls(variables, stream_arn)
        yield {**variables, **aws}, calls
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()
        # stop() ends the serving loop but leaves the socket open.
        wsgi_server = getattr(server, "_server", None)
        if wsgi_server is not None:
            wsgi_server.server_close()


def _provision(variables: Mapping[str, str]) -> str:
    """The stage's tables, key and verified sender; returns the signals table's stream ARN."""
    import base64

    import boto3

    from infra.queues import create_work_queue
    from infra.tables import TableNames, create_tables

    names = TableNames(
        signals=variables["SIGNALS_TABLE"],
        logbook=variables["LOGBOOK_TABLE"],
        registry=variables["REGISTRY_TABLE"],
        idempotency=variables["IDEMPOTENCY_TABLE"],
    )
    create_tables(boto3.client("dynamodb"), names)
    create_work_queue(boto3.client("sqs"), variables["LIFECYCLE_QUEUE"])
    key = base64.b64encode(os.urandom(32)).decode()
    boto3.client("ssm").put_parameter(Name=variables["PSEUDONYM_KEY_PARAMETER"], Value=key, Type="SecureString")
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress=variables["MAIL_SENDER"])
    ses.create_configuration_set(ConfigurationSet={"Name": variables["SES_CONFIGURATION_SET"]})
    stream_arn: str = boto3.client("dynamodb").describe_table(TableName=names.signals)["Table"]["LatestStreamArn"]
    return stream_arn


def _first_calls(variables: Mapping[str, str], stream_arn: str) -> dict[str, FunctionCall]:
    import boto3

    from chalicelib import callers, schemas
    from chalicelib.bootstrap import Container
    from chalicelib.domain.model import Principal, PrincipalKind
    from chalicelib.domain.nightly import Chunk, DueItem, DueKind
    from chalicelib.services import admin
    from chalicelib.settings import Settings
    from local.streams import StreamPoller
    from tests import builders

    container = Container(settings=Settings.from_environ(variables))
    now = container.clock.now()
    gone = DueItem(DueKind.SIGNAL, "0" * 64, "sg_gone")
    principals = []
    token = ""
    for name, sector, region in (("GGD Regio Utrecht", "jgz", "utrecht"), ("Buurtteam Oost", "wijkteam", "utrecht")):
        organisation, grant = admin.create_organisation(container.registry, name, sector, region, now)
        principals.append(Principal(organisation.id, PrincipalKind.ORGANISATION, organisation=organisation))
        token = token or grant.token
    admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", now)

    child = builders.child(bsn=builders.bsn(1))
    for principal in principals:
        body = schemas.SignalIn.model_validate(builders.signal_body(child=child))
        container.signals.register(principal, schemas.new_signal(body), None)
    records: list[dict[str, Any]] = []

    def collect(event: dict[str, Any]) -> dict[str, Any]:
        records.extend(event["Records"])
        return {"batchItemFailures": []}

    StreamPoller(boto3.client("dynamodbstreams"), stream_arn, collect).drain()

    api_body = builders.signal_body(child=builders.child(bsn=builders.bsn(2)))
    return {
        "api": FunctionCall(
            HANDLERS["api"], _api_event("/v1/signals", api_body, callers.principal_context(principals[0]))
        ),
        "authorizer": FunctionCall(
            HANDLERS["authorizer"],
            {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {token}",
                "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:coldstart/api/POST/v1/signals",
            },
        ),
        "match": FunctionCall(HANDLERS["match"], {"Records": records}),
        "lifecycle": FunctionCall(
            HANDLERS["lifecycle"],
            {
                "version": "0",
                "id": "coldstart",
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "123456789012",
                "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": ["arn:aws:events:eu-west-1:123456789012:rule/verwijsindex-lifecycle"],
                "detail": {},
            },
        ),
        # A chunk whose signal is gone by now: the worker reads it again and leaves it.
        "lifecycle_work": FunctionCall(HANDLERS["lifecycle_work"], _sqs_event(Chunk((gone,)).to_json())),
    }


def _sqs_event(body: str) -> dict[str, Any]:
    """One message of the nightly work queue as Lambda hands it to the worker function."""
    return {
        "Records": [
            {
                "messageId": "coldstart",
                "receiptHandle": "coldstart",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:verwijsindex-lifecycle-work",
                "awsRegion": REGION,
            }
        ]
    }


def _api_event(path: str, body: Any, authorizer: Mapping[str, str]) -> dict[str, Any]:
    """A POST as API Gateway hands it to the API function, after the authorizer let it through."""
    from infra.gateway import proxy_event

    context = {"principalId": authorizer["client_id"], **authorizer}
    return proxy_event("POST", path, body, context, {"sourceIp": LOOPBACK}, request_id="coldstart")
