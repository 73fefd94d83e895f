"""Checking Cognito's ID tokens before anyone gets a session: RS256 with the pool's published keys.

The signature check is RSASSA-PKCS1-v1_5 verification as RFC 8017 (8.2.2) specifies it: the
expected encoding of the SHA-256 digest is built and compared whole, never parsed out of the
signature, which closes the forgeries that lenient parsers allowed. Doing it here keeps the
``cryptography`` wheel (several MB of native code) out of every function's package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.people import Person, Role

# DER prefix of DigestInfo for SHA-256 (RFC 8017, 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
# Tolerated difference between Cognito's clock and ours.
LEEWAY_SECONDS = 60


class InvalidToken(Exception):
    """The token is malformed, not signed by the pool, meant for someone else or expired."""


@dataclass(frozen=True)
class RsaKey:
    modulus: int
    exponent: int

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> RsaKey:
        if jwk.get("kty") != "RSA":
            raise InvalidToken("not an RSA key")
        return cls(int.from_bytes(_b64url(jwk["n"]), "big"), int.from_bytes(_b64url(jwk["e"]), "big"))

    def verify(self, message: bytes, signature: bytes) -> bool:
        size = (self.modulus.bit_length() + 7) // 8
        if len(signature) != size or size < 256:  # 2048-bit keys at least, as Cognito uses
            return False
        value = int.from_bytes(signature, "big")
        if value >= self.modulus:
            return False
        encoded = pow(value, self.exponent, self.modulus).to_bytes(size, "big")
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        return hmac.compare_digest(encoded, expected)


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidToken("not base64url") from exc


def fetch_json(url: str) -> Any:
    """The JSON document at ``url`` (the pool's key set); only https, or http on loopback."""
    if not (url.startswith("https://") or url.startswith("http://127.0.0.1:")):
        raise InvalidToken("key set URL must use https")
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (scheme checked above)
        return json.loads(response.read())


class TokenVerifier:
    """Verifies a pool's ID tokens for one app client and turns them into a :class:`Person`."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        jwks_url: str,
        fetch: Callable[[str], Any] = fetch_json,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._keys: dict[str, RsaKey] = {}

    def _key(self, kid: str) -> RsaKey:
        if kid not in self._keys:
            # A rotated pool key appears under a new kid: fetch the set again, once per unknown kid.
            document = self._fetch(self._jwks_url)
            self._keys = {
                jwk["kid"]: RsaKey.from_jwk(jwk)
                for jwk in document.get("keys", [])
                if isinstance(jwk, dict) and jwk.get("alg", "RS256") == "RS256" and "kid" in jwk
            }
        if kid not in self._keys:
            raise InvalidToken("signed with an unknown key")
        return self._keys[kid]

    def claims(self, token: str, now: datetime) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("not a JWS in compact form")
        try:
            header = json.loads(_b64url(parts[0]))
            claims = json.loads(_b64url(parts[1]))
        except ValueError as exc:
            raise InvalidToken("header or payload is not JSON") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidToken("header or payload is not an object")
        # Only RS256: "none" and HMAC with the public key as secret are the classic forgeries.
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise InvalidToken("unexpected algorithm")
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        if not self._key(header["kid"]).verify(signed, _b64url(parts[2])):
            raise InvalidToken("bad signature")
        moment = now.timestamp()
        if claims.get("iss") != self._issuer:
            raise InvalidToken("issued by another pool")
        if claims.get("aud") != self._client_id or claims.get("token_use") != "id":
            raise InvalidToken("not an ID token for this client")
        expires, issued = claims.get("exp"), claims.get("iat")
        if not isinstance(expires, int | float) or expires + LEEWAY_SECONDS < moment:
            raise InvalidToken("expired")
        if not isinstance(issued, int | float) or issued - LEEWAY_SECONDS > moment:
            raise InvalidToken("issued in the future")
        return claims

    def person(self, token: str, now: datetime) -> Person:
        claims = self.claims(token, now)
        groups = claims.get("cognito:groups") or []
        roles = frozenset(Role(group) for group in groups if group in Role.__members__.values())
        subject, username = claims.get("sub"), claims.get("cognito:username")
        if not isinstance(subject, str) or not isinstance(username, str):
            raise InvalidToken("no subject")
        return Person(
            id=subject,
            username=username,
            display_name=str(claims.get("name") or username),
            roles=roles,
            municipality_code=claims.get("custom:municipality_code") or None,
            organisation_id=claims.get("custom:organisation_id") or None,
        )
