"""Package the app for CloudFormation: ``python -m infra.package --stage dev`` (``make package``).

Runs ``chalice package --pkg-format cloudformation --merge-template infra/template.json`` into
``out/<stage>/`` (git-ignored), then pins the template to that stage: the ``Stage`` parameter
defaults to it and allows nothing else, the key parameter and sender default to the stage's
values in ``.chalice/config.json``, and the API access log's retention to that of the stage's
function logs. ``aws cloudformation deploy`` then needs no parameter for the settings, and a
template packaged for ``dev`` cannot be deployed as ``prod``.

``.chalice/config.json`` stays the one place that names a stage's tables, key parameter, sender
and configuration set: packaging fails when the template would name them otherwise.

``deployment.zip`` is then made fit for a cold start (:func:`optimise_archive`): what nothing runs
is left out, and every module a function imports is compiled to bytecode that stays valid in
Lambda's read-only ``/var/task``, where Python would otherwise compile it on every cold start and
could not save the result. Bytecode normally records its source's modification time, which
unzipping does not keep; this bytecode is marked unchecked instead (``UNCHECKED_HASH``), as the
package never changes once built. The interpreter that runs ``chalice package`` compiles it, and
its version is the one chalice writes into the template as the functions' runtime.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from infra import coldstart
from infra.queues import QUEUE_SETTING, RECHECK_QUEUE, RECHECK_QUEUE_SETTING, WORK_QUEUE
from infra.stages import CONFIG, stage_environment
from infra.tables import TABLE_SETTINGS

PROJECT_DIR = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = PROJECT_DIR / "infra" / "template.json"
OUT_DIR = PROJECT_DIR / "out"
TEMPLATE_NAME = "sam.json"
# chalice needs a region to build the template; the template itself is region-neutral.
DEFAULT_REGION = "eu-west-1"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"

# Left out of deployment.zip: never imported by the app, and self-contained, so nothing that is
# imported reaches them. tests/integration/test_cold_start.py runs every function from the package.
LEFT_OUT = {
    "*.pyi": "type stubs, read by type checkers only",
    "*/py.typed": "a marker for type checkers",
    "aws_lambda_powertools/event_handler/*": "powertools' HTTP routing; Chalice routes this API",
    "aws_lambda_powertools/utilities/auth_alpha/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/circuit_breaker/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/data_masking/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/feature_flags/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/idempotency/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/kafka/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/metadata/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/parameters/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/streaming/*": "a powertools utility this app does not use",
    "aws_lambda_powertools/utilities/validation/*": "a powertools utility this app does not use",
    "pydantic/v1/*": "the pydantic 1 API, kept by pydantic 2 for old code",
    "pydantic/mypy.py": "pydantic's mypy plugin",
}
# Imports every module the functions can reach: app.py, every chalicelib module, and every module
# chalicelib names in an import statement, also inside a function. Names whose top-level package
# is nowhere (imports for type checking, such as mypy_boto3_*) are skipped. A module imported only
# later, on some rare path, still works: Python compiles it then.
_IMPORT_EVERYTHING = """
import ast, importlib, importlib.util, pkgutil
from pathlib import Path

import app
import chalicelib

names = {info.name for info in pkgutil.walk_packages(chalicelib.__path__, "chalicelib.")}
for path in [Path("app.py"), *Path("chalicelib").rglob("*.py")]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
for name in sorted(names):
    if importlib.util.find_spec(name.split(".")[0]) is not None:
        importlib.import_module(name)

# phonenumbers loads a country's metadata when it first meets one of its numbers; most are Dutch.
from chalicelib.domain import phones

phones.display(phones.normalise("+31 30 123 4567"))
"""


# The functions that read a queue of the template, with their event source as chalice names it and
# that queue (see point_work_queue): the nightly workers and the recheck consumer.
WORK_FUNCTION = "LifecycleWork"
WORK_EVENT_SOURCE = "LifecycleWorkSqsEventSource"
QUEUE_CONSUMERS = {
    WORK_FUNCTION: (WORK_EVENT_SOURCE, WORK_QUEUE),
    "RecheckWork": ("RecheckWorkSqsEventSource", RECHECK_QUEUE),
}

# ``make package`` also writes the template with the mutual TLS option on (these example values as
# the parameters' defaults), so that cfn-lint and checkov check the option on as well as off. It is
# for checking only: a deployment with the option on passes its own values as parameters.
MUTUAL_TLS_TEMPLATE_NAME = "sam-mutual-tls.json"
MUTUAL_TLS_EXAMPLE = {
    "MutualTls": "on",
    "MutualTlsDomainName": "api.verwijsindex.example.nl",
    "MutualTlsCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
    "MutualTlsTruststoreUri": "s3://verwijsindex-truststore-example/pkioverheid-private-root.pem",
    "MutualTlsTruststoreVersion": "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
}


class PackagingError(Exception):
    """The stage cannot be packaged, or config.json and the template disagree."""


def stage_log_retention(stage: str) -> int:
    """The days chalice keeps the stage's function logs; the API access log is kept as long."""
    config = json.loads(CONFIG.read_text())
    days = config["stages"][stage].get("log_retention_in_days", config.get("log_retention_in_days"))
    if not isinstance(days, int):
        raise PackagingError(f"stage {stage}: .chalice/config.json sets no log_retention_in_days")
    return days


def packageable_stages() -> list[str]:
    template = json.loads(MERGE_TEMPLATE.read_text())
    return list(template["Parameters"]["Stage"]["AllowedValues"])


def _substitute_stage(value: Any, stage: str) -> str:
    """A ``Fn::Sub`` name that uses only ``${Stage}``, rendered for ``stage``."""
    if not (isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str)):
        raise PackagingError(f"expected a Fn::Sub name, got {value!r}")
    text: str = value["Fn::Sub"].replace("${Stage}", stage)
    if "${" in text:
        raise PackagingError(f"name {value!r} uses more than ${{Stage}}")
    return text


def check_names(template: dict[str, Any], stage: str, environment: dict[str, str]) -> None:
    """The tables, configuration set and queues the template creates are the ones config.json names."""
    resources = template["Resources"]
    expected = {setting: resources[logical]["Properties"]["TableName"] for logical, setting in TABLE_SETTINGS.items()}
    expected["SES_CONFIGURATION_SET"] = resources["ConfigurationSet"]["Properties"]["Name"]
    expected[QUEUE_SETTING] = resources[WORK_QUEUE]["Properties"]["QueueName"]
    expected[RECHECK_QUEUE_SETTING] = resources[RECHECK_QUEUE]["Properties"]["QueueName"]
    wrong = []
    for setting, name in expected.items():
        rendered = _substitute_stage(name, stage)
        if environment.get(setting) != rendered:
            wrong.append(f"{setting}={environment.get(setting)!r} (the template creates {rendered!r})")
    if wrong:
        raise PackagingError(
            f"stage {stage}: .chalice/config.json disagrees with infra/template.json: " + "; ".join(wrong)
        )


def pin_stage(template: dict[str, Any], stage: str, environment: dict[str, str], log_retention: int) -> None:
    parameters = template["Parameters"]
    parameters["Stage"]["AllowedValues"] = [stage]
    parameters["Stage"]["Default"] = stage
    parameters["PseudonymKeyParameterName"]["Default"] = environment["PSEUDONYM_KEY_PARAMETER"]
    parameters["BrpParametersPath"]["Default"] = environment["BRP_PARAMETERS"]
    parameters["MailSender"]["Default"] = environment["MAIL_SENDER"]
    parameters["LogRetentionInDays"]["Default"] = log_retention


def point_work_queue(template: dict[str, Any]) -> None:
    """The nightly workers and the recheck consumer read the stack's own queues.

    chalice names the queue of ``on_sqs_message`` by an ARN it builds from the queue's name, and a
    merge template's value would be merged into that map, not replace it: so it is replaced here.
    """
    for function, (event_source, queue) in QUEUE_CONSUMERS.items():
        events = template["Resources"][function]["Properties"]["Events"]
        if list(events) != [event_source]:
            raise PackagingError(f"chalice named {function}'s event source {list(events)}: fix infra/package.py")
        events[event_source]["Properties"]["Queue"] = {"Fn::GetAtt": [queue, "Arn"]}


def with_mutual_tls(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``template`` whose parameters default to :data:`MUTUAL_TLS_EXAMPLE`."""
    switched = json.loads(json.dumps(template))
    for name, value in MUTUAL_TLS_EXAMPLE.items():
        switched["Parameters"][name]["Default"] = value
    return switched


def left_out(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in LEFT_OUT)


def modules_to_compile(task: Path) -> list[str]:
    """The package's modules (relative paths) that any function can import, found by importing them."""
    with coldstart.sandbox(task=task, read_only=False) as box:
        try:
            report = box.modules_after(_IMPORT_EVERYTHING)
        except coldstart.ProbeError as exc:
            raise PackagingError(f"the package cannot import what the app needs: {exc}") from exc
    return sorted(file for file in report.from_package().values() if file.endswith(".py"))


def optimise_archive(archive: Path) -> None:
    """Rewrite ``archive`` without what :data:`LEFT_OUT` names and with bytecode for what is imported."""
    with tempfile.TemporaryDirectory(prefix="package-") as scratch:
        task = Path(scratch) / "task"
        with zipfile.ZipFile(archive) as original:
            entries = {info.filename: info for info in original.infolist() if not info.is_dir()}
            kept = {name: info for name, info in entries.items() if not left_out(name)}
            original.extractall(task, members=list(kept.values()))
        compiled = modules_to_compile(task)
        for name in compiled:
            source = task / name
            cache = Path(importlib.util.cache_from_source(str(source)))
            py_compile.compile(
                str(source),
                cfile=str(cache),
                dfile=name,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            kept[str(cache.relative_to(task))] = entries[name]
        rewritten = archive.with_suffix(".tmp")
        with zipfile.ZipFile(rewritten, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as package:
            for name in sorted(kept):
                # The original entry's time and mode (chalice writes a fixed time), so rebuilding
                # the same sources gives the same archive.
                info = zipfile.ZipInfo(name, date_time=kept[name].date_time)
                info.external_attr = kept[name].external_attr
                info.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(info, (task / name).read_bytes(), compresslevel=9)
        rewritten.replace(archive)


def check_runtime(template: dict[str, Any]) -> None:
    """Bytecode is only valid for the Python version that compiled it: the functions must run it."""
    runtimes = {
        resource["Properties"].get("Runtime")
        for resource in template["Resources"].values()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    if runtimes != {RUNTIME}:
        raise PackagingError(f"the functions run {sorted(map(str, runtimes))}; the bytecode is for {RUNTIME}")


def package(stage: str, out_dir: Path | None = None) -> Path:
    """Package ``stage`` into ``out_dir`` (``out/<stage>``); returns the template's path."""
    if stage not in packageable_stages():
        raise PackagingError(f"stage {stage} is not deployable; the template allows {', '.join(packageable_stages())}")
    environment = stage_environment(stage)
    log_retention = stage_log_retention(stage)
    check_names(json.loads(MERGE_TEMPLATE.read_text()), stage, environment)
    target = out_dir or OUT_DIR / stage
    chalice = Path(sys.executable).with_name("chalice")
    command = [
        str(chalice),
        "package",
        "--stage",
        stage,
        "--pkg-format",
        "cloudformation",
        "--template-format",
        "json",
        "--merge-template",
        str(MERGE_TEMPLATE),
        str(target),
    ]
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    # Packaging never talks to AWS; an endpoint override (the local stack's) must not leak in.
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackagingError(f"chalice package failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    if "Could not install dependencies" in result.stdout + result.stderr:
        # chalice warns and goes on with a package that would fail on Lambda, and caches it: drop both.
        (target / TEMPLATE_NAME).unlink(missing_ok=True)
        shutil.rmtree(PROJECT_DIR / ".chalice" / "deployments", ignore_errors=True)
        raise PackagingError(f"chalice could not build every dependency for Lambda:\n{result.stdout}{result.stderr}")
    path = target / TEMPLATE_NAME
    template = json.loads(path.read_text())
    check_runtime(template)
    optimise_archive(target / "deployment.zip")
    pin_stage(template, stage, environment, log_retention)
    point_work_queue(template)
    path.write_text(json.dumps(template, indent=2) + "\n")
    (target / MUTUAL_TLS_TEMPLATE_NAME).write_text(json.dumps(with_mutual_tls(template), indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--out", type=Path, help="output folder (default: out/<stage>)")
    arguments = parser.parse_args(argv)
    try:
        path = package(arguments.stage, arguments.out)
    except PackagingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    archive = path.with_name("deployment.zip")
    print(f"{path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path}")
    with zipfile.ZipFile(archive) as packaged:
        compiled = sum(name.endswith(".pyc") for name in packaged.namelist())
    print(f"{archive.name}: {archive.stat().st_size / 1_000_000:.1f} MB, bytecode for {compiled} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
