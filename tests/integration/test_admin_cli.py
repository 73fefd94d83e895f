"""The admin CLI on moto: ``run`` with the test container, ``main`` as the shell calls it."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from admin import cli
from chalicelib import bootstrap
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import PrincipalKind
from chalicelib.services import auth
from chalicelib.settings import Settings
from infra.stages import stage_environment
from infra.tables import TableNames, create_tables
from tests import builders

ORGANISATION = ["create-organisation", "--name", "GGD Regio Utrecht", "--sector", "jgz", "--region", "utrecht"]


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings as the process environment, where ``main`` reads them."""
    for name, value in dataclasses.asdict(settings).items():
        if value is not None:  # an optional setting left out is absent, not the text "None"
            monkeypatch.setenv(name.upper(), str(value))
    return settings


def main(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, Any, Any]:
    """Run ``main`` and return its exit code and the JSON it printed on stdout and stderr."""
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    out = json.loads(captured.out) if captured.out.strip() else None
    # The last line of stderr is the command's error; lines before it are the application's log.
    err = json.loads(captured.err.strip().splitlines()[-1]) if captured.err.strip() else None
    return code, out, err


def authenticate(container: bootstrap.Container, token: str) -> Any:
    return auth.authenticate(container.registry, f"Bearer {token}")


def test_create_organisation_returns_its_id_and_a_working_token(container: bootstrap.Container) -> None:
    created = cli.run(ORGANISATION, container)
    assert created["id"].startswith("org_")
    assert (created["name"], created["sector"], created["region"]) == ("GGD Regio Utrecht", "jgz", "utrecht")
    assert created["token"].startswith(f"vwi_{created['token_id']}_")
    principal = authenticate(container, created["token"])
    assert principal.organisation is not None
    assert principal.organisation.id == created["id"]


def test_main_prints_the_new_organisation_as_json(
    environment: Settings, container: bootstrap.Container, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = main(capsys, *ORGANISATION)
    assert code == 0
    assert err is None
    assert set(out) == {"id", "name", "sector", "region", "token_id", "token"}
    assert container.registry.get_organisation(out["id"]) is not None
    assert authenticate(container, out["token"]).kind is PrincipalKind.ORGANISATION


def test_unknown_sector_is_refused_and_nothing_is_stored(
    environment: Settings, container: bootstrap.Container, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["create-organisation", "--name", "Bakker", "--sector", "bakkerij", "--region", "utrecht"]
    with pytest.raises(SystemExit) as raised:
        cli.main(arguments)
    assert raised.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.run(arguments, container)
    items = container.dynamodb.scan(TableName=environment.registry_table)["Items"]
    assert items == []


def test_invalid_region_fails_with_a_json_error(environment: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "create-organisation", "--name", "GGD", "--sector", "jgz", "--region", "a b")
    assert code == 1
    assert out is None
    assert err["error"] == "InvalidInput"


def test_suspended_organisation_tokens_stop_at_once(container: bootstrap.Container) -> None:
    created = cli.run(ORGANISATION, container)
    extra = cli.run(["issue-token", "--organisation", created["id"]], container)
    result = cli.run(["suspend-organisation", created["id"]], container)
    assert result == {"id": created["id"], "status": "suspended", "tokens_stopped": 2}
    for token in (created["token"], extra["token"]):
        with pytest.raises(Unauthenticated):
            authenticate(container, token)


def test_suspending_an_unknown_organisation_fails_with_a_json_error(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = main(capsys, "suspend-organisation", "org_unknown")
    assert code == 1
    assert out is None
    assert err["error"] == "NotFound"


def test_no_new_token_for_a_suspended_organisation(
    environment: Settings, container: bootstrap.Container, capsys: pytest.CaptureFixture[str]
) -> None:
    created = cli.run(ORGANISATION, container)
    cli.run(["suspend-organisation", created["id"]], container)
    code, _, err = main(capsys, "issue-token", "--organisation", created["id"])
    assert code == 1
    assert err["error"] == "InvalidInput"


def test_revoked_token_stops_and_the_organisations_other_token_works(container: bootstrap.Container) -> None:
    created = cli.run(ORGANISATION, container)
    extra = cli.run(["issue-token", "--organisation", created["id"]], container)
    assert cli.run(["revoke-token", "--token-id", created["token_id"]], container) == {
        "token_id": created["token_id"],
        "status": "revoked",
    }
    with pytest.raises(Unauthenticated):
        authenticate(container, created["token"])
    assert authenticate(container, extra["token"]).organisation.id == created["id"]


def test_revoking_an_unknown_token_fails_with_a_json_error(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = main(capsys, "revoke-token", "--token-id", "0123456789abcdef")
    assert code == 1
    assert err["error"] == "NotFound"


def test_excluded_address_is_added_once_whatever_its_spelling(container: bootstrap.Container) -> None:
    first = ["add-excluded-address", "--postcode", "3511 ab", "--house-number", "12", "--house-letter", "a"]
    second = ["add-excluded-address", "--postcode", "3511AB", "--house-number", "12", "--house-letter", "A"]
    assert cli.run(first, container) == {"status": "added"}
    assert cli.run(first, container) == {"status": "already-registered"}
    assert cli.run(second, container) == {"status": "already-registered"}
    keys = container.pseudonymiser()
    assert container.registry.is_excluded_address(keys.address_parts("3511AB", 12, "A", None).value)
    assert not container.registry.is_excluded_address(keys.address_parts("3511AB", 12, None, None).value)


def test_excluded_address_is_stored_under_the_same_pseudonym_as_a_signals_address(
    container: bootstrap.Container,
) -> None:
    arguments = ["add-excluded-address", "--postcode", "3511 AB", "--house-number", "12"]
    cli.run([*arguments, "--house-letter", "a", "--suffix", "bis"], container)
    signal_address = builders.new_signal().child.address
    assert container.registry.is_excluded_address(container.pseudonymiser().address(signal_address).value)


def test_invalid_excluded_address_fails_with_a_json_error(
    environment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = main(capsys, "add-excluded-address", "--postcode", "35", "--house-number", "12")
    assert code == 1
    assert err["error"] == "InvalidInput"


def test_create_municipality_returns_its_code_and_a_municipality_token(container: bootstrap.Container) -> None:
    arguments = ["create-municipality", "--code", "0344", "--name", "Utrecht", "--region", "utrecht"]
    created = cli.run([*arguments, "--regievoerder-email", "regie@utrecht.example.nl"], container)
    assert created["code"] == "0344"
    principal = authenticate(container, created["token"])
    assert principal.kind is PrincipalKind.MUNICIPALITY
    assert principal.municipality_code == "0344"
    again = cli.run(["issue-token", "--municipality", "0344"], container)
    assert authenticate(container, again["token"]) == principal


def test_admin_token_is_issued_by_name(container: bootstrap.Container) -> None:
    issued = cli.run(["issue-token", "--admin", "beheer"], container)
    assert authenticate(container, issued["token"]).kind is PrincipalKind.ADMIN


def test_stage_supplies_the_table_names(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    import moto

    from tests.conftest import TEST_KEY

    stage = stage_environment("local")
    for name in [*stage, "MAIL_SENDER", "SES_CONFIGURATION_SET"]:
        monkeypatch.delenv(name, raising=False)
    # Settings the stage may not name yet come from the environment, which wins over the stage.
    monkeypatch.setenv("MAIL_SENDER", "noreply@verwijsindex.example.nl")
    monkeypatch.setenv("SES_CONFIGURATION_SET", "verwijsindex-local")
    with moto.mock_aws():
        names = TableNames.with_prefix("verwijsindex-local")
        assert names.environment().items() <= stage.items()
        create_tables(boto3.client("dynamodb"), names)
        boto3.client("ssm").put_parameter(Name=stage["PSEUDONYM_KEY_PARAMETER"], Value=TEST_KEY, Type="SecureString")
        code, out, _ = main(capsys, "--stage", "local", *ORGANISATION)
        assert code == 0
        stored = boto3.client("dynamodb").get_item(
            TableName=names.registry, Key={"pk": {"S": f"ORG#{out['id']}"}, "sk": {"S": "ORG"}}
        )
        assert "Item" in stored


def test_unknown_stage_fails_with_a_json_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "--stage", "nowhere", *ORGANISATION)
    assert code == 1
    assert out is None
    assert err["error"] == "ConfigurationError"


def test_missing_settings_fail_with_a_json_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIGNALS_TABLE", raising=False)
    code, _, err = main(capsys, *ORGANISATION)
    assert code == 1
    assert err["error"] == "ConfigurationError"
    assert "SIGNALS_TABLE" in err["detail"]


def test_run_lifecycle_as_of_a_date_prints_only_its_json_report(
    environment: Settings, container: bootstrap.Container, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = main(capsys, "run-lifecycle", "--as-of", "2031-01-01")
    assert code == 0
    assert err["message"] == "lifecycle run"
    assert out == {
        "today": "2031-01-01",
        "archived": 0,
        "deleted": 0,
        "notices_sent": 0,
        "reminders_sent": 0,
        "failed": 0,
    }


def test_invite_person_creates_the_first_municipal_admin_and_mails_the_invitation_once(
    environment: Settings,
    container: bootstrap.Container,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.services import admin
    from infra.identity import create_user_pool

    pool = create_user_pool(boto3.client("cognito-idp"), "cli")
    monkeypatch.setenv("USER_POOL_ID", pool.pool_id)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", pool.client_id)
    admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", None, container.clock.now())
    arguments = ["invite-person", "--username", "bas", "--email", "bas@utrecht.example.nl", "--name", "Bas Smit"]
    arguments += ["--municipality", "0344", "--console-url", "https://verwijsindex.example.nl/console/inloggen"]

    code, out, _ = main(capsys, *arguments)
    assert (code, out) == (0, {"username": "bas", "roles": ["municipal_admin"], "status": "invited"})
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=pool.pool_id, Username="bas")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:municipality_code"] == "0344" and user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = boto3.client("cognito-idp").admin_list_groups_for_user(UserPoolId=pool.pool_id, Username="bas")
    assert [g["GroupName"] for g in groups["Groups"]] == ["municipal_admin"]
    [mail] = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    assert "Uitnodiging voor de Verwijsindex" in mail.raw_data and "bas" in mail.raw_data

    code, _, err = main(capsys, *arguments)
    assert (code, err["error"]) == (1, "Conflict")  # the username is taken: no second account, no second mail
    assert len(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages) == 1


def test_invite_person_refuses_an_unknown_municipality(
    environment: Settings, container: bootstrap.Container, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["invite-person", "--username", "bas", "--email", "bas@x.nl", "--name", "Bas", "--municipality", "9999"]
    code, _, err = main(capsys, *arguments, "--console-url", "https://x/console/inloggen")
    assert code == 1 and err["error"] == "NotFound"
