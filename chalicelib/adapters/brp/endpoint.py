"""Where the BRP is and the client credentials, from SSM Parameter Store, read once per instance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.brp.haal_centraal import BrpEndpoint

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

# The parameters under the stage's prefix (the setting BRP_PARAMETERS); client-secret is a SecureString.
NAMES = ("base-url", "token-url", "client-id", "client-secret")
# Optional: the BRP Update API's URL where it is not the base URL.
OPTIONAL = ("updates-url",)


class BrpConfigurationError(Exception):
    """A parameter is missing: with the register on, the application must not guess where it is."""


class SsmBrpEndpoint:
    def __init__(self, client: SSMClient, prefix: str) -> None:
        self._client = client
        self._prefix = prefix.rstrip("/") + "/"
        self._endpoint: BrpEndpoint | None = None

    def __call__(self) -> BrpEndpoint:
        if self._endpoint is None:
            self._endpoint = self._load()
        return self._endpoint

    def _load(self) -> BrpEndpoint:
        names = [self._prefix + name for name in (*NAMES, *OPTIONAL)]
        answer = self._client.get_parameters(Names=names, WithDecryption=True)
        values = {found["Name"].removeprefix(self._prefix): found["Value"] for found in answer["Parameters"]}
        missing = [name for name in NAMES if not values.get(name)]
        if missing:
            raise BrpConfigurationError(f"missing BRP parameters under {self._prefix}: {', '.join(missing)}")
        return BrpEndpoint(
            base_url=values["base-url"],
            token_url=values["token-url"],
            client_id=values["client-id"],
            client_secret=values["client-secret"],
            updates_url=values.get("updates-url", ""),
        )
