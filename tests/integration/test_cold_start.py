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

from infra import package as packaging

PROJECT_DIR = packaging.PROJECT_DIR
# Loaded by the API function only, or by the functions that send mail.
API_ONLY = {"pydantic", "pydantic_core", "chalicelib.schemas", "chalicelib.presenters", "chalicelib.openapi"}
MAIL = {"jinja2", "chalicelib.services.mail"}
NOT_AT_IMPORT = API_ONLY | MAIL | {"phonenumbers", "aws_lambda_powertools.utilities.batch", "boto3"}


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
