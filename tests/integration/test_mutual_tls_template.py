"""The mutual TLS option (Digikoppeling) in the packaged template, off and on; and API Gateway's own
answers, which carry the same version and security headers as the app's.

``make package`` writes ``sam.json`` (the option off, as deployed without parameters) and
``sam-mutual-tls.json`` (the same template with the option's parameters filled in), and lints both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib import http_rules, operations
from chalicelib.settings import Settings
from infra import package as packaging

STAGES = ("dev", "prod")
INPUTS = [Path(packaging.__file__), packaging.MERGE_TEMPLATE, packaging.CONFIG, packaging.PROJECT_DIR / "app.py"]


def _packaged(stage: str) -> Path:
    path = packaging.OUT_DIR / stage / packaging.TEMPLATE_NAME
    switched = path.with_name(packaging.MUTUAL_TLS_TEMPLATE_NAME)
    stale = not switched.exists() or any(source.stat().st_mtime > switched.stat().st_mtime for source in INPUTS)
    return packaging.package(stage) if stale else path


@pytest.fixture(scope="module", params=STAGES)
def templates(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    path = _packaged(request.param)
    return path, path.with_name(packaging.MUTUAL_TLS_TEMPLATE_NAME)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_by_default_the_api_is_served_at_its_default_endpoint_without_client_certificates(templates):
    template = _load(templates[0])
    resources = template["Resources"]

    assert template["Parameters"]["MutualTls"]["Default"] == "off"
    assert resources["RestAPI"]["Properties"]["DisableExecuteApiEndpoint"] == {"Fn::If": ["MutualTlsOn", True, False]}
    for logical in ("ApiDomainName", "ApiBasePathMapping"):
        assert resources[logical]["Condition"] == "MutualTlsOn"
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["MUTUAL_TLS"] == {"Ref": "MutualTls"}
    assert not Settings.from_environ(_environment(variables, "off")).client_certificates_required


def test_with_the_option_on_a_custom_domain_demands_certificates_from_the_truststore(templates):
    template = _load(templates[1])
    parameters = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    domain = template["Resources"]["ApiDomainName"]["Properties"]
    mapping = template["Resources"]["ApiBasePathMapping"]["Properties"]

    assert parameters["MutualTls"] == "on"
    assert domain["DomainName"] == {"Ref": "MutualTlsDomainName"}
    assert domain["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert domain["SecurityPolicy"] == "TLS_1_2"
    assert domain["MutualTlsAuthentication"]["TruststoreUri"] == {"Ref": "MutualTlsTruststoreUri"}
    assert parameters["MutualTlsTruststoreUri"].startswith("s3://")
    assert mapping == {
        "DomainName": {"Ref": "ApiDomainName"},
        "RestApiId": {"Ref": "RestAPI"},
        "Stage": {"Ref": "RestAPI.Stage"},
    }
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert Settings.from_environ(_environment(variables, parameters["MutualTls"])).client_certificates_required
    asserted = {
        assertion["Assert"]["Fn::Not"][0]["Fn::Equals"][0]["Ref"]
        for assertion in template["Rules"]["MutualTlsNeedsADomainACertificateAndATruststore"]["Assertions"]
    }
    assert asserted == {"MutualTlsDomainName", "MutualTlsCertificateArn", "MutualTlsTruststoreUri"}


def test_both_templates_pass_cfn_lint(templates):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    result = subprocess.run([str(cfn_lint), *map(str, templates)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_api_gateways_own_answers_carry_the_apps_version_and_security_headers(templates):
    resources = _load(templates[0])["Resources"].values()
    expected = {"API-Version": operations.API_VERSION} | {
        name: value for name, value in http_rules.SECURITY_HEADERS.items() if name != "Content-Security-Policy"
    }

    for resource in resources:
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse":
            parameters = resource["Properties"]["ResponseParameters"]
            headers = {name.removeprefix("gatewayresponse.header."): value for name, value in parameters.items()}
            assert headers == {"Content-Type": "'application/problem+json'"} | {
                name: f"'{value}'" for name, value in expected.items()
            }


def _environment(variables: dict[str, Any], mutual_tls: str) -> dict[str, str]:
    """The function's variables with every reference to the stack filled in by a placeholder."""
    return {
        name: mutual_tls if name == "MUTUAL_TLS" else value if isinstance(value, str) else "placeholder"
        for name, value in variables.items()
    }
