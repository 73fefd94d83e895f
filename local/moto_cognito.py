"""What moto's Cognito lacks and the console needs: ``RevokeToken``, for the local stack and the tests.

moto 5.2.5 answers ``RevokeToken`` with a 500 (not implemented). Cognito revokes the refresh
token, so that it can no longer be exchanged for new tokens, and answers ``{}``; an unknown token
is accepted silently. This adds exactly that to moto's Cognito responses, for as long as the
context is open. When a moto upgrade implements it, this module can go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _revoke_token(self: Any) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core.responses import EmptyResult

    token = self.parameters.get("Token")
    client_id = self.parameters.get("ClientId")
    # botocore sends RevokeToken unsigned, as Cognito authorises it by the token itself: moto cannot
    # tell the region from the request, so every region of the account is searched.
    for backend in cognitoidp_backends[self.current_account].values():
        for pool in backend.user_pools.values():
            issued = pool.refresh_tokens.get(token)
            if issued is not None and issued[0] == client_id:
                pool.refresh_tokens[token] = None  # what moto's own sign-out does to a revoked token
    return EmptyResult()


@contextmanager
def revoke_token_supported() -> Iterator[None]:
    from moto.cognitoidp.responses import CognitoIdpResponse

    had = "revoke_token" in vars(CognitoIdpResponse)
    original = vars(CognitoIdpResponse).get("revoke_token")
    CognitoIdpResponse.revoke_token = _revoke_token  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if had:
            CognitoIdpResponse.revoke_token = original  # type: ignore[attr-defined]
        else:
            del CognitoIdpResponse.revoke_token  # type: ignore[attr-defined]
