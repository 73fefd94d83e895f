"""The population register through the Haal Centraal BRP Personen API (v2), over plain HTTPS.

Standard library only (``urllib.request``): no HTTP client joins the Lambda package for one POST.
OAuth2 client credentials give a bearer token, kept until shortly before it expires. A 429 or 503
(and a connection that fails or times out) is tried again after a growing pause; what still fails
becomes ``RegisterUnavailable``. Nothing the register sends, and no BSN, goes into an exception
message: they name the HTTP status and the problem's ``code`` at most.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.brp import personen
from chalicelib.domain.population import (
    NameSearch,
    RegisteredPerson,
    RegisterUnavailable,
    RegisterUse,
    TooManyFound,
)

RETRIED_STATUSES = frozenset({429, 503})
JSON = "application/json; charset=utf-8"
# A token is renewed this long before the register says it expires, so no request carries a stale one.
TOKEN_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class BrpEndpoint:
    """Where and as whom to ask: from SSM in a deployment (``docs/brp.md``), never from the repository."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    updates_url: str = ""
    """The BRP Update API's base URL, when it is not ``base_url`` (``docs/brp.md``)."""

    @property
    def update_api(self) -> str:
        return (self.updates_url or self.base_url).rstrip("/")


class _Failed(Exception):
    def __init__(self, status: int | None, code: str | None = None) -> None:
        super().__init__(f"status {status}" + (f", code {code}" if code else ""))
        self.status = status
        self.code = code


class HaalCentraalPopulationRegister:
    """``PopulationRegister`` against ``POST {base_url}/personen``.

    ``requests`` counts the ``/personen`` requests made (the BRP calls a benchmark reports).
    """

    def __init__(
        self,
        endpoint: Callable[[], BrpEndpoint],
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep
        self._monotonic = monotonic
        self._opener = opener or urllib.request.build_opener()
        self._token: tuple[str, float] | None = None
        self.requests = 0

    def persons(self, bsns: Sequence[str], use: RegisterUse) -> dict[str, RegisteredPerson]:
        found: dict[str, RegisteredPerson] = {}
        for batch in personen.batches(bsns):
            for person in personen.persons(self._post_personen(personen.query(batch, use))):
                found[person.bsn] = person
        return found

    def search(self, query: NameSearch) -> list[str]:
        return personen.found(self._post_personen(personen.search(query)))

    def _post_personen(self, body: dict[str, Any]) -> Any:
        return self._authorised("POST", self._endpoint().base_url.rstrip("/") + "/personen", body)

    def _authorised(self, method: str, url: str, body: dict[str, Any] | None, accept: str = JSON) -> Any:
        """One request with the bearer token, tried again on 429/503 or a failed connection."""
        data = None if body is None else json.dumps(body).encode()
        renewed = False
        for attempt in range(1, self._attempts + 1):
            try:
                self.requests += 1
                bearer = {"Authorization": f"Bearer {self._bearer()}", "Accept": accept}
                return self._send(url, data, JSON, bearer, method)
            except _Failed as failure:
                if failure.status == 401 and not renewed:
                    # The token was revoked or expired early: one fresh token, then give up.
                    self._token, renewed = None, True
                    continue
                if failure.code == personen.TOO_MANY:
                    raise TooManyFound("the BRP found too many persons to hand out") from None
                if failure.status is not None and failure.status not in RETRIED_STATUSES:
                    raise RegisterUnavailable(f"the BRP refused the request ({failure})") from None
                if attempt == self._attempts:
                    raise RegisterUnavailable(f"the BRP did not answer ({failure})") from None
                self._sleep(self._backoff * 2 ** (attempt - 1))
        raise RegisterUnavailable("the BRP did not answer")

    def _bearer(self) -> str:
        now = self._monotonic()
        if self._token is None or now >= self._token[1]:
            endpoint = self._endpoint()
            form = urllib.parse.urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_id": endpoint.client_id,
                    "client_secret": endpoint.client_secret,
                }
            ).encode()
            try:
                answer = self._send(endpoint.token_url, form, "application/x-www-form-urlencoded", {})
            except _Failed as failure:
                raise RegisterUnavailable(f"no BRP token ({failure})") from None
            if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
                raise RegisterUnavailable("no BRP token (an answer without access_token)")
            lifetime = float(answer.get("expires_in", 300))
            self._token = (answer["access_token"], now + max(lifetime - TOKEN_MARGIN_SECONDS, 0.0))
        return self._token[0]

    def _send(
        self, url: str, body: bytes | None, content_type: str, headers: dict[str, str], method: str = "POST"
    ) -> Any:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname == "127.0.0.1"):
            # Client secret and BSNs travel only over TLS; plain HTTP only to a stand-in on loopback.
            raise RegisterUnavailable("the BRP URL is neither https nor the local stand-in")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url, data=body, method=method, headers={"Content-Type": content_type, "Accept": JSON, **headers}
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raise _Failed(error.code, _problem_code(error)) from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
            raise _Failed(None) from None


def _problem_code(error: urllib.error.HTTPError) -> str | None:
    """The problem's ``code`` (e.g. ``unauthorizedField``): never its ``invalidParams`` or detail."""
    try:
        code = json.loads(error.read()).get("code")
    except (ValueError, AttributeError, OSError):
        return None
    return code if isinstance(code, str) and code.isalnum() and len(code) <= 25 else None
