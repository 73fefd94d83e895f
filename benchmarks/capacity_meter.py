"""Capacity units of every DynamoDB request the app makes, by DynamoDB's published sizing rules.

moto counts no capacity, so this meter watches each request through botocore's event hooks and
reads the items it touches before and after with a client of its own (not hooked, not counted):

- an item's size is the UTF-8 length of its attribute names plus the size of their values
  (strings their UTF-8 length, numbers about one byte per two significant digits plus one,
  booleans and nulls one byte, lists and maps 3 bytes plus one byte and the size of each element,
  a map's keys counted like attribute names);
- a write costs 1 write unit per started KB of the larger of the item before and after it, twice
  that inside ``TransactWriteItems`` (a ``ConditionCheck`` there is charged as a write of the item
  it checks); a refused write costs the same, without index writes;
- each global secondary index is one more write per started KB of the item as that index
  projects it (its keys, the table's keys and the projected attributes), when the item enters or
  leaves the index or a projected attribute changes, and two (delete and put) when the index key
  changes; index writes are not doubled inside a transaction;
- a read costs 1 read unit per started 4 KB, half that when eventually consistent (every index
  read is); a ``Query`` or ``Scan`` is sized by every item it evaluates (a filter saves nothing),
  a ``GetItem`` or each key of a ``BatchGetItem`` by its own item, at least one unit each.

The index projections come from ``infra/template.json``, so the figures follow the template.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.tables import table_definitions

KB = 1024
READ_BLOCK = 4 * KB
# What DynamoDB adds to every item and index entry for storage (and bills).
STORAGE_OVERHEAD = 100
RawItem = dict[str, Any]


def value_size(value: Mapping[str, Any]) -> int:
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: element}) for element in data)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str
    included: tuple[str, ...] = ()

    def holds(self, item: RawItem | None) -> bool:
        return item is not None and all(key in item for key in self.keys)

    def project(self, item: RawItem, table_keys: tuple[str, ...]) -> RawItem:
        if self.projection == "ALL":
            return dict(item)
        kept = set(table_keys) | set(self.keys) | set(self.included)
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class TableDesign:
    keys: tuple[str, ...]
    indexes: dict[str, Index]

    def key_of(self, item: RawItem) -> RawItem:
        return {name: item[name] for name in self.keys}


def designs(names_by_logical_id: Mapping[str, str]) -> dict[str, TableDesign]:
    """Each table's key and its indexes' keys and projections, as ``infra/template.json`` has them."""
    found = {}
    for logical_id, properties in table_definitions().items():
        indexes = {}
        for index in properties.get("GlobalSecondaryIndexes", []):
            projection = index["Projection"]
            indexes[index["IndexName"]] = Index(
                index["IndexName"],
                tuple(part["AttributeName"] for part in index["KeySchema"]),
                projection["ProjectionType"],
                tuple(projection.get("NonKeyAttributes", [])),
            )
        keys = tuple(part["AttributeName"] for part in properties["KeySchema"])
        found[names_by_logical_id[logical_id]] = TableDesign(keys, indexes)
    return found


@dataclass
class Usage:
    """Capacity used since the last reset; ``by_kind`` splits the write units by what they wrote."""

    write_units: float = 0
    read_units: float = 0
    by_kind: dict[str, float] = field(default_factory=dict)

    def add_write(self, kind: str, units: float) -> None:
        self.write_units += units
        self.by_kind[kind] = self.by_kind.get(kind, 0) + units


_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_VALUE = re.compile(r"[:#][A-Za-z0-9_]+")


class CapacityMeter:
    """Register with :meth:`attach` on the session every app client comes from."""

    def __init__(self, raw_client: Any, names_by_logical_id: Mapping[str, str]) -> None:
        self._raw = raw_client
        self.tables = designs(names_by_logical_id)
        self.usage = Usage()
        self._pending: list[tuple[str, str, RawItem, RawItem | None, bool]] = []
        self._params: dict[str, Any] = {}

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)

    def reset(self) -> Usage:
        used, self.usage = self.usage, Usage()
        return used

    def _get(self, table: str, key: RawItem) -> RawItem | None:
        found: RawItem | None = self._raw.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return found

    # Writes: remember every item touched as it was before, then size it before and after.

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._params = dict(params)
        self._pending = []
        if model.name not in _WRITES:
            return
        for table, kind, request, transactional in _write_requests(model.name, params):
            design = self.tables[table]
            key = design.key_of(request["Item"]) if kind in ("Put", "PutRequest") else request["Key"]
            self._pending.append((table, kind, key, self._get(table, key), transactional))

    def _after(self, model: Any, parsed: Mapping[str, Any], **_: Any) -> None:
        if model.name in _WRITES:
            refused = bool(parsed.get("Error"))
            for table, kind, key, before, transactional in self._pending:
                self._written(table, kind, before, None if refused else self._get(table, key), transactional, refused)
        elif model.name in ("Query", "Scan"):
            self._query_read(model.name)
        elif model.name == "GetItem":
            consistent = bool(self._params.get("ConsistentRead"))
            self.usage.read_units += _read_units(item_size(parsed.get("Item")), consistent)
        elif model.name == "BatchGetItem":
            for table, request in self._params["RequestItems"].items():
                for key in request["Keys"]:
                    size = item_size(self._get(table, key))
                    self.usage.read_units += _read_units(size, bool(request.get("ConsistentRead")))
        self._pending = []

    def _written(
        self, table: str, kind: str, before: RawItem | None, after: RawItem | None, transactional: bool, refused: bool
    ) -> None:
        design = self.tables[table]
        factor = 2 if transactional else 1
        units = write_units(max(item_size(before), item_size(after)))
        self.usage.add_write("check" if kind == "ConditionCheck" else "item", units * factor)
        if refused or kind == "ConditionCheck":
            return
        for index in design.indexes.values():
            self.usage.add_write("index", _index_writes(index, design.keys, before, after))

    def _query_read(self, operation: str) -> None:
        """Every item the request evaluated: the request again without its filter and projection."""
        request = {k: v for k, v in self._params.items() if k not in ("FilterExpression", "ProjectionExpression")}
        request.pop("Select", None)
        used = set(_VALUE.findall(request.get("KeyConditionExpression", "")))
        for part in ("ExpressionAttributeValues", "ExpressionAttributeNames"):
            if part in request:
                request[part] = {k: v for k, v in request[part].items() if k in used}
                if not request[part]:
                    del request[part]
        call = self._raw.query if operation == "Query" else self._raw.scan
        items = call(**request)["Items"]
        design = self.tables[request["TableName"]]
        index = design.indexes.get(request.get("IndexName", ""))
        if index is not None:
            items = [index.project(item, design.keys) for item in items]
        consistent = index is None and bool(request.get("ConsistentRead"))
        self.usage.read_units += _read_units(sum(item_size(item) for item in items), consistent)

    # Storage ------------------------------------------------------------------------------------

    def stored(self, table: str) -> tuple[int, int, int]:
        """Bytes a table holds: its items and its index entries, each with DynamoDB's overhead per
        item and entry, and both without that overhead."""
        design = self.tables[table]
        items = self._raw.scan(TableName=table)["Items"]
        entries = [
            index.project(item, design.keys) for item in items for index in design.indexes.values() if index.holds(item)
        ]
        base = sum(item_size(item) for item in items)
        indexed = sum(item_size(entry) for entry in entries)
        return base + STORAGE_OVERHEAD * len(items), indexed + STORAGE_OVERHEAD * len(entries), base + indexed


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_BLOCK))
    return units if consistent else units / 2


def _index_writes(index: Index, table_keys: tuple[str, ...], before: RawItem | None, after: RawItem | None) -> int:
    was, now = index.holds(before), index.holds(after)
    old = index.project(before, table_keys) if was and before is not None else None
    new = index.project(after, table_keys) if now and after is not None else None
    if old is None and new is None:
        return 0
    if old is None or new is None:
        return write_units(item_size(old or new))
    if all(old[key] == new[key] for key in index.keys):
        return 0 if old == new else write_units(max(item_size(old), item_size(new)))
    return write_units(item_size(old)) + write_units(item_size(new))


def _write_requests(operation: str, params: Mapping[str, Any]) -> list[tuple[str, str, RawItem, bool]]:
    """(table, kind, request, transactional) of every item a write request names."""
    if operation == "TransactWriteItems":
        found = []
        for action in params["TransactItems"]:
            (kind, request), *_ = action.items()
            found.append((request["TableName"], kind, request, True))
        return found
    if operation == "BatchWriteItem":
        return [
            (table, kind, body, False)
            for table, requests in params["RequestItems"].items()
            for request in requests
            for kind, body in request.items()
        ]
    kind = operation.removesuffix("Item")
    return [(params["TableName"], kind, dict(params), False)]
