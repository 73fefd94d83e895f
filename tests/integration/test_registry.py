"""The registry: one contract for the in-memory fake and DynamoDB on moto, then DynamoDB's storage."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb.registry import DynamoDBRegistry
from chalicelib.adapters.dynamodb.table import serialise
from chalicelib.domain.errors import InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.model import PrincipalKind
from chalicelib.ports_registry import MAX_ACTIVE_TOKENS, AlreadyRegistered, TokenGrant
from chalicelib.services import admin, auth
from tests import builders
from tests.fakes import InMemoryRegistry

NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


class RegistryContract:
    @pytest.fixture
    def registry(self) -> Any:
        raise NotImplementedError

    def test_organisation_reads_back_equal(self, registry: Any) -> None:
        organisation = builders.organisation()
        registry.put_organisation(organisation, NOW)
        assert registry.get_organisation(organisation.id) == organisation
        assert registry.get_organisation("org_unknown") is None
        assert registry.organisation_suspended(organisation.id) is False

    def test_token_resolves_to_the_principal_it_was_issued_for(self, registry: Any) -> None:
        organisation, issued = admin.create_organisation(registry, "GGD Regio Utrecht", "jgz", "utrecht", NOW)
        grant = registry.token_by_hash(auth.hash_token(issued.token))
        assert grant.token_id == issued.token_id
        assert grant.active is True
        assert grant.principal == builders.organisation_principal(organisation)
        assert registry.token_by_hash(auth.hash_token(issued.token + "x")) is None

    def test_revoked_token_stops_and_the_others_keep_working(self, registry: Any) -> None:
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        second = admin.issue_organisation_token(registry, organisation.id, NOW)
        registry.revoke_token(first.token_id)
        assert registry.token_by_hash(auth.hash_token(first.token)).active is False
        with pytest.raises(Unauthenticated):
            auth.authenticate(registry, f"Bearer {first.token}")
        assert auth.authenticate(registry, f"Bearer {second.token}").organisation == organisation

    def test_an_organisations_tokens_are_listed_with_label_created_and_last_use(self, registry: Any) -> None:
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        later = NOW + timedelta(minutes=5)
        second = admin.issue_organisation_token(registry, organisation.id, later, label="Zorgdossier")
        other, _ = admin.create_organisation(registry, "Buurtteam", "wijkteam", "utrecht", NOW)
        registry.revoke_token(first.token_id)
        listed = registry.tokens_of(organisation.id)
        assert [(g.token_id, g.label, g.created_at, g.active, g.last_used) for g in listed] == [
            (second.token_id, "Zorgdossier", later, True, None),
            (first.token_id, None, NOW, False, None),
        ]
        assert second.token_id not in [g.token_id for g in registry.tokens_of(other.id)]
        assert registry.tokens_of("org_unknown") == []

    def test_a_tokens_use_is_recorded_at_most_once_an_hour(self, registry: Any) -> None:
        _, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        token_hash = auth.hash_token(issued.token)
        registry.record_use(token_hash, NOW)
        assert registry.token_by_hash(token_hash).last_used == NOW
        registry.record_use(token_hash, NOW + timedelta(minutes=59))
        assert registry.token_by_hash(token_hash).last_used == NOW
        registry.record_use(token_hash, NOW + timedelta(hours=1, seconds=1))
        assert registry.token_by_hash(token_hash).last_used == NOW + timedelta(hours=1, seconds=1)
        registry.record_use(auth.hash_token("vwi_unknown"), NOW)  # unknown: nothing, no error
        assert registry.token_by_hash(auth.hash_token("vwi_unknown")) is None

    def test_authenticating_records_the_use_only_when_the_stored_one_is_an_hour_old(self, registry: Any) -> None:
        _, issued = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        token_hash = auth.hash_token(issued.token)
        for minutes in (0, 10, 59, 61):
            auth.authenticate(registry, f"Bearer {issued.token}", NOW + timedelta(minutes=minutes))
        assert registry.token_by_hash(token_hash).last_used == NOW + timedelta(minutes=61)
        auth.authenticate(registry, f"Bearer {issued.token}")  # without a clock: nothing recorded
        assert registry.token_by_hash(token_hash).last_used == NOW + timedelta(minutes=61)

    def test_revoking_an_unknown_token_is_not_found(self, registry: Any) -> None:
        with pytest.raises(NotFound):
            registry.revoke_token("0123456789abcdef")

    def test_suspending_an_organisation_stops_every_token_it_holds(self, registry: Any) -> None:
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        others = [admin.issue_organisation_token(registry, organisation.id, NOW) for _ in range(2)]
        _, unrelated = admin.create_organisation(registry, "Buurtteam", "wijkteam", "utrecht", NOW)
        assert registry.suspend_organisation(organisation.id) == 3
        assert registry.organisation_suspended(organisation.id) is True
        for token in [first, *others]:
            with pytest.raises(Unauthenticated):
                auth.authenticate(registry, f"Bearer {token.token}")
        assert auth.authenticate(registry, f"Bearer {unrelated.token}").kind is PrincipalKind.ORGANISATION

    def test_no_token_is_stored_for_a_suspended_organisation(self, registry: Any) -> None:
        organisation, _ = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        registry.suspend_organisation(organisation.id)
        token_id, token = auth.new_token()
        grant = TokenGrant(token_id, auth.hash_token(token), builders.organisation_principal(organisation), True)
        with pytest.raises(InvalidInput) as raised:
            registry.put_token(grant, NOW)
        assert [error.field for error in raised.value.errors] == ["organisation"]
        assert registry.token_by_hash(grant.token_hash) is None

    def test_an_organisation_holds_a_bounded_number_of_active_tokens_all_stopped_at_once(self, registry: Any) -> None:
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        tokens = [first] + [
            admin.issue_organisation_token(registry, organisation.id, NOW) for _ in range(MAX_ACTIVE_TOKENS - 1)
        ]
        with pytest.raises(InvalidInput):
            admin.issue_organisation_token(registry, organisation.id, NOW)
        registry.revoke_token(first.token_id)
        tokens.append(admin.issue_organisation_token(registry, organisation.id, NOW))
        assert registry.suspend_organisation(organisation.id) == MAX_ACTIVE_TOKENS
        for token in tokens:
            with pytest.raises(Unauthenticated):
                auth.authenticate(registry, f"Bearer {token.token}")

    def test_suspension_stops_the_active_tokens_and_leaves_revoked_ones_revoked(self, registry: Any) -> None:
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        second = admin.issue_organisation_token(registry, organisation.id, NOW)
        registry.revoke_token(first.token_id)
        assert registry.suspend_organisation(organisation.id) == 1
        assert registry.suspend_organisation(organisation.id) == 0, "suspending again stops nothing more"
        for token in (first, second):
            assert registry.token_by_hash(auth.hash_token(token.token)).active is False

    def test_suspending_an_unknown_organisation_is_not_found(self, registry: Any) -> None:
        with pytest.raises(NotFound):
            registry.suspend_organisation("org_unknown")

    def test_municipality_is_stored_with_its_regievoerder(self, registry: Any) -> None:
        registry.put_municipality("0344", "Utrecht", "utrecht", "regie@utrecht.example.nl", NOW)
        registry.put_municipality("0363", "Amsterdam", "amsterdam", None, NOW)
        utrecht = registry.get_municipality("0344")
        amsterdam = registry.get_municipality("0363")
        assert utrecht["name"] == "Utrecht"
        assert utrecht["regievoerder_email"] == "regie@utrecht.example.nl"
        assert "regievoerder_email" not in amsterdam
        assert registry.get_municipality("9999") is None
        assert registry.regievoerder_email("0344") == "regie@utrecht.example.nl"
        assert registry.regievoerder_email("0363") is None
        assert registry.regievoerder_email("9999") is None

    def test_an_organisation_or_municipality_is_registered_once(self, registry: Any) -> None:
        organisation = builders.organisation()
        registry.put_organisation(organisation, NOW)
        registry.put_municipality("0344", "Utrecht", "utrecht", None, NOW)
        with pytest.raises(AlreadyRegistered):
            registry.put_organisation(replace(organisation, name="Another name"), NOW)
        with pytest.raises(AlreadyRegistered):
            registry.put_municipality("0344", "Utrecht again", "utrecht", None, NOW)
        assert registry.get_organisation(organisation.id) == organisation
        assert registry.get_municipality("0344")["name"] == "Utrecht"

    def test_municipality_codes_of_a_region_or_all(self, registry: Any) -> None:
        registry.put_municipality("0344", "Utrecht", "utrecht", None, NOW)
        registry.put_municipality("0355", "Zeist", "utrecht", None, NOW)
        registry.put_municipality("0363", "Amsterdam", "amsterdam", None, NOW)
        admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        assert registry.municipality_codes("utrecht") == ["0344", "0355"]
        assert registry.municipality_codes(None) == ["0344", "0355", "0363"]
        assert registry.municipality_codes("groningen") == []

    def test_excluded_address_is_registered_once(self, registry: Any) -> None:
        keys = builders.pseudonymiser()
        shelter = keys.address_parts("3511AB", 12, None, None)
        assert registry.add_excluded_address(shelter.value, shelter.key_version, NOW) is True
        assert registry.add_excluded_address(shelter.value, shelter.key_version, NOW) is False
        assert registry.is_excluded_address(shelter.value) is True
        assert registry.is_excluded_address(keys.address_parts("3511AB", 14, None, None).value) is False


class TestInMemoryRegistry(RegistryContract):
    @pytest.fixture
    def registry(self) -> InMemoryRegistry:
        return InMemoryRegistry()


class TestDynamoDBRegistry(RegistryContract):
    @pytest.fixture
    def registry(self, container: bootstrap.Container) -> DynamoDBRegistry:
        return container.registry

    def scan(self, container: bootstrap.Container) -> list[dict[str, Any]]:
        dynamodb = container.dynamodb
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": container.settings.registry_table}
        while True:
            response = dynamodb.scan(**kwargs)
            found.extend(response["Items"])
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def test_tokens_are_stored_only_as_hashes(self, registry: DynamoDBRegistry, container: bootstrap.Container) -> None:
        _, org_token = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        muni_token = admin.create_municipality(registry, "0344", "Utrecht", "utrecht", None, NOW)
        admin_token = admin.issue_admin_token(registry, "beheer", NOW)
        dump = repr(self.scan(container))
        for issued in (org_token, muni_token, admin_token):
            secret = issued.token.removeprefix(f"vwi_{issued.token_id}_")
            assert issued.token not in dump
            assert secret not in dump
            assert auth.hash_token(issued.token) in dump

    def test_suspension_also_shows_on_the_stored_tokens(
        self, registry: DynamoDBRegistry, container: bootstrap.Container
    ) -> None:
        organisation, _ = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        registry.suspend_organisation(organisation.id)
        statuses = {
            item["pk"]["S"].split("#")[0]: item["status"]["S"] for item in self.scan(container) if "status" in item
        }
        assert statuses == {"ORG": "suspended", "TOKEN": "suspended"}

    def test_an_organisation_stored_before_tokens_were_counted_issues_and_suspends(
        self, registry: DynamoDBRegistry, container: bootstrap.Container
    ) -> None:
        organisation = builders.organisation()
        item = {"pk": f"ORG#{organisation.id}", "sk": "ORG", "item_type": "organisation", "status": "active"}
        item |= {"name": organisation.name, "sector": organisation.sector, "region": organisation.region}
        container.dynamodb.put_item(TableName=container.settings.registry_table, Item=serialise(item))
        issued = admin.issue_organisation_token(registry, organisation.id, NOW)
        assert auth.authenticate(registry, f"Bearer {issued.token}").organisation == organisation
        assert registry.suspend_organisation(organisation.id) == 1
        with pytest.raises(Unauthenticated):
            auth.authenticate(registry, f"Bearer {issued.token}")
