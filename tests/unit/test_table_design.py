"""The table design as written down (docs/architecture.md), as coded (adapters/dynamodb/keys.py) and as
deployed (infra/template.json) is one design."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.adapters.dynamodb import keys
from infra.tables import TABLE_SETTINGS, table_definitions

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = (ROOT / "docs" / "architecture.md").read_text()


def _rows(heading: str) -> list[str]:
    """The rows of the first table after ``heading``."""
    section = DOCUMENT.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            return rows
    return rows


INDEXES = {
    index["IndexName"]: [part["AttributeName"] for part in index["KeySchema"]]
    for properties in table_definitions().values()
    for index in properties.get("GlobalSecondaryIndexes", [])
}


def test_every_table_of_the_template_is_described() -> None:
    assert set(table_definitions()) == set(TABLE_SETTINGS)
    for logical_id in table_definitions():
        assert f"`{logical_id}`" in DOCUMENT, logical_id


@pytest.mark.parametrize("index", sorted(INDEXES))
def test_every_index_of_the_template_is_in_the_access_pattern_table_with_its_keys(index: str) -> None:
    [row] = [row for row in _rows("| Index |") if row.startswith(f"| `{index}` |")]
    for attribute in INDEXES[index]:
        assert f"`{attribute}`" in row, (index, attribute)
    assert f"`{index}`" in "\n".join(_rows("### Each access pattern")), f"no access pattern uses {index}"


def test_the_keys_module_names_exactly_the_indexes_the_template_deploys() -> None:
    named = {value for name, value in vars(keys).items() if name.startswith("BY_")}
    assert named == set(INDEXES)


def test_every_item_type_of_the_signals_table_has_a_row() -> None:
    item_types = [keys.SIGNAL, keys.ACTIVE_GUARD, keys.MATCH, keys.NOTIFICATION, keys.PARENT_LINK, keys.MUNICIPAL_MATCH]
    described = re.findall(r"^\| `([a-z_]+)`", "\n".join(_rows("| Item type")), re.MULTILINE)
    assert described == item_types


def test_every_key_prefix_appears_in_the_design() -> None:
    prefixes = {name: value for name, value in vars(keys).items() if name.endswith("_PREFIX")}
    assert prefixes
    for name, prefix in prefixes.items():
        assert prefix in DOCUMENT, name
