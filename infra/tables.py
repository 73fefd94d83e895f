"""Create the DynamoDB tables from the CloudFormation template that is deployed.

The local stack and the tests call :func:`create_tables`, so their tables have exactly the keys,
indexes, stream and TTL of production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("template.json")

# Logical id in the template -> the setting (environment variable) naming the table.
TABLE_SETTINGS = {
    "SignalsTable": "SIGNALS_TABLE",
    "LogbookTable": "LOGBOOK_TABLE",
    "RegistryTable": "REGISTRY_TABLE",
    "IdempotencyTable": "IDEMPOTENCY_TABLE",
}


@dataclass(frozen=True)
class TableNames:
    signals: str
    logbook: str
    registry: str
    idempotency: str

    @classmethod
    def with_prefix(cls, prefix: str) -> TableNames:
        return cls(f"{prefix}-signals", f"{prefix}-logbook", f"{prefix}-registry", f"{prefix}-idempotency")

    def by_logical_id(self) -> dict[str, str]:
        return {
            "SignalsTable": self.signals,
            "LogbookTable": self.logbook,
            "RegistryTable": self.registry,
            "IdempotencyTable": self.idempotency,
        }

    def environment(self) -> dict[str, str]:
        names = self.by_logical_id()
        return {setting: names[logical] for logical, setting in TABLE_SETTINGS.items()}


def table_definitions() -> dict[str, dict[str, Any]]:
    """The ``AWS::DynamoDB::Table`` resources of the template, by logical id.

    The template also holds partial resources without a ``Type``: overrides that ``chalice
    package`` deep-merges into the resources it generates.
    """
    template = json.loads(TEMPLATE.read_text())
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::DynamoDB::Table"
    }


def create_table_arguments(properties: dict[str, Any], table_name: str) -> dict[str, Any]:
    """``CreateTable`` arguments equivalent to the CloudFormation properties."""
    arguments: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties["BillingMode"],
    }
    if "GlobalSecondaryIndexes" in properties:
        arguments["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        arguments["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
        }
    return arguments


def create_tables(dynamodb: Any, names: TableNames) -> None:
    """Create every table of the template with ``names``; TTL is applied as CloudFormation would."""
    by_logical_id = names.by_logical_id()
    for logical_id, properties in table_definitions().items():
        table_name = by_logical_id[logical_id]
        dynamodb.create_table(**create_table_arguments(properties, table_name))
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
            )
