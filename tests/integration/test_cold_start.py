"""Cold start as Lambda pays it: what each function imports, and bytecode the package really uses.

Every function of the app (API, authorizer, stream, schedule) imports the same ``app.py``, so what
it imports at the top every function pays on every cold start. The API's pydantic models and
presenters, the mail templates and the phone-number metadata are loaded only where they are used.
The checks run in fresh interpreters: in this one, everything is imported already.

The package checks use ``out/dev/deployment.zip``, unpacked read-only as Lambda's ``/var/task``
(``infra/coldstart.py``), and run the four functions from it against moto's server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import coldstart
from infra import package as packaging

PROJECT_DIR = packaging.PROJECT_DIR
# Loaded by the API function only, or by the functions that send mail.
API_ONLY = {"pydantic", "pydantic_core", "chalicelib.schemas", "chalicelib.presenters", "chalicelib.openapi"}
MAIL = {"jinja2", "chalicelib.services.mail"}
# The console's pages, templates, forms, Cognito adapter and QR codes: only when a page is asked for.
CONSOLE = {"chalicelib.console.handlers", "chalicelib.console.views", "chalicelib.console.cognito", "segno"}
NOT_AT_IMPORT = API_ONLY | MAIL | CONSOLE | {"phonenumbers", "aws_lambda_powertools.utilities.batch", "boto3"}


def _modules_after_import_app() -> set[str]:
    output = subprocess.run(
        [sys.executable, "-c", "import json, sys\nimport app\nprint(json.dumps(sorted(sys.modules)))"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(output))


def test_importing_the_app_loads_no_api_models_mail_rendering_phone_metadata_or_boto3() -> None:
    loaded = _modules_after_import_app()
    assert "app" in loaded
    assert NOT_AT_IMPORT & loaded == set()


# From the shipped package ------------------------------------------------------------------------

# Whatever goes into deployment.zip: a newer one means the archive is stale.
PACKAGE_INPUTS = [
    Path(packaging.__file__),
    Path(coldstart.__file__),
    packaging.MERGE_TEMPLATE,
    packaging.CONFIG,
    PROJECT_DIR / "requirements.txt",
    PROJECT_DIR / "app.py",
    *sorted((PROJECT_DIR / "chalicelib").rglob("*.py")),
    *sorted((PROJECT_DIR / "chalicelib" / "templates").iterdir()),
]


@pytest.fixture(scope="module")
def archive() -> Path:
    """``out/dev/deployment.zip``, packaged now if missing or older than what goes into it."""
    path = packaging.OUT_DIR / "dev" / "deployment.zip"
    if not path.exists() or any(source.stat().st_mtime > path.stat().st_mtime for source in PACKAGE_INPUTS):
        packaging.package("dev")
    return path


@pytest.fixture(scope="module")
def box(archive: Path) -> Iterator[coldstart.Sandbox]:
    with coldstart.sandbox(archive) as unpacked:
        yield unpacked


def test_the_package_leaves_out_what_no_function_runs(archive: Path) -> None:
    names = zipfile.ZipFile(archive).namelist()
    never_run = ("stdnum/", "phonenumbers/geodata/", "phonenumbers/carrierdata/", "phonenumbers/tzdata/")
    assert not [name for name in names if name.startswith(never_run)]
    assert not [name for name in names if packaging.left_out(name)]
    # 8.2 MB before; see docs/benchmarks.md for what the rest is. The console added 0.3 MB:
    # segno for QR codes (0.16 MB), the NL Design System CSS (0.04 MB) and its own modules; its
    # pages for matches, reports, colleagues, the family's requests and the portal, the nightly
    # fan-out and the population register another 0.2 MB of our own modules and templates; following
    # it by asking (BRP_FOLLOW=ask), 0.01 MB.
    assert archive.stat().st_size < 6_250_000


def test_a_read_only_import_from_the_package_uses_its_bytecode_and_writes_nothing(box: coldstart.Sandbox) -> None:
    before = box.files()
    report = box.modules_after("import app")
    assert len(report.from_package()) > 50
    assert report.compiled_in_package() == []
    assert box.files() == before


@pytest.fixture(scope="module")
def stage() -> Iterator[tuple[dict[str, str], dict[str, coldstart.FunctionCall]]]:
    with coldstart.emulated_stage("dev") as emulated:
        yield emulated


def _sent_mails() -> int:
    from local.outbox import sent_in_process

    return len(sent_in_process(coldstart.REGION))


# function -> (modules its first call must load, modules it must not load)
FUNCTIONS = {
    "authorizer": ({"chalicelib.adapters.dynamodb.registry"}, NOT_AT_IMPORT - {"boto3"}),
    # Its mails show each professional's number as dialled at home, which takes phonenumbers.
    "match": ({"chalicelib.services.matching", "jinja2", "phonenumbers"}, API_ONLY),
    # The nightly planner reads keys and sends them on: no mail, no lifecycle rules.
    "lifecycle": (
        {"chalicelib.services.nightly"},
        API_ONLY | {"phonenumbers", "jinja2", "chalicelib.services.lifecycle"},
    ),
    "lifecycle_work": ({"chalicelib.services.lifecycle"}, API_ONLY | {"phonenumbers"}),
    "api": ({"chalicelib.schemas", "pydantic", "phonenumbers"}, {"jinja2"}),
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_started_cold_from_the_package_loads_only_what_it_uses(
    function: str, box: coldstart.Sandbox, stage: tuple[dict[str, str], dict[str, coldstart.FunctionCall]]
) -> None:
    environment, calls = stage
    mails_before = _sent_mails()
    started = coldstart.cold_start(box, calls[function], environment)

    # The call did its work, so what it loaded is what the work needs.
    result = started.result
    if function == "api":
        assert result["statusCode"] == 201, result
    elif function == "authorizer":
        assert result["context"]["authenticated"] == "true"
    elif function == "match":
        assert result == {"batchItemFailures": []}
        assert _sent_mails() - mails_before == 3  # both professionals and the regievoerder
    elif function == "lifecycle":
        assert result["chunks"] == 0 and result["pages"] == 5  # nothing due: an empty page per partition
    else:
        assert result["failed"] == 0
    required, forbidden = FUNCTIONS[function]
    loaded = set(started.report.modules)
    assert required <= loaded
    assert forbidden & loaded == set()
    assert started.report.compiled_in_package() == []
