"""Registering organisations, municipalities, tokens and excluded addresses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.model import Organisation, PrincipalKind
from chalicelib.services import admin, auth
from tests import builders
from tests.fakes import InMemoryRegistry

NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


class ReadOnlyRegistry(InMemoryRegistry):
    """Fails the test on any write: for requests that must be refused before anything is stored."""

    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None:
        raise AssertionError("an organisation was stored")

    def add_excluded_address(self, address_pseudonym: str, key_version: str, created_at: datetime) -> bool:
        raise AssertionError("an excluded address was stored")


@pytest.fixture
def registry() -> InMemoryRegistry:
    return InMemoryRegistry()


def fields(raised: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [error.field for error in raised.value.errors]


def test_created_organisation_is_stored_with_a_normalised_region(registry: InMemoryRegistry) -> None:
    organisation, _ = admin.create_organisation(registry, "  GGD Regio Utrecht ", "jgz", " Utrecht ", NOW)
    assert organisation.id.startswith("org_")
    assert organisation == Organisation(organisation.id, "GGD Regio Utrecht", "jgz", "utrecht")
    assert registry.get_organisation(organisation.id) == organisation


def test_each_organisation_gets_its_own_id(registry: InMemoryRegistry) -> None:
    first, _ = admin.create_organisation(registry, "A", "jgz", "utrecht", NOW)
    second, _ = admin.create_organisation(registry, "A", "jgz", "utrecht", NOW)
    assert first.id != second.id


def test_unknown_sector_is_refused_before_anything_is_stored() -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.create_organisation(ReadOnlyRegistry(), "A", "bakkerij", "utrecht", NOW)
    assert fields(raised) == ["sector"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_organisation_name_must_have_1_to_200_characters(registry: InMemoryRegistry, name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.create_organisation(registry, name, "jgz", "utrecht", NOW)
    assert fields(raised) == ["name"]


@pytest.mark.parametrize("region", ["", "noord holland", "utrecht!", "x" * 61])
def test_region_must_be_a_simple_slug(registry: InMemoryRegistry, region: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.create_organisation(registry, "A", "jgz", region, NOW)
    assert fields(raised) == ["region"]


def test_another_token_can_be_issued_for_an_organisation(registry: InMemoryRegistry) -> None:
    organisation, first = admin.create_organisation(registry, "A", "jgz", "utrecht", NOW)
    second = admin.issue_organisation_token(registry, organisation.id, NOW)
    assert second.token != first.token
    assert auth.authenticate(registry, f"Bearer {first.token}") == auth.authenticate(registry, f"Bearer {second.token}")


def test_no_token_for_an_unknown_organisation(registry: InMemoryRegistry) -> None:
    with pytest.raises(NotFound):
        admin.issue_organisation_token(registry, "org_unknown", NOW)


def test_no_new_token_for_a_suspended_organisation(registry: InMemoryRegistry) -> None:
    organisation, _ = admin.create_organisation(registry, "A", "jgz", "utrecht", NOW)
    registry.suspend_organisation(organisation.id)
    with pytest.raises(InvalidInput) as raised:
        admin.issue_organisation_token(registry, organisation.id, NOW)
    assert fields(raised) == ["organisation"]


def test_created_municipality_gets_a_municipality_token(registry: InMemoryRegistry) -> None:
    issued = admin.create_municipality(registry, "0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", NOW)
    assert registry.get_municipality("0344") is not None
    principal = auth.authenticate(registry, f"Bearer {issued.token}")
    assert principal.kind is PrincipalKind.MUNICIPALITY
    assert principal.municipality_code == "0344"


@pytest.mark.parametrize("code", ["344", "03440", "gm03", "0344\n"])
def test_municipality_code_must_have_four_digits(registry: InMemoryRegistry, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.create_municipality(registry, code, "Utrecht", "utrecht", None, NOW)
    assert fields(raised) == ["code"]


def test_invalid_regievoerder_email_is_refused(registry: InMemoryRegistry) -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.create_municipality(registry, "0344", "Utrecht", "utrecht", "regie@", NOW)
    assert fields(raised) == ["regievoerder_email"]
    assert registry.get_municipality("0344") is None


def test_no_token_for_an_unknown_municipality(registry: InMemoryRegistry) -> None:
    with pytest.raises(NotFound):
        admin.issue_municipality_token(registry, "9999", NOW)


def test_admin_token_authenticates_as_an_administrator(registry: InMemoryRegistry) -> None:
    issued = admin.issue_admin_token(registry, "Beheer", NOW)
    principal = auth.authenticate(registry, f"Bearer {issued.token}")
    assert principal.kind is PrincipalKind.ADMIN
    assert principal.client_id == "admin_beheer"


def test_excluded_address_is_stored_as_its_pseudonym_once(registry: InMemoryRegistry) -> None:
    keys = builders.pseudonymiser()
    assert admin.add_excluded_address(registry, keys, "3511 ab", 12, "a", "BIS", NOW) is True
    assert admin.add_excluded_address(registry, keys, "3511AB", 12, "A", "bis", NOW) is False
    expected = keys.address_parts("3511AB", 12, "A", "BIS")
    assert registry.is_excluded_address(expected.value)
    assert not registry.is_excluded_address(keys.address_parts("3511AB", 12, "A", None).value)


@pytest.mark.parametrize(
    ("postcode", "number", "letter", "suffix", "field"),
    [
        ("3511", 12, None, None, "postcode"),
        ("3511AB", 0, None, None, "house_number"),
        ("3511AB", 100000, None, None, "house_number"),
        ("3511AB", 12, "ab", None, "house_letter"),
        ("3511AB", 12, None, "toolong", "suffix"),
    ],
)
def test_invalid_excluded_address_is_refused_before_anything_is_stored(
    postcode: str, number: int, letter: str | None, suffix: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        admin.add_excluded_address(ReadOnlyRegistry(), builders.pseudonymiser(), postcode, number, letter, suffix, NOW)
    assert fields(raised) == [field]
