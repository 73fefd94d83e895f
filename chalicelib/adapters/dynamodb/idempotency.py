"""The idempotency table: what a first ``POST`` with an ``Idempotency-Key`` left behind."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Item, Table, Write
from chalicelib.domain.errors import Conflict
from chalicelib.ports import IdempotencyRecord, IdempotencyReplay


class DynamoDBIdempotency:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put(self, record: IdempotencyRecord, now: datetime) -> Write:
        """The record, as a write of the transaction that stores its signal.

        Refused while an unexpired record holds the key: ``IdempotencyReplay`` with it, or
        ``Conflict`` when the other request's transaction is still being written.
        """
        return self._table.put(
            record_to_item(record),
            "attribute_not_exists(pk) OR expires_at < :now",
            {":now": int(now.timestamp())},
            refused=_replay,
        )

    def get(self, organisation_id: str, key: str) -> IdempotencyRecord | None:
        item = self._table.get(keys.idempotency_key(organisation_id, key))
        return item_to_record(item) if item else None

    def delete(self, organisation_id: str, key: str) -> None:
        self._table.write(self._table.delete(keys.idempotency_key(organisation_id, key)))


def _replay(first: Item | None) -> Exception:
    if first is None:
        return Conflict("concurrent request with the same Idempotency-Key")
    return IdempotencyReplay(item_to_record(first))


def record_to_item(record: IdempotencyRecord) -> Item:
    return {
        **keys.idempotency_key(record.organisation_id, record.key),
        "organisation_id": record.organisation_id,
        "idempotency_key": record.key,
        "fingerprint": record.fingerprint,
        "signal_id": record.signal_id,
        "expires_at": int(record.expires_at.timestamp()),
    }


def item_to_record(item: Item) -> IdempotencyRecord:
    return IdempotencyRecord(
        organisation_id=item["organisation_id"],
        key=item["idempotency_key"],
        fingerprint=item["fingerprint"],
        signal_id=item["signal_id"],
        expires_at=datetime.fromtimestamp(int(item["expires_at"]), tz=UTC),
    )
