"""Keyed pseudonyms for the BSN and the address.

A plain hash of a nine-digit number is reversed by trying all of them, so the hash is keyed
(HMAC-SHA256) with a secret that lives outside the database. Every pseudonym records the key
version, so a later key rotation can tell old pseudonyms from new ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.model import Address, Pseudonym


class Pseudonymiser:
    def __init__(self, key: bytes, key_version: str) -> None:
        if len(key) < 32:
            raise ValueError("the pseudonym key must be at least 32 bytes")
        self._key = key
        self.key_version = key_version

    def _digest(self, domain: str, text: str) -> str:
        message = f"{domain}\x1f{text}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def child(self, bsn: str) -> Pseudonym:
        return Pseudonym(self._digest("bsn", bsn), self.key_version)

    def address(self, address: Address) -> Pseudonym:
        return Pseudonym(self._digest("address", address_match_key(address)), self.key_version)

    def address_parts(
        self,
        postcode: str,
        house_number: int,
        house_letter: str | None,
        house_number_suffix: str | None,
    ) -> Pseudonym:
        key = _match_key(postcode, house_number, house_letter, house_number_suffix)
        return Pseudonym(self._digest("address", key), self.key_version)

    def fingerprint(self, document: Any) -> str:
        """A keyed digest of a JSON document, for comparing request bodies without storing them."""
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
        return self._digest("document", canonical)


def address_match_key(address: Address) -> str:
    return _match_key(address.postcode, address.house_number, address.house_letter, address.house_number_suffix)


def _match_key(postcode: str, house_number: int, house_letter: str | None, house_number_suffix: str | None) -> str:
    """What makes two addresses the same dwelling: postcode, number, letter and suffix."""
    letter = (house_letter or "").upper()
    suffix = (house_number_suffix or "").upper()
    return f"{postcode}|{house_number}|{letter}|{suffix}"
