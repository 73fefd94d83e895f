"""Keyed pseudonyms for the BSN and the address."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from chalicelib.domain.model import Address
from chalicelib.domain.pseudonyms import Pseudonymiser, address_match_key
from tests import builders

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ADDRESS = Address(
    street="Dorpsstraat",
    house_number=12,
    house_letter="a",
    house_number_suffix="bis",
    postcode="3511AB",
    city="Utrecht",
    municipality_code="0344",
)


def test_same_bsn_gives_the_same_pseudonym() -> None:
    assert Pseudonymiser(KEY, "1").child(builders.bsn(1)) == Pseudonymiser(KEY, "1").child(builders.bsn(1))


def test_different_bsns_give_different_pseudonyms() -> None:
    keys = Pseudonymiser(KEY, "1")
    assert keys.child(builders.bsn(1)).value != keys.child(builders.bsn(2)).value


def test_different_key_gives_a_different_pseudonym() -> None:
    bsn = builders.bsn(1)
    assert Pseudonymiser(KEY, "1").child(bsn).value != Pseudonymiser(OTHER_KEY, "1").child(bsn).value


def test_pseudonym_records_the_key_version() -> None:
    assert Pseudonymiser(KEY, "7").child(builders.bsn(1)).key_version == "7"
    assert Pseudonymiser(KEY, "7").address(ADDRESS).key_version == "7"


def test_pseudonym_is_not_a_plain_hash_of_the_bsn_and_does_not_contain_it() -> None:
    bsn = builders.bsn(1)
    value = Pseudonymiser(KEY, "1").child(bsn).value
    assert bsn not in value
    assert value != hashlib.sha256(bsn.encode()).hexdigest()
    assert len(value) == 64


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Pseudonymiser(bytes(31), "1")


def test_bsn_and_address_pseudonyms_live_in_separate_domains() -> None:
    """A BSN and an address key with the same text must not collide."""
    keys = Pseudonymiser(KEY, "1")
    text = address_match_key(ADDRESS)
    assert keys.child(text).value != keys.address(ADDRESS).value


def test_address_match_key_ignores_the_case_of_letter_and_suffix() -> None:
    keys = Pseudonymiser(KEY, "1")
    upper = replace(ADDRESS, house_letter="A", house_number_suffix="BIS")
    assert address_match_key(upper) == address_match_key(ADDRESS) == "3511AB|12|A|BIS"
    assert keys.address(upper) == keys.address(ADDRESS)


def test_address_match_key_ignores_street_city_and_municipality() -> None:
    moved_name = replace(ADDRESS, street="Dorpstraat", city="UTRECHT", municipality_code="0345")
    assert Pseudonymiser(KEY, "1").address(moved_name) == Pseudonymiser(KEY, "1").address(ADDRESS)


@pytest.mark.parametrize(
    "other",
    [
        replace(ADDRESS, house_number=13),
        replace(ADDRESS, house_letter="b"),
        replace(ADDRESS, house_letter=None),
        replace(ADDRESS, house_number_suffix=None),
        replace(ADDRESS, postcode="3511AC"),
    ],
)
def test_another_dwelling_gives_another_address_pseudonym(other: Address) -> None:
    keys = Pseudonymiser(KEY, "1")
    assert keys.address(other) != keys.address(ADDRESS)


def test_address_without_letter_and_suffix_has_empty_parts() -> None:
    bare = replace(ADDRESS, house_letter=None, house_number_suffix=None)
    assert address_match_key(bare) == "3511AB|12||"
    assert address_match_key(replace(bare, house_letter="", house_number_suffix="")) == "3511AB|12||"


def test_address_parts_give_the_same_pseudonym_as_the_address() -> None:
    keys = Pseudonymiser(KEY, "1")
    assert keys.address_parts("3511AB", 12, "A", "bis") == keys.address(ADDRESS)


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    keys = Pseudonymiser(KEY, "1")
    assert keys.fingerprint({"a": 1, "b": [1, 2]}) == keys.fingerprint({"b": [1, 2], "a": 1})
    assert keys.fingerprint({"a": 1}) != keys.fingerprint({"a": 2})
