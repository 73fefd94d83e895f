"""ULIDs: sortable by time, 26 Crockford base32 characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.domain.ids import ulid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
AT = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def decode(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + CROCKFORD.index(char)
    return value


def test_ulid_has_26_crockford_characters() -> None:
    value = ulid(AT, bytes(range(10)))
    assert len(value) == 26
    assert set(value) <= set(CROCKFORD)


def test_ulid_of_the_epoch_with_zero_entropy_is_all_zeros() -> None:
    assert ulid(datetime(1970, 1, 1, tzinfo=UTC), bytes(10)) == "0" * 26


def test_ulid_carries_the_milliseconds_and_the_entropy() -> None:
    entropy = bytes(range(1, 11))
    value = decode(ulid(AT, entropy))
    assert value >> 80 == int(AT.timestamp() * 1000)
    assert value & ((1 << 80) - 1) == int.from_bytes(entropy, "big")


def test_later_ulid_sorts_after_an_earlier_one_whatever_the_entropy() -> None:
    earlier = ulid(AT, b"\xff" * 10)
    later = ulid(AT + timedelta(milliseconds=1), bytes(10))
    assert earlier < later


def test_ulid_needs_ten_bytes_of_entropy() -> None:
    with pytest.raises(ValueError, match="10 bytes"):
        ulid(AT, bytes(9))


def test_new_ids_at_the_same_instant_differ() -> None:
    ids = {new_id(AT) for _ in range(100)}
    assert len(ids) == 100
    assert all(value[:10] == ulid(AT, bytes(10))[:10] for value in ids)
