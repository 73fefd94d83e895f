"""Sortable identifiers (ULID): 48 bits of milliseconds and 80 random bits, Crockford base32."""

from __future__ import annotations

from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(at: datetime, entropy: bytes) -> str:
    if len(entropy) != 10:
        raise ValueError("a ULID takes 10 bytes of entropy")
    millis = int(at.timestamp() * 1000)
    value = (millis << 80) | int.from_bytes(entropy, "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))
