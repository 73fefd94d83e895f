"""The packaged CloudFormation template (``make package``): what must hold before it reaches AWS.

The template is packaged once per session into ``out/<stage>/`` when it is missing or older than
its inputs (``infra/package.py`` runs ``chalice package`` with ``infra/template.json``), so these
tests never read a stale one. Besides the properties that matter (stream settings, TTL, point-in-
time recovery, KMS, deletion protection, least privilege), a tour through the API, the match
function and the lifecycle job on moto records every AWS call each function makes and checks that
the function's role allows it, and that the role grants nothing the tour did not need: a new call
in ``chalicelib`` without its permission, or a new route the tour does not visit, fails here, not
in production.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra import package as packaging
from infra.tables import TABLE_SETTINGS, TableNames, create_tables, table_definitions

STAGES = ("dev", "prod")
REGION = "eu-west-1"
ACCOUNT = "123456789012"
PROJECT_DIR = packaging.PROJECT_DIR
APP = PROJECT_DIR / "app.py"
CONSOLE_PAGES = PROJECT_DIR / "chalicelib" / "console" / "pages.py"
# Everything the packaged template is built from: a newer one means the package is stale.
INPUTS = [
    Path(packaging.__file__),
    packaging.MERGE_TEMPLATE,
    packaging.CONFIG,
    *sorted((PROJECT_DIR / ".chalice").glob("policy-*.json")),
    APP,
    PROJECT_DIR / "requirements.txt",
]
FUNCTIONS = {
    "APIHandler": "ApiHandlerRole",
    "TokenAuthorizer": "TokenAuthorizerRole",
    "MatchSignals": "MatchSignalsRole",
    "Lifecycle": "LifecycleRole",
    "LifecycleWork": "LifecycleWorkRole",
    "RegisterFollow": "RegisterFollowRole",
    "RecheckWork": "RecheckWorkRole",
}
# Actions IAM cannot scope to a resource: listing stream ARNs (no data), and Lambda sending the
# functions' trace segments (function name, timings, errors; no request data) to X-Ray.
UNSCOPED_ACTIONS = {"dynamodb:liststreams", "xray:puttracesegments", "xray:puttelemetryrecords"}
# The recheck queue of the tour (the template's RecheckQueue), created on moto without its wait.
RECHECK_QUEUE = "verwijsindex-test-recheck"


def _stale(path: Path) -> bool:
    if not (path.exists() and path.with_name("deployment.zip").exists()):
        return True
    built = path.stat().st_mtime
    return any(source.stat().st_mtime > built for source in INPUTS if source.exists())


@pytest.fixture(scope="session")
def packaged() -> dict[str, Path]:
    """``out/<stage>/sam.json`` for every deployable stage, packaged now if missing or stale."""
    paths = {}
    for stage in STAGES:
        path = packaging.OUT_DIR / stage / packaging.TEMPLATE_NAME
        if _stale(path):
            path = packaging.package(stage)
        paths[stage] = path
    return paths


@pytest.fixture(scope="session")
def templates(packaged: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {stage: json.loads(path.read_text()) for stage, path in packaged.items()}


# A small evaluator: intrinsic functions resolved for one stage, IAM statements matched ---------------


class Resolver:
    """Resolves ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` and ``Fn::Join`` as CloudFormation would in one account."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        self.resources: dict[str, Any] = template["Resources"]
        self.parameters: dict[str, Any] = template.get("Parameters", {})

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), *_ = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.attribute(logical, attribute)
            if key == "Fn::Sub":
                return self.sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(self(item)) for item in items)
        return {key: self(item) for key, item in value.items()}

    def sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return str(self.attribute(logical, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]["Default"]
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": f"verwijsindex-{self.ref('Stage')}",
        }
        if name in pseudo:
            return pseudo[name]
        if "." in name:  # SAM: RestAPI.Stage
            logical, _ = name.split(".", 1)
            return self.resources[logical]["Properties"]["StageName"]
        resource = self.resources[name]
        kind, properties = resource["Type"], resource.get("Properties", {})
        names = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::SES::ConfigurationSet": "Name",
            "AWS::Serverless::Function": "FunctionName",
            "AWS::SNS::Topic": "TopicName",
        }
        if kind in names:
            return self(properties[names[kind]])
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self(properties['QueueName'])}"
        if kind == "AWS::KMS::Key":
            return "0a1b2c3d-0000-4000-8000-000000000000"
        return name

    def attribute(self, logical: str, attribute: str) -> str:
        resource = self.resources[logical]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self(properties['TableName'])}"
            return {"Arn": arn, "StreamArn": f"{arn}/stream/2026-11-28T10:15:00.000"}[attribute]
        if kind == "AWS::SQS::Queue":
            name = self(properties["QueueName"])
            return {"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}", "QueueName": name}[attribute]
        if kind == "AWS::KMS::Key" and attribute == "Arn":
            return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{self.ref(logical)}"
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{self(properties['LogGroupName'])}:*"
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:aws:iam::{ACCOUNT}:role/{logical}"
        if kind == "AWS::Cognito::UserPool" and attribute == "Arn":
            return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_{logical}"
        raise AssertionError(f"the test resolver does not know {logical}.{attribute} ({kind})")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement that applies to ``role``: its inline policies and the policies attached to it."""
    resources = template["Resources"]
    statements: list[dict[str, Any]] = []
    for policy in resources[role]["Properties"].get("Policies", []):
        statements.extend(_as_list(policy["PolicyDocument"]["Statement"]))
    for resource in resources.values():
        if resource.get("Type") == "AWS::IAM::Policy" and {"Ref": role} in resource["Properties"]["Roles"]:
            statements.extend(_as_list(resource["Properties"]["PolicyDocument"]["Statement"]))
    return statements


@dataclass(frozen=True)
class Request:
    """One IAM authorisation an AWS call needs: an action on a resource, with its condition keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        extra = "".join(f" [{key}={value}]" for key, value in self.context)
        return f"{self.action} on {self.resource}{extra}"


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = context.get(key)
            if actual is None:
                return False
            patterns = [str(value) for value in _as_list(expected)]
            if operator == "StringEquals" and actual not in patterns:
                return False
            if operator in ("StringLike", "ArnLike") and not any(fnmatch.fnmatchcase(actual, p) for p in patterns):
                return False
            if operator not in ("StringEquals", "StringLike", "ArnLike"):
                return False
    return True


def allowed(statements: list[dict[str, Any]], resolve: Resolver, request: Request) -> bool:
    context = dict(request.context)
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue
        actions = [action.lower() for action in _as_list(statement["Action"])]
        if not any(fnmatch.fnmatchcase(request.action.lower(), action) for action in actions):
            continue
        resources = [str(resource) for resource in _as_list(resolve(statement["Resource"]))]
        if not any(fnmatch.fnmatchcase(request.resource, resource) for resource in resources):
            continue
        if _condition_holds(resolve(statement.get("Condition", {})), context):
            return True
    return False


# The package ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_the_template_is_pinned_to_its_stage_and_to_the_settings_of_config_json(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    environment = packaging.stage_environment(stage)
    assert template["Parameters"]["Stage"]["AllowedValues"] == [stage]
    for logical, setting in TABLE_SETTINGS.items():
        assert resolve({"Ref": logical}) == environment[setting]
    assert resolve({"Ref": "ConfigurationSet"}) == environment["SES_CONFIGURATION_SET"]
    assert resolve({"Ref": "PseudonymKeyParameterName"}) == environment["PSEUDONYM_KEY_PARAMETER"]
    assert resolve({"Ref": "MailSender"}) == environment["MAIL_SENDER"]
    assert "DefaultRole" not in template["Resources"], "autogen_policy must stay off"


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_reads_its_settings_from_the_stack(templates, stage):
    from chalicelib.settings import Settings

    template = templates[stage]
    functions = {k for k, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"}
    assert functions == set(FUNCTIONS), "a new function needs its policy, environment and alarms in infra/"
    for function, role in FUNCTIONS.items():
        properties = template["Resources"][function]["Properties"]
        variables = properties["Environment"]["Variables"]
        for logical, setting in TABLE_SETTINGS.items():
            assert variables[setting] == {"Ref": logical}, (function, setting)
        assert variables["SES_CONFIGURATION_SET"] == {"Ref": "ConfigurationSet"}
        assert variables["PSEUDONYM_KEY_PARAMETER"] == {"Ref": "PseudonymKeyParameterName"}
        assert variables["MAIL_SENDER"] == {"Ref": "MailSender"}
        assert variables["LIFECYCLE_QUEUE"] == {"Fn::GetAtt": ["LifecycleWorkQueue", "QueueName"]}
        assert variables["RECHECK_QUEUE"] == {"Fn::GetAtt": ["RecheckQueue", "QueueName"]}
        assert variables["LOGBOOK_RETENTION_DAYS"] == packaging.stage_environment(stage)["LOGBOOK_RETENTION_DAYS"]
        Settings.from_environ(Resolver(template)(variables))  # nothing the app needs is missing
        assert "SIGNALS_STREAM_ARN" not in variables  # the event source's Stream is the real one
        assert properties["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        assert template["Resources"][function]["DependsOn"] == role.replace("Role", "Policy")


@pytest.mark.parametrize("stage", STAGES)
def test_the_match_function_reads_the_signals_stream_with_partial_failures_and_a_dead_letter_queue(templates, stage):
    resources = templates[stage]["Resources"]
    events = resources["MatchSignals"]["Properties"]["Events"]
    assert list(events) == ["MatchSignalsDynamodbEventSource"], "chalice renamed the event source: fix the override"
    source = events["MatchSignalsDynamodbEventSource"]
    assert source["Type"] == "DynamoDB"
    properties = source["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["SignalsTable", "StreamArn"]}
    assert properties["StartingPosition"] == "TRIM_HORIZON"
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert 0 < properties["MaximumRetryAttempts"] <= 10
    # Stream records live 24 hours: a failed one reaches the queue while it can still be replayed.
    assert 60 <= properties["MaximumRecordAgeInSeconds"] <= 12 * 3600
    assert properties["DestinationConfig"] == {
        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["MatchDeadLetterQueue", "Arn"]}}
    }
    # Only inserted signals and rechecked ones invoke it: the filter the local poller applies too
    # (local/stream_filter.py).
    from local.stream_filter import match_function_filters

    patterns = [json.loads(f["Pattern"]) for f in properties["FilterCriteria"]["Filters"]]
    assert patterns == match_function_filters(templates[stage])
    assert [pattern["eventName"] for pattern in patterns] == [["INSERT"], ["MODIFY"]]
    assert patterns[1]["dynamodb"]["OldImage"] == {"verification": {"S": ["pending"]}}
    queue = resources["MatchDeadLetterQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600


@pytest.mark.parametrize("stage", STAGES)
def test_tables_are_encrypted_recoverable_and_protected(templates, stage):
    resources = templates[stage]["Resources"]
    for logical in TABLE_SETTINGS:
        table = resources[logical]
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Fn::GetAtt": ["DataKey", "Arn"]},
        }, logical
        if logical != "IdempotencyTable":  # replay records for a day; nothing to recover or keep
            assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, logical
            assert properties["DeletionProtectionEnabled"] is True, logical
            assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", logical
    signals = resources["SignalsTable"]["Properties"]
    assert signals["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert signals["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert {index["IndexName"] for index in signals["GlobalSecondaryIndexes"]} == {
        "by-id",
        "by-organisation",
        "by-address",
        "by-due",
        "by-municipality",
        "by-parent",
    }
    # The logbook's retention (LOGBOOK_RETENTION_DAYS): DynamoDB deletes an entry after its expires_at.
    logbook = resources["LogbookTable"]["Properties"]
    assert logbook["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    idempotency = resources["IdempotencyTable"]["Properties"]
    assert idempotency["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    key = resources["DataKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"  # the retained tables need it
    assert key["Properties"]["KeyPolicy"]["Statement"]


@pytest.mark.parametrize("stage", STAGES)
def test_alarms_watch_matching_the_lifecycle_and_the_api_and_notify_the_topic(templates, stage):
    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    alarms = {
        (p["Namespace"], p["MetricName"], json.dumps(resolve(p["Dimensions"]), sort_keys=True)): p
        for p in (r["Properties"] for r in resources.values() if r.get("Type") == "AWS::CloudWatch::Alarm")
    }

    def dimensions(**values: str) -> str:
        return json.dumps([{"Name": k, "Value": v} for k, v in values.items()], sort_keys=True)

    match_function = resolve({"Ref": "MatchSignals"})
    expected = [
        ("AWS/Lambda", "Errors", dimensions(FunctionName=match_function)),
        ("AWS/Lambda", "IteratorAge", dimensions(FunctionName=match_function)),
        ("AWS/Lambda", "Errors", dimensions(FunctionName=resolve({"Ref": "Lifecycle"}))),
        ("AWS/Lambda", "Errors", dimensions(FunctionName=resolve({"Ref": "RegisterFollow"}))),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions(QueueName=f"verwijsindex-{stage}-match-dlq")),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dimensions(QueueName=f"verwijsindex-{stage}-lifecycle-work-dlq"),
        ),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage", dimensions(QueueName=f"verwijsindex-{stage}-lifecycle-work")),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions(QueueName=f"verwijsindex-{stage}-recheck-dlq")),
        ("AWS/ApiGateway", "5XXError", dimensions(ApiName=f"verwijsindex-{stage}", Stage="api")),
    ]
    for key in expected:
        assert key in alarms, key
        assert alarms[key]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    api = resources["RestAPI"]["Properties"]
    assert resolve(api["Name"]) == resolve(api["DefinitionBody"]["info"]["title"]) == f"verwijsindex-{stage}"
    [throttling] = api["MethodSettings"]
    assert throttling["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    assert throttling["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    cloudwatch = [
        s for s in resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"] if s["Principal"].get("Service")
    ]
    assert cloudwatch and cloudwatch[0]["Principal"]["Service"] == "cloudwatch.amazonaws.com"


@pytest.mark.parametrize("stage", STAGES)
def test_log_groups_belong_to_the_functions_and_roles_may_write_only_there(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    for function, role in FUNCTIONS.items():
        group = template["Resources"][f"{role.removesuffix('Role')}LogGroup"]["Properties"]
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
        name = resolve(group["LogGroupName"])
        inline = template["Resources"][role]["Properties"]["Policies"]
        [statement] = [
            s
            for p in inline
            for s in _as_list(p["PolicyDocument"]["Statement"])
            if any(action.startswith("logs:") for action in _as_list(s["Action"]))
        ]
        assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert fnmatch.fnmatchcase(
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:log-stream:x", statement["Resource"]
        )


# Least privilege -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_has_its_own_role_and_no_wildcard_action_or_data_resource(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    assert len(set(FUNCTIONS.values())) == len(FUNCTIONS)
    for function, role in FUNCTIONS.items():
        for statement in role_statements(template, role):
            assert statement["Effect"] == "Allow"
            actions = [action.lower() for action in _as_list(statement["Action"])]
            assert all("*" not in action for action in actions), (function, statement)
            for resource in _as_list(resolve(statement["Resource"])):
                if resource == "*":
                    assert set(actions) <= UNSCOPED_ACTIONS, (function, statement)
                elif any(a.startswith("dynamodb:") for a in actions):
                    assert resource.startswith(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/verwijsindex-{stage}-")
                    assert "*" not in resource, (function, statement)
            if any(action.startswith("ses:") for action in actions):
                assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailSender"}}}


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_can_never_change_or_delete_the_logbook(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    logbook = resolve({"Fn::GetAtt": ["LogbookTable", "Arn"]})
    for role in FUNCTIONS.values():
        statements = role_statements(template, role)
        for action in ("DeleteItem", "UpdateItem", "BatchWriteItem", "DeleteTable", "UpdateTable", "PartiQLDelete"):
            assert not allowed(statements, resolve, Request(f"dynamodb:{action}", logbook)), (role, action)
    authorizer = role_statements(template, "TokenAuthorizerRole")
    registry = resolve({"Fn::GetAtt": ["RegistryTable", "Arn"]})
    assert allowed(authorizer, resolve, Request("dynamodb:GetItem", registry))
    assert not allowed(authorizer, resolve, Request("dynamodb:PutItem", registry))


@pytest.mark.parametrize("stage", STAGES)
def test_api_gateways_own_errors_are_problem_json_too(templates, stage):
    """A missing token, an unknown route or throttling never reach the app: the gateway answers them."""
    responses = {
        resource["Properties"]["ResponseType"]: resource["Properties"]
        for resource in templates[stage]["Resources"].values()
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse"
    }
    expected = {
        "UNAUTHORIZED": 401,
        "ACCESS_DENIED": 403,
        "MISSING_AUTHENTICATION_TOKEN": 404,
        "REQUEST_TOO_LARGE": 413,
        "UNSUPPORTED_MEDIA_TYPE": 415,
        "THROTTLED": 429,
        "INTEGRATION_TIMEOUT": 504,
        "DEFAULT_5XX": 502,
    }
    assert {kind: int(properties["StatusCode"]) for kind, properties in responses.items()} == expected
    for kind, properties in responses.items():
        assert properties["RestApiId"] == {"Ref": "RestAPI"}
        assert properties["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        problem = json.loads(properties["ResponseTemplates"]["application/json"])
        assert problem.keys() == {"type", "title", "status", "detail"}
        assert problem["status"] == expected[kind]


# The security baseline: what `make scan` (checkov) asks for, and what it may not ---------------------

# Every check the template suppresses, per resource. A new suppression is a decision: add it here too.
SUPPRESSED_CHECKS = {
    "APIHandler": {"CKV_AWS_116", "CKV_AWS_117"},
    "TokenAuthorizer": {"CKV_AWS_116", "CKV_AWS_117"},
    "MatchSignals": {"CKV_AWS_116", "CKV_AWS_117"},
    "Lifecycle": {"CKV_AWS_116", "CKV_AWS_117"},
    "LifecycleWork": {"CKV_AWS_116", "CKV_AWS_117"},
    "RegisterFollow": {"CKV_AWS_116", "CKV_AWS_117"},
    "RecheckWork": {"CKV_AWS_116", "CKV_AWS_117"},
    "RestAPI": {"CKV_AWS_73", "CKV_AWS_120"},
    "IdempotencyTable": {"CKV_AWS_28"},
}
# What an access log line may record: who (the token's client, the address), which route (its
# template, never the path or query, where a mistyped BSN could stand), and the outcome.
ACCESS_LOG_VARIABLES = {
    "$context.requestId",
    "$context.requestTime",
    "$context.httpMethod",
    "$context.resourcePath",
    "$context.status",
    "$context.responseLength",
    "$context.responseLatency",
    "$context.integration.status",
    "$context.integration.latency",
    "$context.authorizer.principalId",
    "$context.identity.sourceIp",
    "$context.error.responseType",
}
LOG_GROUPS = (
    "ApiHandlerLogGroup",
    "TokenAuthorizerLogGroup",
    "MatchSignalsLogGroup",
    "LifecycleLogGroup",
    "LifecycleWorkLogGroup",
    "RegisterFollowLogGroup",
    "RecheckWorkLogGroup",
)
# AWS keeps this many concurrent executions of an account unreserved.
UNRESERVED_MINIMUM = 100
DEFAULT_ACCOUNT_CONCURRENCY = 1000


@pytest.mark.parametrize("stage", STAGES)
def test_every_suppressed_check_says_why_next_to_it(templates, stage):
    resources = templates[stage]["Resources"]
    suppressed = {}
    for logical, resource in resources.items():
        skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            assert re.fullmatch(r"CKV_AWS_[0-9]+", skip["id"]), (logical, skip)
            assert len(skip.get("comment", "").split()) >= 12, f"{logical} {skip['id']}: say why it does not fit"
        if skips:
            suppressed[logical] = {skip["id"] for skip in skips}
    assert suppressed == SUPPRESSED_CHECKS


@pytest.mark.parametrize("stage", STAGES)
def test_every_log_group_is_encrypted_with_the_stack_key_and_only_this_stages_groups_may_use_it(templates, stage):
    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    groups = {logical for logical, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups == {*LOG_GROUPS, "ApiAccessLogGroup"}
    retention = {resolve(resources[logical]["Properties"]["RetentionInDays"]) for logical in groups}
    assert retention == {{"dev": 30, "prod": 90}[stage]}, "one retention for every log of a stage"
    for logical in groups:
        assert resources[logical]["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}, logical
    [logs] = [
        s
        for s in resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
        if s["Principal"].get("Service") == {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}
    ]
    assert logs["Effect"] == "Allow"
    allowed_groups = _as_list(resolve(logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]))
    for logical in groups:
        arn = resolve({"Fn::GetAtt": [logical, "Arn"]}).removesuffix(":*")
        assert any(fnmatch.fnmatchcase(arn, pattern) for pattern in allowed_groups), logical
    other_stage = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/verwijsindex-other-api_handler"
    assert not any(fnmatch.fnmatchcase(other_stage, pattern) for pattern in allowed_groups)


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_stage_writes_an_access_log_of_its_own_that_never_holds_a_path_or_query(templates, stage):
    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    setting = resources["RestAPI"]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    line = setting["Format"]
    assert set(re.findall(r"\$context(?:\.[A-Za-z]+)+", line)) == ACCESS_LOG_VARIABLES
    filled = re.sub(r"\$context(?:\.[A-Za-z]+)+", "-", line)  # API Gateway writes "-" for a missing value
    assert isinstance(json.loads(filled), dict), "one JSON object per request, whatever is missing"
    name = resolve(resources["ApiAccessLogGroup"]["Properties"]["LogGroupName"])
    assert name == f"/aws/apigateway/verwijsindex-{stage}-access"
    for function, role in FUNCTIONS.items():  # the app cannot write, or forge, a line in it
        statements = role_statements(template, role)
        stream = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:log-stream:x"
        assert not allowed(statements, resolve, Request("logs:PutLogEvents", stream)), function
    method_settings = resources["RestAPI"]["Properties"]["MethodSettings"]
    assert all(settings.get("DataTraceEnabled") is False for settings in method_settings), "bodies hold BSNs"


@pytest.mark.parametrize("stage", STAGES)
def test_functions_are_traced_and_keep_their_environment_under_the_stack_key(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    key = resolve({"Fn::GetAtt": ["DataKey", "Arn"]})
    through_lambda = (("kms:ViaService", f"lambda.{REGION}.amazonaws.com"),)
    for function, role in FUNCTIONS.items():
        properties = template["Resources"][function]["Properties"]
        assert properties["Tracing"] == "Active", function
        assert properties["KmsKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}, function
        statements = role_statements(template, role)
        assert allowed(statements, resolve, Request("kms:Decrypt", key, through_lambda)), function
        assert not allowed(statements, resolve, Request("kms:Decrypt", key)), f"{function}: only through a service"
        for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
            assert allowed(statements, resolve, Request(action, "*")), (function, action)
    assert "TracingEnabled" not in template["Resources"]["RestAPI"]["Properties"]


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_has_a_concurrency_of_its_own_and_nightly_runs_never_overlap(templates, stage):
    template = templates[stage]
    resolve = Resolver(template)
    reserved = {
        function: template["Resources"][function]["Properties"]["ReservedConcurrentExecutions"]
        for function in FUNCTIONS
    }
    assert reserved["Lifecycle"] == reserved["RegisterFollow"] == 1
    burst = resolve({"Ref": "ApiThrottlingBurstLimit"})
    # The gateway's 429 must come before Lambda's throttling, which the client would see as a 5xx.
    assert reserved["APIHandler"] >= burst
    assert reserved["TokenAuthorizer"] >= burst
    assert 1 <= reserved["MatchSignals"] <= 20
    assert 2 * sum(reserved.values()) + UNRESERVED_MINIMUM <= DEFAULT_ACCOUNT_CONCURRENCY, "dev and prod in one account"


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(
    ("function", "queue_name"), [("Lifecycle", "lifecycle"), ("RegisterFollow", "register-follow")]
)
def test_a_failed_nightly_run_lands_in_a_dead_letter_queue_that_raises_an_alarm(templates, stage, function, queue_name):
    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    [config] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig" and r["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert config["Qualifier"] == "$LATEST"
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert config["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [f"{function}DeadLetterQueue", "Arn"]}}
    }
    queue = resources[f"{function}DeadLetterQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    [alarm] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and resolve(r["Properties"]["Dimensions"])
        == [{"Name": "QueueName", "Value": f"verwijsindex-{stage}-{queue_name}-dlq"}]
    ]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    statements = role_statements(template, FUNCTIONS[function])
    queue_arn = resolve({"Fn::GetAtt": [f"{function}DeadLetterQueue", "Arn"]})
    through_sqs = (("kms:ViaService", f"sqs.{REGION}.amazonaws.com"),)
    key = resolve({"Fn::GetAtt": ["DataKey", "Arn"]})
    assert allowed(statements, resolve, Request("sqs:SendMessage", queue_arn))
    assert allowed(statements, resolve, Request("kms:GenerateDataKey", key, through_sqs))


@pytest.mark.parametrize("stage", STAGES)
def test_the_nightly_job_fans_out_over_an_encrypted_queue_with_a_dead_letter_queue_and_alarms(templates, stage):
    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    worker = resources["LifecycleWork"]["Properties"]
    [(name, source)] = worker["Events"].items()
    assert (name, source["Type"]) == ("LifecycleWorkSqsEventSource", "SQS")
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["LifecycleWorkQueue", "Arn"]}
    assert source["Properties"]["BatchSize"] == 1
    assert source["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= worker["ReservedConcurrentExecutions"]
    queue = resources["LifecycleWorkQueue"]["Properties"]
    # AWS's advice: at least six times the function's timeout, or a chunk still being handled is redelivered.
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["LifecycleWorkDeadLetterQueue", "Arn"]}
    assert 3 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    dead_letters = resources["LifecycleWorkDeadLetterQueue"]["Properties"]
    assert dead_letters["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert dead_letters["MessageRetentionPeriod"] == 14 * 24 * 3600 > queue["MessageRetentionPeriod"]
    queue_arn = resolve({"Fn::GetAtt": ["LifecycleWorkQueue", "Arn"]})
    key = resolve({"Fn::GetAtt": ["DataKey", "Arn"]})
    through_sqs = (("kms:ViaService", f"sqs.{REGION}.amazonaws.com"),)
    planner, workers = role_statements(template, "LifecycleRole"), role_statements(template, "LifecycleWorkRole")
    assert allowed(planner, resolve, Request("sqs:SendMessage", queue_arn))
    assert allowed(planner, resolve, Request("kms:GenerateDataKey", key, through_sqs))
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
        assert allowed(workers, resolve, Request(action, queue_arn)), action
        assert not allowed(planner, resolve, Request(action, queue_arn)), action
    assert allowed(workers, resolve, Request("kms:Decrypt", key, through_sqs))
    # The planner only reads the due index: it changes nothing and sends no mail.
    table = resolve({"Fn::GetAtt": ["SignalsTable", "Arn"]})
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"):
        assert not allowed(planner, resolve, Request(action, table)), action
    assert not any(a.startswith("ses:") for s in planner for a in _as_list(s["Action"]))


@pytest.mark.parametrize("stage", STAGES)
def test_a_pending_signal_waits_for_its_recheck_on_an_encrypted_queue_only_the_api_and_its_consumer_touch(
    templates, stage
):
    """The recheck queue carries a BSN: KMS-encrypted, kept at most a day, read by one function only."""
    from chalicelib.adapters.sqs_recheck import RECHECK_DELAY_SECONDS

    template = templates[stage]
    resources = template["Resources"]
    resolve = Resolver(template)
    consumer = resources["RecheckWork"]["Properties"]
    assert consumer["Handler"] == "app.recheck_work"
    [(name, source)] = consumer["Events"].items()
    assert (name, source["Type"]) == ("RecheckWorkSqsEventSource", "SQS")
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["RecheckQueue", "Arn"]}
    assert source["Properties"]["BatchSize"] == 1  # a failure raises: only its own message comes back
    assert 2 <= source["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= consumer["ReservedConcurrentExecutions"]
    queue = resources["RecheckQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert queue["DelaySeconds"] == RECHECK_DELAY_SECONDS  # the adapter sends without a delay of its own
    assert queue["MessageRetentionPeriod"] <= 24 * 3600
    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["RecheckDeadLetterQueue", "Arn"]}
    # Every try happens, and the last failed one reaches the dead-letter queue, before the message expires.
    tries = queue["DelaySeconds"] + redrive["maxReceiveCount"] * queue["VisibilityTimeout"]
    assert tries < queue["MessageRetentionPeriod"]
    dead_letters = resources["RecheckDeadLetterQueue"]["Properties"]
    assert dead_letters["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    # A message keeps its first enqueue time in the dead-letter queue: it must outlive the queue's day.
    assert queue["MessageRetentionPeriod"] < dead_letters["MessageRetentionPeriod"] <= 7 * 24 * 3600
    [alarm] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and resolve(r["Properties"]["Dimensions"])
        == [{"Name": "QueueName", "Value": f"verwijsindex-{stage}-recheck-dlq"}]
    ]
    assert (alarm["MetricName"], alarm["Threshold"]) == ("ApproximateNumberOfMessagesVisible", 1)
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]

    queue_arn = resolve({"Fn::GetAtt": ["RecheckQueue", "Arn"]})
    key = resolve({"Fn::GetAtt": ["DataKey", "Arn"]})
    through_sqs = (("kms:ViaService", f"sqs.{REGION}.amazonaws.com"),)
    receive = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
    for function, role in FUNCTIONS.items():
        statements = role_statements(template, role)
        sends = [allowed(statements, resolve, Request(a, queue_arn)) for a in ("sqs:GetQueueUrl", "sqs:SendMessage")]
        assert sends == [function == "APIHandler"] * 2, function
        assert [allowed(statements, resolve, Request(a, queue_arn)) for a in receive] == [
            function == "RecheckWork"
        ] * 3, function
    api, worker = role_statements(template, "ApiHandlerRole"), role_statements(template, "RecheckWorkRole")
    assert allowed(api, resolve, Request("kms:GenerateDataKey", key, through_sqs))
    assert allowed(worker, resolve, Request("kms:Decrypt", key, through_sqs))
    assert not allowed(worker, resolve, Request("kms:GenerateDataKey", key, through_sqs))


def test_packaging_refuses_a_stage_whose_recheck_queue_is_not_the_templates():
    template = json.loads(packaging.MERGE_TEMPLATE.read_text())
    environment = packaging.stage_environment("dev")
    packaging.check_names(template, "dev", environment)
    with pytest.raises(packaging.PackagingError, match="RECHECK_QUEUE"):
        packaging.check_names(template, "dev", environment | {"RECHECK_QUEUE": "verwijsindex-dev-rechecks"})


def test_the_deployment_package_holds_the_app_and_linux_builds_of_its_dependencies(packaged):
    archive = packaged["dev"].with_name("deployment.zip")
    names = set(zipfile.ZipFile(archive).namelist())
    for required in ("app.py", "chalicelib/bootstrap.py", "chalicelib/templates/match.html"):
        assert required in names, required
    for package in ("aws_lambda_powertools", "pydantic", "phonenumbers", "jinja2", "markupsafe", "tzdata"):
        assert any(name.startswith(f"{package}/") for name in names), package
    assert any(
        re.fullmatch(r"pydantic_core/_pydantic_core\.cpython-311-x86_64-linux-gnu\.so", name) for name in names
    ), "pydantic_core must be the manylinux build for the Lambda runtime"
    assert not any(
        name.startswith(("tests/", "infra/", "scripts/", "admin/", "local/", "boto3/", "moto/")) for name in names
    )
    # The admin CLI and the fixed clock run outside Lambda only.
    with zipfile.ZipFile(archive) as package:
        shipped = [package.read(name) for name in names if name.startswith("chalicelib/") and name.endswith(".py")]
    assert not [source for source in shipped if b"class FixedClock" in source or b"import argparse" in source]
    assert archive.stat().st_size < 50_000_000  # Lambda's limit for a zip upload


# One definition of the tables ------------------------------------------------------------------------


def _describe(client: Any, name: str) -> dict[str, Any]:
    table = client.describe_table(TableName=name)["Table"]
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(
            (
                {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                for i in table.get("GlobalSecondaryIndexes", [])
            ),
            key=lambda i: i["IndexName"],
        ),
        "StreamViewType": table.get("StreamSpecification", {}).get("StreamViewType"),
        "Ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
    }


def _expected(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": sorted(properties["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(properties.get("GlobalSecondaryIndexes", []), key=lambda i: i["IndexName"]),
        "StreamViewType": properties.get("StreamSpecification", {}).get("StreamViewType"),
        "Ttl": properties.get("TimeToLiveSpecification", {}).get("AttributeName"),
    }


def test_the_local_stack_and_the_tests_build_the_tables_the_template_deploys(aws, templates):
    import boto3

    client = boto3.client("dynamodb")
    names = TableNames.with_prefix("drift")
    create_tables(client, names)
    packaged = templates["dev"]["Resources"]
    for logical, name in names.by_logical_id().items():
        assert _describe(client, name) == _expected(packaged[logical]["Properties"]), logical
    assert set(table_definitions()) == set(TABLE_SETTINGS) == set(names.by_logical_id())


def test_cloudformation_creates_the_same_tables_as_create_tables(aws):
    """moto's CloudFormation deploys the template's tables (it ignores TTL and SSE, applied here by hand)."""
    import boto3

    source = json.loads(packaging.MERGE_TEMPLATE.read_text())
    subset = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Stage": {"Type": "String", "Default": "drift"}},
        "Resources": {
            logical: {"Type": "AWS::DynamoDB::Table", "Properties": _without_sse(properties)}
            for logical, properties in table_definitions().items()
        },
    }
    assert set(subset["Resources"]) <= set(source["Resources"])
    boto3.client("cloudformation").create_stack(StackName="tables", TemplateBody=json.dumps(subset))
    client = boto3.client("dynamodb")
    deployed = TableNames.with_prefix("verwijsindex-drift")
    built = TableNames.with_prefix("built")
    create_tables(client, built)
    for logical, name in deployed.by_logical_id().items():
        ttl = table_definitions()[logical].get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        assert _describe(client, name) == _describe(client, built.by_logical_id()[logical]), logical


def _without_sse(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if key not in ("SSESpecification", "Tags")}


# Every call the functions make is allowed by their roles ---------------------------------------------

FUNCTION_OF_ENTRY_POINT = {
    "token_authorizer": "TokenAuthorizer",
    "match_signals": "MatchSignals",
    "lifecycle": "Lifecycle",
    "lifecycle_work": "LifecycleWork",
    "register_follow": "RegisterFollow",
    "recheck_work": "RecheckWork",
}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


# Cognito authorises these by the client id, the attempt's session or the token itself, never by
# IAM ("Amazon Cognito doesn't evaluate IAM policies in requests for this API operation"): signing
# in and out needs no grant on the API function's role.
COGNITO_WITHOUT_IAM = {
    "InitiateAuth",
    "RespondToAuthChallenge",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "RevokeToken",
}


class CallRecorder:
    """Records each AWS call made under an entry point of ``app.py`` as the IAM requests it needs."""

    def __init__(self, translate: Any) -> None:
        self.translate = translate
        self.requests: dict[str, set[Request]] = {function: set() for function in FUNCTIONS}
        self.calls: dict[str, set[str]] = {function: set() for function in FUNCTIONS}

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        function = self._function()
        if function is None:
            return  # set-up by the test, not the application
        operation = f"{model.service_model.service_name}.{model.name}"
        self.calls[function].add(operation)
        self.requests[function].update(self.translate(operation, params))

    @staticmethod
    def _function() -> str | None:
        frame = sys._getframe(1)
        while frame is not None:
            if Path(frame.f_code.co_filename) == APP:
                return FUNCTION_OF_ENTRY_POINT.get(frame.f_code.co_name, "APIHandler")
            if Path(frame.f_code.co_filename) == CONSOLE_PAGES:  # the console's routes, a blueprint
                return "APIHandler"
            frame = frame.f_back  # type: ignore[assignment]
        return None


@pytest.fixture
def recorder(container: Any, table_names: TableNames, templates: dict[str, dict[str, Any]]) -> Iterator[CallRecorder]:
    from tests.conftest import CONFIGURATION_SET, KEY_PARAMETER, SENDER, WORK_QUEUE

    resolve = Resolver(templates["dev"])
    queues = {
        WORK_QUEUE: resolve({"Fn::GetAtt": ["LifecycleWorkQueue", "Arn"]}),
        RECHECK_QUEUE: resolve({"Fn::GetAtt": ["RecheckQueue", "Arn"]}),
    }
    table_arn = {
        name: resolve({"Fn::GetAtt": [logical, "Arn"]}) for logical, name in table_names.by_logical_id().items()
    }
    parameter = resolve({"Ref": "PseudonymKeyParameterName"})
    sender = resolve({"Ref": "MailSender"})
    configuration_set = resolve({"Ref": "ConfigurationSet"})

    def table(name: str, index: str | None = None) -> str:
        assert name in table_arn, f"the app used a table the template does not create: {name}"
        return table_arn[name] + (f"/index/{index}" if index else "")

    def translate(operation: str, params: dict[str, Any]) -> list[Request]:
        service, name = operation.split(".")
        if service == "dynamodb" and name in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"):
            return [Request(f"dynamodb:{name}", table(params["TableName"]))]
        if service == "dynamodb" and name in ("Query", "Scan"):
            return [Request(f"dynamodb:{name}", table(params["TableName"], params.get("IndexName")))]
        if service == "dynamodb" and name in ("BatchWriteItem", "BatchGetItem"):
            return [Request(f"dynamodb:{name}", table(t)) for t in params["RequestItems"]]
        if service == "dynamodb" and name in ("TransactWriteItems", "TransactGetItems"):
            requests = []
            for item in params["TransactItems"]:
                [(kind, action)] = item.items()
                iam = "GetItem" if kind == "Get" else TRANSACT_ACTIONS[kind]
                requests.append(Request(f"dynamodb:{iam}", table(action["TableName"])))
            return requests
        if service == "ssm" and name == "GetParameters":
            return [
                Request("ssm:GetParameters", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{n}") for n in params["Names"]
            ]
        if service == "ssm" and name == "GetParameter":
            assert params["Name"] == KEY_PARAMETER, params["Name"]
            arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{parameter}"
            return [Request("ssm:GetParameter", arn)]
        if service == "sqs" and name in ("GetQueueUrl", "SendMessage", "SendMessageBatch"):
            named = params.get("QueueName") or params["QueueUrl"].rpartition("/")[2]
            assert named in queues, f"the app used a queue the template does not create: {named}"
            return [Request("sqs:GetQueueUrl" if name == "GetQueueUrl" else "sqs:SendMessage", queues[named])]
        if service == "sesv2" and name == "SendEmail":
            assert params["FromEmailAddress"] == SENDER
            # SES v2 authorises a raw message as ses:SendRawEmail (and a simple one as ses:SendEmail).
            action = "ses:SendRawEmail" if "Raw" in params["Content"] else "ses:SendEmail"
            context = (("ses:FromAddress", sender),)
            domain = sender.rpartition("@")[2]
            requests = [Request(action, f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{domain}", context)]
            if params.get("ConfigurationSetName"):
                assert params["ConfigurationSetName"] == CONFIGURATION_SET
                arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{configuration_set}"
                requests.append(Request(action, arn, context))
            return requests
        if service == "cognito-idp" and name in COGNITO_WITHOUT_IAM:
            return []
        if service == "cognito-idp":  # an administrator's calls (colleagues), authorised by IAM on the pool
            return [Request(f"cognito-idp:{name}", resolve({"Fn::GetAtt": ["UserPool", "Arn"]}))]
        raise AssertionError(f"{operation}: teach tests/integration/test_template.py how this call maps to IAM")

    recording = CallRecorder(translate)
    container.session.events.register("before-parameter-build", recording)
    yield recording
    container.session.events.unregister("before-parameter-build", recording)


def test_every_aws_call_each_function_makes_is_allowed_by_its_role(recorder, container, clock, table_names, templates):
    """A tour on moto: the API (organisations and a municipality), the stream, the nightly job."""
    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib.services import admin
    from chalicelib.services.nightly import NightlyPlanner
    from local.queues import QueueDrainer
    from local.streams import StreamPoller
    from tests import builders
    from tests.conftest import WORK_QUEUE

    ggd_organisation, ggd_token = admin.create_organisation(container.registry, "GGD", "jgz", "utrecht", clock.now())
    ggd = ggd_token.token
    team = admin.create_organisation(container.registry, "Buurtteam", "wijkteam", "amsterdam", clock.now())[1].token
    municipality = admin.create_municipality(
        container.registry, "0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", clock.now()
    ).token
    administrator = admin.issue_admin_token(container.registry, "ops", clock.now()).token
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table_names.signals)["Table"]["LatestStreamArn"]

    routes = {(method, route) for route, entries in app.routes.items() for method in entries}
    visited: set[tuple[str, str]] = set()
    with Client(app, stage_name="local") as client:

        def call(method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
            bare = path.partition("?")[0]
            visited.update(
                (m, route)
                for m, route in routes
                if m == method and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", route), bare)
            )
            response = client.http.request(
                method,
                path,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
                body=json.dumps(body).encode() if body is not None else b"",
            )
            assert response.status_code < 300, (method, path, response.status_code, response.body)
            return json.loads(response.body) if response.body else None

        def job(name: str = "lifecycle") -> None:
            event = client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=["arn:aws:events:::rule/x"]
            )
            if name != "lifecycle":
                client.lambda_.invoke(name, event)
                return
            container.nightly_planner = instance()
            client.lambda_.invoke("lifecycle", event)
            container.nightly_planner = instance()
            QueueDrainer(boto3.client("sqs"), WORK_QUEUE, lambda e: client.lambda_.invoke("lifecycle_work", e)).drain()

        def instance() -> NightlyPlanner:
            """A Lambda instance of its own, which finds the queue's URL itself; planning a page at a
            time, so the workers plan on from continuations too."""
            container.__dict__.pop("work_queue", None)
            return NightlyPlanner(
                container.due_work, container.work_queue, container.clock, page_size=1, pages_per_run=1
            )

        stream = StreamPoller(
            boto3.client("dynamodbstreams"), stream_arn, lambda e: client.lambda_.invoke("match_signals", e).payload
        )
        body = builders.signal_body()
        first = call("POST", "/v1/signals", ggd, body, **{"Idempotency-Key": "tour-1"})
        call("POST", "/v1/signals", ggd, body, **{"Idempotency-Key": "tour-1"})  # replayed
        clock.set(clock.now() + timedelta(minutes=1))
        second = call("POST", "/v1/signals", team, builders.signal_body(professional=builders.professional(name="B")))
        call("POST", "/v1/signals", team, builders.signal_body(child=builders.child(bsn=builders.bsn(7))))
        stream.drain()
        matches = call("GET", f"/v1/signals/{first['id']}", ggd)["matches"]
        match_id = next(match["id"] for match in matches if match["kind"] == "child")  # the other one is erased
        call("PUT", f"/v1/signals/{first['id']}/matches/{match_id}/answer", ggd, {"answer": "coordinating"})
        call("GET", "/v1/signals?status=active", ggd)
        call(
            "PUT",
            f"/v1/signals/{first['id']}/professional",
            ggd,
            builders.professional(name="Q. Jansen", email="q.jansen@ggd.example.nl"),
        )
        call("POST", f"/v1/signals/{second['id']}/close", team, {"reason": "risk_resolved"})
        third_child = builders.signal_body(child=builders.child(bsn=builders.bsn(3)))
        unjustified = call("POST", "/v1/signals", ggd, third_child, **{"Idempotency-Key": "tour-2"})
        call("POST", f"/v1/signals/{unjustified['id']}/close", ggd, {"reason": "unjustified"})
        call("POST", "/v1/subjects/access", municipality, {"bsn": body["child"]["bsn"]})
        call("POST", "/v1/subjects/rectify", municipality, {"bsn": body["child"]["bsn"], "child": {"gender": "O"}})
        moved = builders.address(street="Kalverstraat", postcode="1012 NX", city="Amsterdam", municipality_code="0363")
        call("POST", "/v1/subjects/rectify", municipality, {"bsn": body["child"]["bsn"], "child": {"address": moved}})
        call("GET", "/v1/reports?period=2026-Q4", municipality)
        call("GET", "/v1/reports?period=2026-Q4&region=utrecht", administrator)
        call("GET", "/v1/health", ggd)
        call("GET", "/v1/openapi.json", ggd)
        matches = call("GET", "/v1/matches", municipality)["items"]
        if matches:
            call("POST", f"/v1/matches/{matches[0]['id']}/follow-up", municipality, {"status": "contact_made"})
        call("POST", "/v1/subjects/erase", municipality, {"bsn": builders.bsn(7), "reason": "objection"})
        call("POST", "/v1/signals", ggd, builders.signal_body(child=builders.child(bsn=builders.bsn(5))))
        _console_tour(client, routes, visited, ggd_organisation.id, match_id, builders.bsn(5))
        prefix = resolve_parameter(templates["dev"], "BrpParametersPath")
        work = QueueDrainer(boto3.client("sqs"), WORK_QUEUE, lambda e: client.lambda_.invoke("lifecycle_work", e))
        _population_register_tour(
            container,
            prefix,
            call,
            stream,
            (ggd, team),
            lambda: job("register_follow"),
            work.drain,
            # The tour creates the recheck queue: the drainer finds it then.
            lambda: QueueDrainer(
                boto3.client("sqs"), RECHECK_QUEUE, lambda e: client.lambda_.invoke("recheck_work", e)
            ).drain(),
        )
        clock.set(clock.now() + timedelta(days=15))
        job()  # reminders
        clock.set(clock.now() + timedelta(days=2 * 366))
        job()  # archives
        clock.set(clock.now() + timedelta(days=5 * 366))
        job()  # deletes
        stream.drain()

    assert all(recorder.calls.values()), "every function made calls on the tour"
    assert routes - visited == set(), "add these routes to the tour, so their AWS calls are checked too"
    template = templates["dev"]
    resolve = Resolver(template)
    denied = {
        function: sorted(
            str(r) for r in requests if not allowed(role_statements(template, FUNCTIONS[function]), resolve, r)
        )
        for function, requests in recorder.requests.items()
    }
    assert denied == {function: [] for function in FUNCTIONS}, "calls the roles do not allow"
    unused = {function: unused_grants(template, function, recorder.requests[function]) for function in FUNCTIONS}
    assert unused == {function: [] for function in FUNCTIONS}, "grants no call needed: drop them from infra/"


def resolve_parameter(template: dict[str, Any], name: str) -> str:
    value: str = template["Parameters"][name]["Default"]
    return value


def _population_register_tour(
    container: Any,
    prefix: str,
    call: Any,
    stream: Any,
    tokens: tuple[str, str],
    nightly: Any,
    drain: Any,
    recheck: Any,
) -> None:
    """With the register on (the stand-in, also as the Update API): two signals verified and their
    children followed, a family match; then a move and a death, followed up by the nightly run; then
    two signals accepted while the register was down, one verified by its recheck, one mismatched;
    then with BRP_FOLLOW=ask another move, planned onto the work queue and asked about by its workers."""
    from dataclasses import replace

    import boto3

    from infra.queues import create_recheck_queue
    from local.brp_stand_in import BrpStandIn
    from tests import builders
    from tests.fake_population import ALEXANDER, MIRIK, PAOLO, ZOEY

    stand_in = BrpStandIn()
    stand_in.start()
    try:
        stand_in.provision(boto3.client("ssm"), prefix)  # not the container's session: setting up is no call
        create_recheck_queue(boto3.client("sqs"), RECHECK_QUEUE, wait_seconds=0)
        settings = replace(
            container.settings, brp="on", brp_parameters=prefix, brp_follow="update-api", recheck_queue=RECHECK_QUEUE
        )
        container.__dict__["settings"] = settings
        built_again = ("population_register", "register_updates", "register_follow", "nightly_follow", "signals")
        for built in (*built_again, "recheck"):
            container.__dict__.pop(built, None)  # built again with the register on
        for bsn, token, born in ((ZOEY, tokens[0], "2018-11-14"), (ALEXANDER, tokens[1], "2009-05-29")):
            child = builders.child(bsn=bsn, family_name_prefix="den", family_name="Braber", birth_date=born)
            call("POST", "/v1/signals", token, builders.signal_body(child=child))
        stream.drain()
        assert set(stand_in.followed) == {ZOEY, ALEXANDER}
        stand_in.move(ALEXANDER, "3512JE", 7, "0344")
        stand_in.record_death(ZOEY, "2026-11-30")
        container.__dict__.pop("pseudonymiser", None)  # a Lambda instance of its own loads the key again
        nightly()  # tells the professionals and Utrecht's regievoerder, deletes Zoey's signal
        pending = []
        later = ((PAOLO, tokens[0], "Jager", "2009-01-01"), (MIRIK, tokens[1], "Jansen", "2010-01-01"))
        for bsn, token, family_name, born in later:
            stand_in.fail_next(503, count=2)  # the POST's call and its one retry: accepted as pending
            child = builders.child(bsn=bsn, family_name_prefix="de", family_name=family_name, birth_date=born)
            pending.append(call("POST", "/v1/signals", token, builders.signal_body(child=child))["id"])
        container.__dict__.pop("pseudonymiser", None)  # the consumer's instance loads the key itself
        assert recheck() == 2  # Paolo's is verified and followed; Mirik's is mismatched, its professional told
        checked = [container.signal_store.get(signal_id).signal.verification.value for signal_id in pending]
        assert checked == ["verified", "mismatched"]
        assert PAOLO in stand_in.followed and MIRIK not in stand_in.followed
        container.__dict__["settings"] = replace(settings, brp_follow="ask")
        for built in ("register_follow", "nightly_follow", "ask_planner", "register_ask", "work_queue"):
            container.__dict__.pop(built, None)  # the night's functions, each an instance of its own
        stand_in.move(ALEXANDER, "3511AB", 1, "0344")
        nightly()  # plans Alexander onto the work queue
        container.__dict__.pop("pseudonymiser", None)
        drain()  # searches him by name, tells his professional again
    finally:
        stand_in.stop()


def _console_tour(
    client: Any,
    routes: set[tuple[str, str]],
    visited: set[tuple[str, str]],
    organisation_id: str,
    match_id: str,
    bsn: str,
) -> None:
    """A person invited, signing in for the first time (password, enrolment), looking around, signing out;
    signed in again with every municipal role: the matches, the report, colleagues and the family's
    requests about the child ``bsn``; then a professional and administrator of ``organisation_id``
    answering ``match_id`` in the portal and inviting and disabling a colleague."""
    import os

    import boto3

    from chalicelib import bootstrap
    from chalicelib.console.cognito import CognitoIdentityProvider
    from chalicelib.console.ports import Invitation
    from chalicelib.console.settings import ConsoleSettings
    from chalicelib.console.tokens import TokenVerifier
    from chalicelib.console.wiring import Console, use
    from chalicelib.domain.people import MUNICIPAL_ROLES, ORGANISATION_ROLES
    from infra.identity import create_user_pool
    from local.moto_cognito import revoke_token_supported
    from scripts.totp import fresh_code
    from tests import builders
    from tests.integration.test_console_ports_contract import MOTO_JWKS

    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    with revoke_token_supported():
        cognito = boto3.client("cognito-idp")
        pool = create_user_pool(cognito, "tour")
        root = bootstrap.container()
        settings = ConsoleSettings(pool.pool_id, pool.client_id, REGION, secure_cookie=True)
        jwks = json.loads(gzip.decompress(MOTO_JWKS.read_bytes()))
        verifier = TokenVerifier(settings.issuer, settings.client_id, settings.jwks_url, lambda url: jwks)
        # Built on the container's session, so the recorder sees the console's calls too.
        identity = CognitoIdentityProvider(
            root._client("cognito-idp"), pool.pool_id, pool.client_id, verifier, lambda: datetime.now(UTC)
        )
        identity.invite(
            Invitation("anna", "anna@utrecht.example.nl", "Anna", frozenset(MUNICIPAL_ROLES), "0344"),
            "Tijdelijk-wachtwoord-1",
        )
        use(Console(root, settings=settings, identity=identity))
        cookie = ""

        def page(method: str, path: str, form: dict[str, str] | None = None) -> str:
            nonlocal cookie
            visited.update(
                (m, route)
                for m, route in routes
                if m == method and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", route), path)
            )
            headers = {"Cookie": cookie} if cookie else {}
            if form is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = "&".join(f"{k}={v}" for k, v in (form or {}).items()).encode()
            response = client.http.request(method, path, headers=headers, body=body)
            assert response.status_code < 400, (method, path, response.status_code)
            received = {name.lower(): value for name, value in response.headers.items()}
            if "set-cookie" in received:
                cookie = received["set-cookie"].split(";", 1)[0]
            text: str = response.body.decode() if isinstance(response.body, bytes) else response.body
            return text

        def csrf(html: str) -> str:
            found = re.search(r'name="csrf" value="([^"]+)"', html)
            assert found is not None
            return found.group(1)

        def filled(html: str) -> dict[str, str]:
            """The form's fields as the page filled them in (text fields and the checked radio button)."""
            fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
            fields.update(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked', html))
            return fields

        token = csrf(page("GET", "/console/inloggen"))
        page("POST", "/console/inloggen", {"csrf": token, "username": "anna", "password": "Tijdelijk-wachtwoord-1"})
        token = csrf(page("GET", "/console/wachtwoord"))
        chosen = "een+zin+van+vier+woorden"
        page("POST", "/console/wachtwoord", {"csrf": token, "password": chosen, "confirmation": chosen})
        token = csrf(page("GET", "/console/koppelen"))
        page("POST", "/console/koppelen", {"csrf": token, "code": fresh_code()})
        token = csrf(page("GET", "/console/start"))
        page("GET", "/console/static/console.css")
        page("POST", "/console/uitloggen", {"csrf": token})
        cookie = ""
        token = csrf(page("GET", "/console/inloggen"))
        page("POST", "/console/inloggen", {"csrf": token, "username": "anna", "password": chosen})
        token = csrf(page("GET", "/console/code"))
        page("POST", "/console/code", {"csrf": token, "code": fresh_code()})
        token = csrf(page("GET", "/console/matches"))
        page("POST", "/console/matches", {"csrf": token, "match": match_id, "status": "contact_made"})
        page("GET", "/console/rapportage")
        token = csrf(page("GET", "/console/collegas"))
        invited = {"csrf": token, "naam": "Bram", "email": "bram@utrecht.example.nl", "rol": "regievoerder"}
        page("POST", "/console/collegas", invited)
        page("POST", "/console/collegas", {"csrf": token, "actie": "blokkeren", "gebruiker": "bram@utrecht.example.nl"})
        token = csrf(page("GET", "/console/verzoeken/zoeken"))
        page("POST", "/console/verzoeken/zoeken", {"csrf": token, "bsn": bsn})
        page("GET", "/console/verzoeken/overzicht")
        page("GET", "/console/verzoeken/afdrukken")
        correction = filled(page("GET", "/console/verzoeken/correctie"))
        page("POST", "/console/verzoeken/correctie", correction | {"given_names": "Anne+Fleur"})
        erasure = filled(page("GET", "/console/verzoeken/verwijderen"))
        page("POST", "/console/verzoeken/verwijderen", erasure | {"reason": "objection"})
        identity.invite(
            Invitation("piet", "piet@ggd.example.nl", "Piet", frozenset(ORGANISATION_ROLES), None, organisation_id),
            "Tijdelijk-wachtwoord-2",
        )
        cookie = ""
        token = csrf(page("GET", "/console/inloggen"))
        page("POST", "/console/inloggen", {"csrf": token, "username": "piet", "password": "Tijdelijk-wachtwoord-2"})
        token = csrf(page("GET", "/console/wachtwoord"))
        page("POST", "/console/wachtwoord", {"csrf": token, "password": chosen, "confirmation": chosen})
        token = csrf(page("GET", "/console/koppelen"))
        page("POST", "/console/koppelen", {"csrf": token, "code": fresh_code()})
        page("GET", "/console/portaal")
        token = csrf(page("GET", f"/console/portaal/matches/{match_id}"))
        page("POST", f"/console/portaal/matches/{match_id}", {"csrf": token, "answer": "contact_made"})
        _portal_signals_tour(page, csrf, builders.bsn(77))
        token = csrf(page("GET", "/console/portaal/beheer/collegas"))
        invited = {"csrf": token, "naam": "Joke", "email": "joke@ggd.example.nl", "rol": "professional"}
        page("POST", "/console/portaal/beheer/collegas", invited)
        disabled = {"csrf": token, "actie": "blokkeren", "gebruiker": "joke@ggd.example.nl"}
        page("POST", "/console/portaal/beheer/collegas", disabled)
        token = csrf(page("GET", "/console/portaal/beheer/sleutels"))
        issued = page("POST", "/console/portaal/beheer/sleutels", {"csrf": token, "label": "Dossier"})
        api_token = re.search(r'id="sleutel">(vwi_[^<]+)<', issued)
        assert api_token is not None
        client.http.get("/v1/signals", headers={"Authorization": f"Bearer {api_token.group(1)}"})
        listed = page("GET", "/console/portaal/beheer/sleutels")
        token_id = api_token.group(1).split("_")[1]
        assert f"intrekken={token_id}" in listed
        page("GET", f"/console/portaal/beheer/sleutels?intrekken={token_id}")
        revoke = {"csrf": token, "actie": "intrekken", "sleutel": token_id}
        page("POST", "/console/portaal/beheer/sleutels", revoke)
        use(None)
        bootstrap.use(root)
    os.environ.pop("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", None)


def _portal_signals_tour(page: Any, csrf: Any, bsn: str) -> None:
    """The professional registers ``bsn`` by hand, finds it under their signals, hands it over and closes it."""
    token = csrf(page("GET", "/console/portaal/melden"))
    child = {
        "bsn": bsn, "given_names": "Sanne", "family_name": "Vries", "birth_date": "2014-05-01", "gender": "V",
        "street": "Dorpsstraat", "house_number": "12", "postcode": "3511+AB", "city": "Utrecht",
        "municipality_code": "0344", "family_informed": "ja",
    }  # fmt: skip
    contact = {"name": "Piet", "function": "Jeugdarts", "phone": "0301234567", "email": "piet@ggd.example.nl"}
    page("POST", "/console/portaal/melden", {"csrf": token, "submission": "tour-" + "0" * 20} | child | contact)
    listed = page("GET", "/console/portaal/meldingen")
    found = re.search(r"portaal/meldingen/([0-9A-Za-z_]+)", listed)
    assert found is not None
    signal = f"/console/portaal/meldingen/{found.group(1)}"
    page("GET", signal)
    token = csrf(page("GET", f"{signal}/overdragen"))
    page("POST", f"{signal}/overdragen", {"csrf": token} | contact | {"name": "Karin", "email": "karin@ggd.example.nl"})
    token = csrf(page("GET", f"{signal}/afsluiten"))
    page("POST", f"{signal}/afsluiten", {"csrf": token, "reason": "risk_resolved"})


# Granted for AWS to use on the function's behalf, not called by the code, so moto never sees them:
# the event source mappings read the stream and the work queue and write the match dead-letter queue
# with the function's role, Lambda writes a failed nightly run to the lifecycle dead-letter queue with it and decrypts
# the environment with it, and SSM and SQS call KMS. The tests of the security baseline above check
# that each of them is granted where AWS needs it. ses:SendEmail stays beside ses:SendRawEmail: SES
# v2 may authorise a send as either.
SERVICE_SIDE_ACTIONS = {
    "dynamodb:describestream",
    "dynamodb:getrecords",
    "dynamodb:getsharditerator",
    "dynamodb:liststreams",
    "sqs:sendmessage",
    "sqs:receivemessage",
    "sqs:deletemessage",
    "sqs:getqueueattributes",
    "kms:decrypt",
    "kms:generatedatakey",
    "ses:sendemail",
}


def unused_grants(template: dict[str, Any], function: str, requests: set[Request]) -> list[str]:
    """Each (action, resource) the function's attached policy grants that no recorded call needed."""
    resolve = Resolver(template)
    role = FUNCTIONS[function]
    unused = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::IAM::Policy" or {"Ref": role} not in resource["Properties"]["Roles"]:
            continue
        for statement in _as_list(resource["Properties"]["PolicyDocument"]["Statement"]):
            for action in _as_list(statement["Action"]):
                if action.lower() in SERVICE_SIDE_ACTIONS:
                    continue
                for pattern in _as_list(resolve(statement["Resource"])):
                    if not any(
                        r.action.lower() == action.lower() and fnmatch.fnmatchcase(r.resource, pattern)
                        for r in requests
                    ):
                        unused.append(f"{action} on {pattern}")
    return unused


def test_the_dead_letter_replay_in_the_runbook_delivers_records_as_the_cli_prints_them(container, clock, table_names):
    """docs/operations.md replays a failed range: CLI get-records output, plus eventSourceARN, into the function."""
    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib.services import admin
    from tests import builders

    tokens = [
        admin.create_organisation(container.registry, name, sector, region, clock.now())[1].token
        for name, sector, region in (("GGD", "jgz", "utrecht"), ("Buurtteam", "wijkteam", "amsterdam"))
    ]
    with Client(app, stage_name="local") as client:
        for token in tokens:
            response = client.http.post(
                "/v1/signals",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                body=json.dumps(builders.signal_body()),
            )
            assert response.status_code == 201, response.body
        arn = boto3.client("dynamodb").describe_table(TableName=table_names.signals)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        first = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=first
        )["ShardIterator"]
        printed = json.loads(json.dumps(streams.get_records(ShardIterator=iterator, Limit=100), default=str))
        batch = {"Records": [record | {"eventSourceARN": arn} for record in printed["Records"]]}
        assert client.lambda_.invoke("match_signals", batch).payload == {"batchItemFailures": []}
        again = client.lambda_.invoke("match_signals", batch).payload  # replaying twice is harmless
        assert again == {"batchItemFailures": []}

    from local.outbox import sent_in_process

    assert len(sent_in_process(REGION)) == 2  # one per professional, once


@pytest.mark.parametrize("stage", STAGES)
def test_the_functions_that_mail_about_matches_link_to_the_console_the_stack_names(templates, stage):
    template = templates[stage]
    for function in ("MatchSignals", "Lifecycle"):
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["CONSOLE_URL"] == {"Ref": "ConsoleUrl"}, function
    parameter = template["Parameters"]["ConsoleUrl"]
    assert parameter["Default"] == ""  # no link until the operator names the console's address
    assert re.fullmatch(parameter["AllowedPattern"], "https://verwijsindex.example.nl/console/")
    assert not re.fullmatch(parameter["AllowedPattern"], "http://verwijsindex.example.nl/console/")
