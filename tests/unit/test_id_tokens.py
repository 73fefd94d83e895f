"""The ID-token check: only RS256 tokens signed by the pool's key, for this client, in time."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib.console.tokens import InvalidToken, TokenVerifier
from chalicelib.domain.people import Role
from tests.conftest import START

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test"
CLIENT = "client123"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "alg": "RS256",
        "kid": kid,
        "e": _b64(numbers.e.to_bytes(3, "big")),
        "n": _b64(numbers.n.to_bytes(256, "big")),
    }


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(START.timestamp())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "sub": "3f1c-anna",
        "cognito:username": "anna",
        "name": "Anna de Boer",
        "custom:municipality_code": "0344",
        "cognito:groups": ["regievoerder", "privacy_officer", "not-a-role"],
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def token(claims: dict[str, Any], key: rsa.RSAPrivateKey = KEY, header: dict[str, Any] | None = None) -> str:
    head = _b64(json.dumps(header or {"alg": "RS256", "kid": "k1", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(signature)}"


@pytest.fixture
def fetched() -> list[str]:
    return []


@pytest.fixture
def verifier(fetched: list[str]) -> TokenVerifier:
    def fetch(url: str) -> Any:
        fetched.append(url)
        return {"keys": [_jwk(KEY, "k1")]}

    return TokenVerifier(ISSUER, CLIENT, "https://example.invalid/jwks.json", fetch)


def test_a_valid_token_gives_the_person_with_their_roles(verifier: TokenVerifier) -> None:
    person = verifier.person(token(_claims()), START)
    assert person.id == "3f1c-anna" and person.username == "anna" and person.display_name == "Anna de Boer"
    assert person.roles == {Role.REGIEVOERDER, Role.PRIVACY_OFFICER}
    assert person.municipality_code == "0344" and person.organisation_id is None


def test_the_key_set_is_fetched_once(verifier: TokenVerifier, fetched: list[str]) -> None:
    verifier.person(token(_claims()), START)
    verifier.person(token(_claims()), START)
    assert len(fetched) == 1


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda: token(_claims(), OTHER_KEY), id="signed-by-another-key"),
        pytest.param(lambda: token(_claims(), header={"alg": "RS256", "kid": "k2"}), id="unknown-kid"),
        pytest.param(lambda: token(_claims(), header={"alg": "none", "kid": "k1"}), id="alg-none"),
        pytest.param(lambda: token(_claims(), header={"alg": "HS256", "kid": "k1"}), id="alg-hs256"),
        pytest.param(
            lambda: ".".join(
                [
                    *token(_claims()).split(".")[:1],
                    _b64(json.dumps(_claims(sub="x")).encode()),
                    token(_claims()).split(".")[2],
                ]
            ),
            id="payload-swapped",
        ),
        pytest.param(lambda: token(_claims(iss="https://cognito-idp.eu-west-1.amazonaws.com/other")), id="issuer"),
        pytest.param(lambda: token(_claims(aud="another-client")), id="audience"),
        pytest.param(lambda: token(_claims(token_use="access")), id="access-token"),
        pytest.param(lambda: token(_claims(exp=int((START - timedelta(minutes=2)).timestamp()))), id="expired"),
        pytest.param(lambda: token(_claims(iat=int((START + timedelta(minutes=5)).timestamp()))), id="future"),
        pytest.param(lambda: token(_claims(sub=None)), id="no-subject"),
        pytest.param(lambda: "not.a.token", id="garbage"),
        pytest.param(lambda: token(_claims()) + ".extra", id="four-parts"),
    ],
)
def test_a_token_that_is_not_the_pools_for_this_client_is_refused(verifier: TokenVerifier, forged: Any) -> None:
    with pytest.raises(InvalidToken):
        verifier.person(forged(), START)


def test_a_signature_with_a_forged_encoding_is_refused(verifier: TokenVerifier) -> None:
    # A signature value of 1 "decrypts" to 1 for any key: it must not pass as some encoding.
    good = token(_claims())
    head, body, _ = good.split(".")
    assert_refused = [_b64((1).to_bytes(256, "big")), _b64(b"\x00" * 256), _b64(b"\xff" * 256)]
    for signature in assert_refused:
        with pytest.raises(InvalidToken):
            verifier.person(f"{head}.{body}.{signature}", START)
