"""Bearer tokens: stored as a hash, resolved to a principal, refused when revoked or suspended."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import PrincipalKind
from chalicelib.services import admin, auth
from tests import builders
from tests.fakes import InMemoryRegistry

NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


@pytest.fixture
def registry() -> InMemoryRegistry:
    return InMemoryRegistry()


def test_token_hash_is_sha256_of_the_token() -> None:
    assert auth.hash_token("vwi_abc") == hashlib.sha256(b"vwi_abc").hexdigest()


def test_new_tokens_are_unique_and_carry_their_public_id() -> None:
    issued = [auth.new_token() for _ in range(50)]
    assert len({token for _, token in issued}) == 50
    for token_id, token in issued:
        assert token.startswith(f"vwi_{token_id}_")
        assert len(token) > 40


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("  Bearer   abc  ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token_is_taken_from_the_authorization_header(header: str | None, token: str | None) -> None:
    assert auth.bearer_token(header) == token


def test_issued_token_authenticates_as_its_organisation(registry: InMemoryRegistry) -> None:
    organisation, issued = admin.create_organisation(registry, "GGD Regio Utrecht", "jgz", "Utrecht", NOW)
    principal = auth.authenticate(registry, f"Bearer {issued.token}")
    assert principal.kind is PrincipalKind.ORGANISATION
    assert principal.organisation == organisation
    assert principal.client_id == organisation.id


def test_municipality_token_authenticates_as_its_municipality(registry: InMemoryRegistry) -> None:
    issued = admin.create_municipality(registry, "0344", "Utrecht", "utrecht", None, NOW)
    principal = auth.authenticate(registry, f"Bearer {issued.token}")
    assert principal.kind is PrincipalKind.MUNICIPALITY
    assert principal.municipality_code == "0344"
    assert principal.organisation is None


@pytest.mark.parametrize("header", [None, "", "Basic x", "Bearer unknown", "Bearer " + "x" * 201])
def test_missing_malformed_or_unknown_token_is_unauthenticated(registry: InMemoryRegistry, header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(registry, header)


def test_revoked_token_is_unauthenticated(registry: InMemoryRegistry) -> None:
    _, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    registry.revoke_token(issued.token_id)
    with pytest.raises(Unauthenticated):
        auth.authenticate(registry, f"Bearer {issued.token}")


def test_suspended_organisation_token_is_unauthenticated(registry: InMemoryRegistry) -> None:
    organisation, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    registry.suspend_organisation(organisation.id)
    with pytest.raises(Unauthenticated):
        auth.authenticate(registry, f"Bearer {issued.token}")


def test_token_of_another_case_does_not_authenticate(registry: InMemoryRegistry) -> None:
    _, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    with pytest.raises(Unauthenticated):
        auth.authenticate(registry, f"Bearer {issued.token.upper()}")


def test_registry_keeps_only_the_hash_of_a_token(registry: InMemoryRegistry) -> None:
    _, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    stored = registry.token_by_hash(auth.hash_token(issued.token))
    assert stored is not None and stored.token_id == issued.token_id
    assert issued.token not in repr(stored)
    assert registry.token_by_hash(issued.token) is None


def test_principal_builders_match_what_tokens_resolve_to(registry: InMemoryRegistry) -> None:
    issued = admin.create_municipality(registry, "0344", "Utrecht", "utrecht", None, NOW)
    assert auth.authenticate(registry, f"Bearer {issued.token}") == builders.municipality_principal("0344")
