"""What the nightly job must do, read from the due index a page at a time, by key only.

The planner reads only the keys (``pk``, ``sk``) of the due items: a worker reads each item again
before acting on it, so nothing else is worth carrying. The index's partitions are read one after
the other (the signals' shards ``DUE#0`` to ``DUE#3``, then the reminders' ``REMIND``); the cursor
names the partition and the key the next page starts after, so a planner that stops may be
continued by another invocation.

``signal_page`` reads the signals' shards without a day: every signal that still exists is there
(``BRP_FOLLOW=ask`` asks the register about each child once a night).
"""

from __future__ import annotations

import json
from datetime import date

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Item, Table
from chalicelib.domain.nightly import DueItem, DueKind, DuePage


def due_partitions() -> list[str]:
    return [*keys.due_shards(), keys.REMINDER_SHARD]


class DynamoDBDueWork:
    def __init__(self, table: Table) -> None:
        self._table = table

    def due_page(self, today: date, cursor: str | None, limit: int) -> DuePage:
        return self._page(due_partitions(), keys.due_after(today), cursor, limit)

    def signal_page(self, cursor: str | None, limit: int) -> DuePage:
        return self._page(keys.due_shards(), None, cursor, limit)

    def _page(self, partitions: list[str], upper: str | None, cursor: str | None, limit: int) -> DuePage:
        position, start = _decode(cursor)
        condition, values = "due_shard = :shard", {":shard": partitions[position]}
        if upper is not None:
            condition, values = condition + " AND due_key < :upper", values | {":upper": upper}
        items, last = self._table.page(
            condition, values, start, IndexName=keys.BY_DUE, ProjectionExpression="pk, sk", Limit=limit
        )
        found = [due for due in map(_due_item, items) if due is not None]
        if last is not None:
            return DuePage(found, _encode(position, last))
        if position + 1 < len(partitions):
            return DuePage(found, _encode(position + 1, None))
        return DuePage(found, None)


def _due_item(item: Item) -> DueItem | None:
    pk, sk = item["pk"], item["sk"]
    if pk.startswith(keys.CHILD_PREFIX) and sk.startswith(keys.SIGNAL_PREFIX):
        return DueItem(DueKind.SIGNAL, keys.child_of(pk), sk.removeprefix(keys.SIGNAL_PREFIX))
    if pk.startswith(keys.MUNICIPALITY_PREFIX) and sk.startswith(keys.MATCH_PREFIX):
        return DueItem(DueKind.REMINDER, keys.municipality_of(pk), sk.removeprefix(keys.MATCH_PREFIX))
    return None  # no other item type carries the due index's keys


def _encode(position: int, start: Item | None) -> str:
    return json.dumps({"partition": position, "after": start}, separators=(",", ":"), sort_keys=True)


def _decode(cursor: str | None) -> tuple[int, Item | None]:
    if cursor is None:
        return 0, None
    document = json.loads(cursor)
    return int(document["partition"]), document["after"]
