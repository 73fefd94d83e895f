"""Package the app for CloudFormation: ``python -m infra.package --stage dev`` (``make package``).

Runs ``chalice package --pkg-format cloudformation --merge-template infra/template.json`` into
``out/<stage>/`` (git-ignored), then pins the template to that stage: the ``Stage`` parameter
defaults to it and allows nothing else, the key parameter and sender default to the stage's
values in ``.chalice/config.json``, and the API access log's retention to that of the stage's
function logs. ``aws cloudformation deploy`` then needs no parameter for the settings, and a
template packaged for ``dev`` cannot be deployed as ``prod``.

``.chalice/config.json`` stays the one place that names a stage's tables, key parameter, sender
and configuration set: packaging fails when the template would name them otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from infra.tables import TABLE_SETTINGS

PROJECT_DIR = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = PROJECT_DIR / "infra" / "template.json"
CONFIG = PROJECT_DIR / ".chalice" / "config.json"
OUT_DIR = PROJECT_DIR / "out"
TEMPLATE_NAME = "sam.json"
# chalice needs a region to build the template; the template itself is region-neutral.
DEFAULT_REGION = "eu-west-1"


class PackagingError(Exception):
    """The stage cannot be packaged, or config.json and the template disagree."""


def stage_environment(stage: str) -> dict[str, str]:
    config = json.loads(CONFIG.read_text())
    stages = config.get("stages", {})
    if stage not in stages:
        raise PackagingError(f"unknown stage {stage}; .chalice/config.json has {', '.join(stages)}")
    return {**config.get("environment_variables", {}), **stages[stage].get("environment_variables", {})}


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
    """The tables and configuration set the template creates are the ones config.json names."""
    resources = template["Resources"]
    expected = {setting: resources[logical]["Properties"]["TableName"] for logical, setting in TABLE_SETTINGS.items()}
    expected["SES_CONFIGURATION_SET"] = resources["ConfigurationSet"]["Properties"]["Name"]
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
    parameters["MailSender"]["Default"] = environment["MAIL_SENDER"]
    parameters["LogRetentionInDays"]["Default"] = log_retention


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
    pin_stage(template, stage, environment, log_retention)
    path.write_text(json.dumps(template, indent=2) + "\n")
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
    print(f"{archive.name}: {archive.stat().st_size / 1_000_000:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
