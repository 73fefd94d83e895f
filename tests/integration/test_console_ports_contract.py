"""One contract per console port, run against the in-memory fake and the real adapter on moto."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from chalicelib.console.cognito import CognitoIdentityProvider
from chalicelib.console.ports import (
    Challenge,
    ChallengeExpired,
    ChallengeKind,
    CodeRejected,
    ConsoleSession,
    IdentityProvider,
    Invitation,
    SessionStore,
    SignInRejected,
)
from chalicelib.console.sessions import DynamoDBSessionStore
from chalicelib.console.tokens import TokenVerifier
from chalicelib.domain.people import Person, Role
from infra.identity import EMULATOR_TOTP_SECRET, create_user_pool
from infra.tables import TableNames
from local.moto_cognito import revoke_token_supported
from scripts.totp import fresh_code
from tests.fakes import InMemoryIdentityProvider, InMemorySessionStore

MOTO_JWKS = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-public.json.gz"
TEMPORARY = "Tijdelijk-wachtwoord-1"
CHOSEN = "een zin van vier woorden"
ANNA = Invitation("anna", "anna@utrecht.example.nl", "Anna de Boer", frozenset({Role.REGIEVOERDER}), "0344")
BEN = Invitation(
    "ben", "ben@utrecht.example.nl", "Ben Bakker", frozenset({Role.MUNICIPAL_ADMIN, Role.PRIVACY_OFFICER}), "0344"
)
CAROL = Invitation("carol", "carol@amsterdam.example.nl", "Carol Smit", frozenset({Role.REGIEVOERDER}), "0363")
DAAN = Invitation(
    "daan", "daan@ggd.example.nl", "Daan Smits", frozenset({Role.PROFESSIONAL}), organisation_id="org_ggd"
)
EVA = Invitation("eva", "eva@ggd.example.nl", "Eva Vos", frozenset({Role.ORG_ADMIN}), organisation_id="org_ggd")
FENNA = Invitation(
    "fenna", "fenna@buurtteam.example.nl", "Fenna Bos", frozenset({Role.PROFESSIONAL}), organisation_id="org_bt"
)


class IdentityContract:
    """What the sign-in service relies on, whichever provider it talks to."""

    def code(self) -> str:
        raise NotImplementedError

    def refresh_works(self, provider: Any, refresh_token: str) -> bool:
        raise NotImplementedError

    def _enrolled(self, provider: IdentityProvider) -> str:
        provider.invite(ANNA, TEMPORARY)
        challenge = provider.sign_in("anna", TEMPORARY)
        assert challenge.kind is ChallengeKind.NEW_PASSWORD
        challenge = provider.set_new_password(challenge, CHOSEN)
        assert challenge.kind is ChallengeKind.ENROL_TOTP
        secret, challenge = provider.begin_enrolment(challenge)
        assert secret
        return provider.finish_enrolment(challenge, self.code()).refresh_token

    def test_first_sign_in_sets_a_password_and_enrols_then_gives_the_person(self, provider: IdentityProvider) -> None:
        provider.invite(ANNA, TEMPORARY)
        challenge = provider.set_new_password(provider.sign_in("anna", TEMPORARY), CHOSEN)
        _, challenge = provider.begin_enrolment(challenge)
        person = provider.finish_enrolment(challenge, self.code()).person
        assert (person.username, person.display_name, person.roles, person.municipality_code) == (
            "anna",
            "Anna de Boer",
            {Role.REGIEVOERDER},
            "0344",
        )
        assert person.id and person.organisation_id is None

    def test_a_later_sign_in_asks_the_code_and_refuses_a_wrong_one(self, provider: IdentityProvider) -> None:
        self._enrolled(provider)
        challenge = provider.sign_in("anna", CHOSEN)
        assert challenge.kind is ChallengeKind.TOTP
        with pytest.raises(CodeRejected):
            provider.answer_code(challenge, "000000")
        assert provider.answer_code(challenge, self.code()).person.username == "anna"

    def test_a_wrong_password_and_an_unknown_user_are_rejected_alike(self, provider: IdentityProvider) -> None:
        provider.invite(ANNA, TEMPORARY)
        with pytest.raises(SignInRejected):
            provider.sign_in("anna", "niet-het-wachtwoord")
        with pytest.raises(SignInRejected):
            provider.sign_in("niemand", "niet-het-wachtwoord")

    def test_an_unknown_attempt_has_expired(self, provider: IdentityProvider) -> None:
        provider.invite(ANNA, TEMPORARY)
        with pytest.raises((ChallengeExpired, SignInRejected)):
            provider.answer_code(Challenge(ChallengeKind.TOTP, "anna", "an-attempt-nobody-has-started-yet"), "123456")

    def test_a_revoked_refresh_token_no_longer_works(self, provider: IdentityProvider) -> None:
        refresh_token = self._enrolled(provider)
        assert self.refresh_works(provider, refresh_token)
        provider.revoke(refresh_token)
        assert not self.refresh_works(provider, refresh_token)
        provider.revoke(refresh_token)  # twice is harmless

    def test_the_people_of_a_municipality_are_its_own_with_their_roles(self, provider: IdentityProvider) -> None:
        provider.invite(ANNA, TEMPORARY)
        provider.invite(BEN, TEMPORARY)
        provider.invite(CAROL, TEMPORARY)
        people = provider.people_of("0344")
        assert [(a.person.username, a.person.display_name, a.person.roles, a.email) for a in people] == [
            ("anna", "Anna de Boer", {Role.REGIEVOERDER}, "anna@utrecht.example.nl"),
            ("ben", "Ben Bakker", {Role.MUNICIPAL_ADMIN, Role.PRIVACY_OFFICER}, "ben@utrecht.example.nl"),
        ]
        assert all(a.enabled and not a.confirmed and a.person.municipality_code == "0344" for a in people)
        assert [a.person.username for a in provider.people_of("0363")] == ["carol"]
        assert provider.people_of("0014") == []

    def test_the_people_of_an_organisation_are_its_own_with_their_roles(self, provider: IdentityProvider) -> None:
        for invitation in (ANNA, DAAN, EVA, FENNA):
            provider.invite(invitation, TEMPORARY)
        people = provider.people_of_organisation("org_ggd")
        assert [(a.person.username, a.person.roles, a.person.organisation_id) for a in people] == [
            ("daan", {Role.PROFESSIONAL}, "org_ggd"),
            ("eva", {Role.ORG_ADMIN}, "org_ggd"),
        ]
        assert [a.person.username for a in provider.people_of_organisation("org_bt")] == ["fenna"]
        assert provider.people_of_organisation("org_none") == []
        assert [a.person.username for a in provider.people_of("0344")] == ["anna"]

    def test_an_account_is_found_by_username_and_confirmed_once_enrolled(self, provider: IdentityProvider) -> None:
        self._enrolled(provider)
        account = provider.account("anna")
        assert account is not None and account.confirmed and account.enabled
        assert (account.person.roles, account.person.municipality_code) == ({Role.REGIEVOERDER}, "0344")
        assert account.person.id and account.last_modified.tzinfo is not None
        assert provider.account("niemand") is None

    def test_a_disabled_account_cannot_sign_in_and_its_refresh_token_stops(self, provider: IdentityProvider) -> None:
        refresh_token = self._enrolled(provider)
        provider.disable("anna")
        with pytest.raises(SignInRejected):
            provider.sign_in("anna", CHOSEN)
        assert not self.refresh_works(provider, refresh_token)
        [listed] = provider.people_of("0344")
        assert not listed.enabled
        provider.disable("niemand")  # unknown: nothing to do


class TestFakeIdentityProvider(IdentityContract):
    @pytest.fixture
    def provider(self) -> InMemoryIdentityProvider:
        return InMemoryIdentityProvider()

    def code(self) -> str:
        return "123456"

    def refresh_works(self, provider: Any, refresh_token: str) -> bool:
        return bool(provider.refresh_works(refresh_token))


class TestCognitoIdentityProvider(IdentityContract):
    @pytest.fixture
    def provider(self, aws: None) -> Iterator[CognitoIdentityProvider]:
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
        with revoke_token_supported():
            client = boto3.client("cognito-idp")
            pool = create_user_pool(client, "contract")
            region = client.meta.region_name
            verifier = TokenVerifier(
                f"https://cognito-idp.{region}.amazonaws.com/{pool.pool_id}",
                pool.client_id,
                "https://example.invalid/jwks.json",  # moto in-process: its published key, read from moto
                lambda url: json.loads(gzip.decompress(MOTO_JWKS.read_bytes())),
            )
            self.client, self.client_id = client, pool.client_id
            yield CognitoIdentityProvider(client, pool.pool_id, pool.client_id, verifier, lambda: datetime.now(UTC))
        os.environ.pop("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", None)

    def code(self) -> str:
        return fresh_code(EMULATOR_TOTP_SECRET)

    def refresh_works(self, provider: Any, refresh_token: str) -> bool:
        try:
            self.client.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
            )
        except ClientError:
            return False
        return True

    def test_a_token_from_another_pool_is_not_accepted(self, provider: CognitoIdentityProvider) -> None:
        from chalicelib.console.tokens import InvalidToken

        other = TokenVerifier("https://cognito-idp.eu-west-1.amazonaws.com/other", "x", "u", lambda url: {"keys": []})
        refresh_token = self._enrolled(provider)
        result = self.client.initiate_auth(
            ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )
        with pytest.raises(InvalidToken):
            other.person(result["AuthenticationResult"]["IdToken"], datetime.now(UTC))


NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def _session(**changes: Any) -> ConsoleSession:
    fields: dict[str, Any] = {"key": "a" * 64, "csrf_token": "csrf", "created_at": NOW, "last_seen": NOW}
    fields.update(changes)
    return ConsoleSession(**fields)


class SessionStoreContract:
    def test_a_session_comes_back_as_it_was_put(self, store: SessionStore) -> None:
        person = Person("sub-1", "anna", "Anna de Boer", frozenset({Role.REGIEVOERDER, Role.PRIVACY_OFFICER}), "0344")
        session = _session(person=person, refresh_token="refresh", last_seen=NOW + timedelta(minutes=3))
        store.put(session, NOW + timedelta(minutes=18))
        assert store.get(session.key) == session

    def test_a_sign_in_under_way_keeps_its_challenge_and_secret(self, store: SessionStore) -> None:
        session = _session(challenge=Challenge(ChallengeKind.ENROL_TOTP, "anna", "handle"), totp_secret="ABCD")
        store.put(session, NOW + timedelta(minutes=15))
        back = store.get(session.key)
        assert back is not None and back.challenge == session.challenge and back.totp_secret == "ABCD"
        assert back.person is None and back.refresh_token is None

    def test_put_replaces_and_delete_removes(self, store: SessionStore) -> None:
        store.put(_session(), NOW + timedelta(minutes=15))
        store.put(_session(csrf_token="other"), NOW + timedelta(minutes=15))
        assert (store.get("a" * 64) or _session()).csrf_token == "other"
        store.delete("a" * 64)
        assert store.get("a" * 64) is None
        store.delete("a" * 64)


class TestInMemorySessionStore(SessionStoreContract):
    @pytest.fixture
    def store(self) -> InMemorySessionStore:
        return InMemorySessionStore()


class TestDynamoDBSessionStore(SessionStoreContract):
    @pytest.fixture
    def store(self, settings: Any, table_names: TableNames) -> DynamoDBSessionStore:
        return DynamoDBSessionStore(boto3.client("dynamodb"), table_names.idempotency)

    def test_the_table_may_expire_it_when_it_times_out(
        self, store: DynamoDBSessionStore, table_names: TableNames
    ) -> None:
        store.put(_session(), NOW + timedelta(minutes=15))
        item = boto3.client("dynamodb").get_item(
            TableName=table_names.idempotency, Key={"pk": {"S": "session#" + "a" * 64}}
        )
        assert item["Item"]["expires_at"] == {"N": str(int((NOW + timedelta(minutes=15)).timestamp()))}
