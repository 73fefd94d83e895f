"""The current six-digit code of an authenticator app: ``python -m scripts.totp [SECRET]``.

For the local stack, whose emulator hands every account the same secret (``asdfasdfasdf``).
"""

from __future__ import annotations

import base64
import sys
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from infra.identity import EMULATOR_TOTP_SECRET

STEP_SECONDS = 30


def code(secret: str = EMULATOR_TOTP_SECRET, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    # moto's secret is 60 bits; real apps accept it, so the length check is off here as in moto.
    totp = TOTP(key, 6, SHA1(), STEP_SECONDS, enforce_key_length=False)
    return totp.generate(int(time.time() if at is None else at)).decode()


def fresh_code(secret: str = EMULATOR_TOTP_SECRET, margin: float = 3.0) -> str:
    """A code with at least ``margin`` seconds left in its window, so the emulator still accepts it."""
    left = STEP_SECONDS - time.time() % STEP_SECONDS
    if left < margin:
        time.sleep(left + 0.1)
    return code(secret)


if __name__ == "__main__":
    print(code(sys.argv[1] if len(sys.argv) > 1 else EMULATOR_TOTP_SECRET))
