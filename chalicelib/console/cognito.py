"""The identity provider on Amazon Cognito: a user pool with TOTP required, invitation only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.console.ports import (
    Account,
    Authenticated,
    Challenge,
    ChallengeExpired,
    ChallengeKind,
    CodeRejected,
    Invitation,
    PasswordRejected,
    SignInRejected,
)
from chalicelib.console.tokens import TokenVerifier
from chalicelib.domain.errors import Conflict
from chalicelib.domain.people import MUNICIPAL_ROLES, ORGANISATION_ROLES, Person, Role

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

MUNICIPALITY_ATTRIBUTE = "custom:municipality_code"
ORGANISATION_ATTRIBUTE = "custom:organisation_id"

# Cognito answers these for a wrong password, an unknown or disabled user and for throttled
# attempts alike (with PreventUserExistenceErrors on the app client), and so do we.
_REJECTED = {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}
_CODE = {"CodeMismatchException", "EnableSoftwareTokenMFAException"}
# An attempt Cognito no longer knows: NotAuthorizedException "Invalid session" on AWS, and
# ResourceNotFoundException in moto.
_EXPIRED = {"ExpiredCodeException", "ResourceNotFoundException"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class CognitoIdentityProvider:
    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        user_pool_id: str,
        client_id: str,
        verifier: TokenVerifier,
        clock: Callable[[], datetime],
    ) -> None:
        self._client = client
        self._pool = user_pool_id
        self._client_id = client_id
        self._verifier = verifier
        self._now = clock

    def _challenge(self, response: Any, username: str) -> Challenge:
        name = response.get("ChallengeName")
        try:
            kind = ChallengeKind(name)
        except ValueError:
            # Every account has TOTP, so any other answer (tokens without a second factor, SMS)
            # means the pool is misconfigured: refuse rather than sign in with one factor.
            raise SignInRejected("unexpected answer from the identity provider") from None
        return Challenge(kind, username, response["Session"])

    def _authenticated(self, response: Any) -> Authenticated:
        result = response.get("AuthenticationResult")
        if not result:
            raise SignInRejected("no tokens")
        return Authenticated(self._verifier.person(result["IdToken"], self._now()), result["RefreshToken"])

    def _answer(self, challenge: Challenge, responses: dict[str, str]) -> Any:
        try:
            return self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=challenge.kind.value,
                Session=challenge.handle,
                ChallengeResponses={"USERNAME": challenge.username, **responses},
            )
        except ClientError as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: ClientError) -> Exception:
        code = _code(exc)
        if code in _CODE:
            return CodeRejected("code does not match")
        if code == "InvalidPasswordException":
            return PasswordRejected("password does not meet the policy")
        if code in _EXPIRED or (code == "NotAuthorizedException" and "session" in str(exc).lower()):
            return ChallengeExpired("sign-in attempt expired")
        if code in _REJECTED:
            return SignInRejected("sign-in rejected")
        return exc

    def sign_in(self, username: str, password: str) -> Challenge:
        try:
            response = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            raise self._translate(exc) from exc
        return self._challenge(response, username)

    def set_new_password(self, challenge: Challenge, new_password: str) -> Challenge:
        response = self._answer(challenge, {"NEW_PASSWORD": new_password})
        return self._challenge(response, challenge.username)

    def begin_enrolment(self, challenge: Challenge) -> tuple[str, Challenge]:
        try:
            response = self._client.associate_software_token(Session=challenge.handle)
        except ClientError as exc:
            raise self._translate(exc) from exc
        return response["SecretCode"], Challenge(challenge.kind, challenge.username, response["Session"])

    def finish_enrolment(self, challenge: Challenge, code: str) -> Authenticated:
        try:
            verified = self._client.verify_software_token(
                Session=challenge.handle, UserCode=code, FriendlyDeviceName="Verwijsindex"
            )
        except ClientError as exc:
            raise self._translate(exc) from exc
        if verified.get("Status") != "SUCCESS":
            raise CodeRejected("code does not match")
        return self._authenticated(self._answer(Challenge(challenge.kind, challenge.username, verified["Session"]), {}))

    def answer_code(self, challenge: Challenge, code: str) -> Authenticated:
        return self._authenticated(self._answer(challenge, {"SOFTWARE_TOKEN_MFA_CODE": code}))

    def revoke(self, refresh_token: str) -> None:
        try:
            self._client.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except ClientError as exc:
            if _code(exc) not in {"InvalidParameterException", "UnauthorizedException"}:
                raise

    def invite(self, invitation: Invitation, temporary_password: str) -> None:
        attributes = [
            {"Name": "email", "Value": invitation.email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": invitation.display_name},
        ]
        if invitation.municipality_code:
            attributes.append({"Name": MUNICIPALITY_ATTRIBUTE, "Value": invitation.municipality_code})
        if invitation.organisation_id:
            attributes.append({"Name": ORGANISATION_ATTRIBUTE, "Value": invitation.organisation_id})
        # Cognito's own invitation mail is suppressed: ours goes through the project's SES sender.
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=invitation.username,
                TemporaryPassword=temporary_password,
                MessageAction="SUPPRESS",
                UserAttributes=attributes,  # type: ignore[arg-type]
            )
        except ClientError as exc:
            if _code(exc) == "UsernameExistsException":
                raise Conflict("this username is taken") from exc
            raise
        for role in sorted(invitation.roles):
            self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=invitation.username, GroupName=role)

    def _account(self, user: Any, roles: frozenset[Role]) -> Account:
        attributes = {item["Name"]: item["Value"] for item in user.get("Attributes", user.get("UserAttributes", []))}
        person = Person(
            id=attributes.get("sub", ""),
            username=user["Username"],
            display_name=attributes.get("name", user["Username"]),
            roles=roles,
            municipality_code=attributes.get(MUNICIPALITY_ATTRIBUTE),
            organisation_id=attributes.get(ORGANISATION_ATTRIBUTE),
        )
        return Account(
            person=person,
            email=attributes.get("email", ""),
            enabled=bool(user.get("Enabled", True)),
            confirmed=user.get("UserStatus") == "CONFIRMED",
            last_modified=user["UserLastModifiedDate"],
        )

    def people_of(self, municipality_code: str) -> list[Account]:
        return self._people(MUNICIPAL_ROLES, MUNICIPALITY_ATTRIBUTE, municipality_code)

    def people_of_organisation(self, organisation_id: str) -> list[Account]:
        return self._people(ORGANISATION_ROLES, ORGANISATION_ATTRIBUTE, organisation_id)

    def _people(self, groups: frozenset[Role], attribute: str, value: str) -> list[Account]:
        # Cognito cannot filter on a custom attribute: the team's groups are read whole, a page
        # of 60 at a time, and the municipality's or organisation's people picked out.
        users: dict[str, Any] = {}
        roles: dict[str, set[Role]] = {}
        paginator = self._client.get_paginator("list_users_in_group")
        for role in sorted(groups):
            for page in paginator.paginate(UserPoolId=self._pool, GroupName=role):
                for user in page.get("Users", []):
                    attributes = {item["Name"]: item["Value"] for item in user.get("Attributes", [])}
                    if attributes.get(attribute) == value:
                        users[user["Username"]] = user
                        roles.setdefault(user["Username"], set()).add(role)
        found = [self._account(user, frozenset(roles[name])) for name, user in users.items()]
        return sorted(found, key=lambda account: (account.person.display_name.casefold(), account.person.username))

    def account(self, username: str) -> Account | None:
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
            groups = self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) == "UserNotFoundException":
                return None
            raise
        known = {role.value for role in Role}
        roles = frozenset(Role(group["GroupName"]) for group in groups.get("Groups", []) if group["GroupName"] in known)
        return self._account(user, roles)

    def disable(self, username: str) -> None:
        try:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=username)
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise
