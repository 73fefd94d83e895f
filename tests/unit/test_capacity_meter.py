"""The capacity meter sizes items and index writes by DynamoDB's published rules."""

from __future__ import annotations

from benchmarks.capacity_meter import Index, _index_writes, item_size, value_size, write_units
from benchmarks.cost import Figures, national_year

TABLE_KEYS = ("pk", "sk")


def test_an_item_is_the_size_of_its_names_and_values() -> None:
    # DynamoDB's own example sizes: strings by UTF-8 bytes, numbers by significant digits.
    assert value_size({"S": "café"}) == 5
    assert value_size({"N": "123"}) == 3
    assert value_size({"N": "-1.50"}) == 2
    assert value_size({"BOOL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert value_size({"M": {"a": {"S": "xy"}}}) == 3 + 1 + 1 + 2
    assert item_size({"pk": {"S": "CHILD#1"}, "n": {"N": "7"}}) == 2 + 7 + 1 + 2


def test_a_write_unit_is_a_started_kilobyte() -> None:
    assert [write_units(size) for size in (0, 1, 1024, 1025, 2048)] == [1, 1, 1, 2, 2]


def test_an_index_is_written_only_when_what_it_projects_changes() -> None:
    keys_only = Index("by-x", ("x",), "KEYS_ONLY")
    before = {"pk": {"S": "p"}, "sk": {"S": "s"}, "x": {"S": "1"}, "body": {"S": "old"}}
    assert _index_writes(keys_only, TABLE_KEYS, before, before | {"body": {"S": "new"}}) == 0
    everything = Index("by-x", ("x",), "ALL")
    assert _index_writes(everything, TABLE_KEYS, before, before | {"body": {"S": "new"}}) == 1
    # A changed index key is a delete and a put; entering or leaving is one write.
    assert _index_writes(keys_only, TABLE_KEYS, before, before | {"x": {"S": "2"}}) == 2
    assert _index_writes(keys_only, TABLE_KEYS, None, before) == 1
    assert _index_writes(keys_only, TABLE_KEYS, before, None) == 1
    without_key = {k: v for k, v in before.items() if k != "x"}
    assert _index_writes(keys_only, TABLE_KEYS, None, without_key) == 0


def test_the_national_model_grows_with_the_measured_figures() -> None:
    lean = national_year(Figures(post=8, life=20, match=15, stored=2000))
    heavy = national_year(Figures(post=20, life=54, match=40, stored=7500))
    assert lean.monthly() < heavy.monthly()
    assert lean.lines["SES"] == heavy.lines["SES"]
