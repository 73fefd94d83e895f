"""The capacity benchmark runs end to end on a small selection, so it cannot rot unseen.

It asserts what the design promises in counts, never in time.
"""

from __future__ import annotations

import pytest

from benchmarks import capacity


@pytest.fixture(scope="module")
def measured() -> dict[str, capacity.Usage]:
    return capacity.run(capacity.LONG, ["POST /v1/signals (warm)", "match, k = 1", "GET /v1/signals/{id} (service)"])


def test_every_operation_chosen_is_measured(measured: dict[str, capacity.Usage]) -> None:
    assert set(measured) == {"POST /v1/signals (warm)", "match, k = 1", "GET /v1/signals/{id} (service)"}
    for usage in measured.values():
        assert usage.write_units >= 1
        assert usage.read_units > 0


def test_a_warm_post_writes_four_items_in_one_transaction(measured: dict[str, capacity.Usage]) -> None:
    # Idempotency record, guard, signal and log line, each doubled by the transaction.
    assert measured["POST /v1/signals (warm)"].by_kind["item"] == 8


def test_a_signal_is_stored_with_its_index_entries() -> None:
    stored = capacity.stored_per_signal(capacity.LONG)
    assert stored["table"] > 0
    assert stored["indexes"] > 0


def test_every_item_stays_under_a_kilobyte_with_long_data() -> None:
    """One write unit each: signals (new and archived), guards, both sides of a match, the
    regievoerder's record, the mail ledger and the log lines, with long names and addresses."""
    from benchmarks.capacity_meter import KB, item_size
    from chalicelib.domain.model import CloseReason

    with capacity.bench(capacity.LONG) as b:
        new = capacity._matched(b)
        b.container.signals.close(b.organisation(1), new.id, CloseReason.RISK_RESOLVED)
        settings = b.container.settings
        for table in (settings.signals_table, settings.logbook_table):
            items = b.meter._raw.scan(TableName=table)["Items"]
            assert items
            sizes = {item["sk"]["S"]: item_size(item) for item in items}
            assert max(sizes.values()) < KB, sizes
