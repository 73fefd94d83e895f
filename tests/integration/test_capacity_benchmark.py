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
