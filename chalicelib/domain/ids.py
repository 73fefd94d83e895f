"""Sortable identifiers (ULID): 48 bits of milliseconds and 80 random bits, Crockford base32."""

from __future__ import annotations

from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(at: datetime, entropy: bytes) -> str:
    if len(entropy) != 10:
        raise ValueError("a ULID takes 10 bytes of entropy")
    millis = int(at.timestamp() * 1000)
    return _encode((millis << 80) | int.from_bytes(entropy, "big"))


class MonotonicUlids:
    """ULIDs that sort in the order they were made within one millisecond (ULID spec).

    A clock that moves backwards (a test's, or an ``--as-of`` run) simply gets fresh randomness.
    """

    def __init__(self) -> None:
        self._last_millis = -1
        self._last_random = 0

    def next(self, at: datetime, entropy: bytes) -> str:
        millis = int(at.timestamp() * 1000)
        same_millisecond = millis == self._last_millis
        random_part = self._last_random + 1 if same_millisecond else int.from_bytes(entropy, "big")
        self._last_millis, self._last_random = millis, random_part
        # Adding (not masking) carries an overflowing random part into the time, so order holds.
        return _encode((millis << 80) + random_part)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))
