"""The logbook table: append-only, a child's entries in one partition.

Entries are never updated or deleted by the application. Each carries ``expires_at`` (the table's
TTL attribute): the stage's retention after the entry was written, when DynamoDB removes it. A
retention of 0 days writes no ``expires_at``, and entries stay.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.items import drop_none
from chalicelib.adapters.dynamodb.keys import iso_instant, parse_instant
from chalicelib.adapters.dynamodb.table import Item, Table, Write
from chalicelib.domain.logbook import Action, LogEntry

NEW = "attribute_not_exists(pk)"
# The logbook table's TimeToLiveSpecification (infra/template.json).
EXPIRES_AT = "expires_at"


class DynamoDBLogbook:
    """Every entry is a conditional put that can never overwrite another."""

    def __init__(self, table: Table, retention_days: int = 0) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)

    def put(self, entry: LogEntry) -> Write:
        """The entry as one write of a transaction, so a change and its log line land together."""
        item = entry_to_item(entry)
        if self._retention:
            item[EXPIRES_AT] = int((entry.at + self._retention).timestamp())
        return self._table.put(item, NEW)

    def append(self, entry: LogEntry) -> None:
        self._table.write(self.put(entry))

    def entries_for_child(self, child_pseudonym: str) -> list[LogEntry]:
        entries = self._table.query("pk = :pk", {":pk": keys.child_pk(child_pseudonym)})
        return [item_to_entry(item) for item in entries]


def entry_to_item(entry: LogEntry) -> Item:
    return drop_none(
        {
            **keys.log_key(entry.child_pseudonym, entry.client_id, entry.at, entry.id),
            "entry_id": entry.id,
            "at": iso_instant(entry.at),
            "action": entry.action.value,
            "client_id": entry.client_id,
            "organisation_id": entry.organisation_id,
            "municipality_code": entry.municipality_code,
            "signal_id": entry.signal_id,
            "child_pseudonym": entry.child_pseudonym,
            "key_version": entry.key_version,
            "detail": entry.detail,
            "person_id": entry.person_id,
            "person_name": entry.person_name,
        }
    )


def item_to_entry(item: Item) -> LogEntry:
    return LogEntry(
        id=item["entry_id"],
        at=parse_instant(item["at"]),
        action=Action(item["action"]),
        client_id=item["client_id"],
        organisation_id=item.get("organisation_id"),
        municipality_code=item.get("municipality_code"),
        signal_id=item.get("signal_id"),
        child_pseudonym=item.get("child_pseudonym"),
        key_version=item.get("key_version"),
        detail=item.get("detail"),
        person_id=item.get("person_id"),
        person_name=item.get("person_name"),
    )
