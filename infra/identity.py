"""Create the console's user pool, client and groups from the CloudFormation template that is deployed.

The local stack and the tests call :func:`create_user_pool`, so the emulated pool has the password
policy, TOTP requirement, attributes, client settings and groups of production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.tables import TEMPLATE

# moto serves one fixed TOTP secret for every enrolment (see docs/console.md).
EMULATOR_TOTP_SECRET = "asdfasdfasdf"  # noqa: S105 (moto's public constant)


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    client_id: str


def _resources(kind: str) -> list[dict[str, Any]]:
    template = json.loads(TEMPLATE.read_text())
    return [r["Properties"] for r in template["Resources"].values() if r.get("Type") == kind]


def create_user_pool(cognito: Any, name: str) -> UserPool:
    [pool] = _resources("AWS::Cognito::UserPool")
    [client] = _resources("AWS::Cognito::UserPoolClient")
    created = cognito.create_user_pool(
        PoolName=name,
        Policies=pool["Policies"],
        MfaConfiguration=pool["MfaConfiguration"],
        AdminCreateUserConfig=pool["AdminCreateUserConfig"],
        UsernameConfiguration=pool["UsernameConfiguration"],
        AccountRecoverySetting=pool["AccountRecoverySetting"],
        Schema=pool["Schema"],
    )["UserPool"]
    pool_id = created["Id"]
    # CreateUserPool takes no TOTP setting; CloudFormation's EnabledMfas is this call.
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": "SOFTWARE_TOKEN_MFA" in pool["EnabledMfas"]},
        MfaConfiguration=pool["MfaConfiguration"],
    )
    for group in _resources("AWS::Cognito::UserPoolGroup"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group["GroupName"], Description=group["Description"])
    settings = {key: value for key, value in client.items() if key not in {"UserPoolId", "ClientName"}}
    made = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"{name}-console", **settings)
    return UserPool(pool_id, made["UserPoolClient"]["ClientId"])
