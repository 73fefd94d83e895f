"""The console's configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.settings import ConfigurationError


@dataclass(frozen=True)
class ConsoleSettings:
    user_pool_id: str
    client_id: str
    region: str
    # Only the local stack, on plain http, turns this off; a Secure cookie never crosses http.
    secure_cookie: bool = True
    # The local emulator serves the pool's key set itself; on AWS it is Cognito's public URL.
    endpoint_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ConsoleSettings:
        env = os.environ if environ is None else environ
        missing = [name for name in ("USER_POOL_ID", "USER_POOL_CLIENT_ID") if not env.get(name)]
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if not region:
            missing.append("AWS_REGION")
        if missing:
            raise ConfigurationError("missing settings: " + ", ".join(sorted(missing)))
        return cls(
            user_pool_id=env["USER_POOL_ID"],
            client_id=env["USER_POOL_CLIENT_ID"],
            region=str(region),
            secure_cookie=env.get("CONSOLE_COOKIE_SECURE", "true").lower() != "false",
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        base = (
            self.endpoint_url.rstrip("/") if self.endpoint_url else f"https://cognito-idp.{self.region}.amazonaws.com"
        )
        return f"{base}/{self.user_pool_id}/.well-known/jwks.json"
