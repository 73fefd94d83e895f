"""Organisations, municipalities and excluded addresses in the registry table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import iso_instant
from chalicelib.adapters.dynamodb.table import Item
from chalicelib.domain.model import Organisation
from chalicelib.ports_registry import AlreadyRegistered

if TYPE_CHECKING:
    pass
from chalicelib.adapters.dynamodb.registry_table import ACTIVE, SUSPENDED, RegistryTable


class Directory(RegistryTable):
    def put_organisation(self, organisation: Organisation, created_at: datetime) -> None:
        self._put(
            {
                **keys.organisation_key(organisation.id),
                "item_type": "organisation",
                "name": organisation.name,
                "sector": organisation.sector,
                "region": organisation.region,
                "status": ACTIVE,
                "tokens_issued": 0,
                "created_at": iso_instant(created_at),
            }
            | ({"oin": organisation.oin} if organisation.oin is not None else {})
        )

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        item = self._get(keys.organisation_key(organisation_id))
        if item is None:
            return None
        return Organisation(
            id=organisation_id, name=item["name"], sector=item["sector"], region=item["region"], oin=item.get("oin")
        )

    def organisation_suspended(self, organisation_id: str) -> bool:
        item = self._get(keys.organisation_key(organisation_id))
        return item is not None and item["status"] == SUSPENDED

    def put_municipality(
        self, code: str, name: str, region: str, regievoerder_email: str | None, created_at: datetime
    ) -> None:
        item: Item = {
            **keys.municipality_key(code),
            "item_type": "municipality",
            "name": name,
            "region": region,
            "status": ACTIVE,
            "created_at": iso_instant(created_at),
        }
        if regievoerder_email:
            item["regievoerder_email"] = regievoerder_email
        self._put(item)

    def get_municipality(self, code: str) -> Item | None:
        return self._get(keys.municipality_key(code))

    # Excluded addresses ---------------------------------------------------------------------------

    def add_excluded_address(self, address_pseudonym: str, key_version: str, created_at: datetime) -> bool:
        """Register an address (institution, shelter) that never gives address matches.

        Returns ``False`` when it was registered already.
        """
        item: Item = {
            **keys.excluded_address_key(address_pseudonym),
            "item_type": "excluded_address",
            "key_version": key_version,
            "created_at": iso_instant(created_at),
        }
        try:
            self._put(item)
        except AlreadyRegistered:
            return False
        return True

    def is_excluded_address(self, address_pseudonym: str) -> bool:
        return self._get(keys.excluded_address_key(address_pseudonym)) is not None

    def regievoerder_email(self, municipality_code: str) -> str | None:
        item = self.get_municipality(municipality_code)
        email = item.get("regievoerder_email") if item else None
        return str(email) if email else None

    def municipality_codes(self, region: str | None) -> list[str]:
        """Registered municipalities, all or of one region (for administrators' reports).

        The registry holds a few hundred municipalities and organisations, so a filtered Scan is
        cheaper than keeping an index for this rare, administrator-only question.
        """
        values: Item = {":type": "municipality"}
        expression = "item_type = :type"
        kwargs: dict[str, Any] = {"ProjectionExpression": "pk"}
        if region is not None:
            expression += " AND #region = :region"
            values[":region"] = region
            kwargs["ExpressionAttributeNames"] = {"#region": "region"}
        return sorted(keys.municipality_of(item["pk"]) for item in self._registry.scan(expression, values, **kwargs))
