"""Who matches a new signal (child and address matches), the stored match records, and the ids
the match function gives its log entries."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.ids import MonotonicUlids, ulid
from chalicelib.domain.lifecycle import status_on
from chalicelib.domain.matching import MatchedParty, MatchKind, both_sides, find_matches, match_id
from chalicelib.domain.model import Signal, SignalStatus
from tests import builders

START = builders.START
TODAY = date(2026, 11, 28)
HOUR = timedelta(hours=1)
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs")


def signal(seed: int = 1, org: Any = GGD, created_at: datetime = START, **overrides: Any) -> Signal:
    return builders.domain_signal(seed=seed, org=org, created_at=created_at, **overrides)


def kinds(found: list[Any]) -> list[tuple[MatchKind, str]]:
    return [(item.kind, item.signal.id) for item in found]


# find_matches: child matches


def test_earlier_signal_of_another_organisation_for_the_same_child_is_a_child_match() -> None:
    earlier = signal(org=GGD)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [earlier, new], [], False, TODAY)

    assert kinds(found) == [(MatchKind.CHILD, earlier.id)]
    assert found[0].status is SignalStatus.ACTIVE


def test_signal_of_another_child_offered_as_same_child_is_no_child_match() -> None:
    other_child = signal(seed=2, org=GGD)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    assert find_matches(new, [other_child], [], False, TODAY) == []


def test_new_signal_never_matches_itself() -> None:
    new = signal(org=BUURTTEAM)

    assert find_matches(new, [new], [new], False, TODAY) == []


def test_signal_of_the_same_organisation_never_matches() -> None:
    own_earlier_same_child = signal(org=GGD)
    own_sibling = signal(seed=2, org=GGD)
    new = signal(org=GGD, created_at=START + HOUR)

    assert find_matches(new, [own_earlier_same_child], [own_sibling], False, TODAY) == []


# find_matches: address matches


def test_signal_of_a_different_child_at_the_same_address_is_an_address_match() -> None:
    sibling = signal(seed=2, org=SCHOOL)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [new], [sibling], False, TODAY)

    assert kinds(found) == [(MatchKind.ADDRESS, sibling.id)]


def test_same_child_offered_at_the_address_is_no_address_match() -> None:
    same_child = signal(org=SCHOOL)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    assert find_matches(new, [], [same_child], False, TODAY) == []


def test_excluded_address_gives_no_address_matches_but_child_matches_stay() -> None:
    same_child = signal(org=GGD)
    sibling = signal(seed=2, org=SCHOOL)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [same_child, new], [sibling], True, TODAY)

    assert kinds(found) == [(MatchKind.CHILD, same_child.id)]


def test_child_matches_come_first_then_address_matches_each_in_creation_order() -> None:
    late_sibling = signal(seed=2, org=SCHOOL, created_at=START + 2 * HOUR)
    early_sibling = signal(seed=3, org=GGD, created_at=START)
    late_same_child = signal(org=GGD, created_at=START + HOUR)
    early_same_child = signal(org=SCHOOL, created_at=START - HOUR)
    new = signal(org=BUURTTEAM, created_at=START + 3 * HOUR)

    found = find_matches(new, [late_same_child, early_same_child], [late_sibling, early_sibling], False, TODAY)

    assert kinds(found) == [
        (MatchKind.CHILD, early_same_child.id),
        (MatchKind.CHILD, late_same_child.id),
        (MatchKind.ADDRESS, early_sibling.id),
        (MatchKind.ADDRESS, late_sibling.id),
    ]


# find_matches: only earlier, living signals


def test_later_signal_is_not_matched_by_an_earlier_one() -> None:
    new = signal(org=GGD, created_at=START)
    later = signal(org=BUURTTEAM, created_at=START + HOUR)
    later_sibling = signal(seed=2, org=SCHOOL, created_at=START + HOUR)

    assert find_matches(new, [new, later], [later_sibling], False, TODAY) == []


def test_signals_of_the_same_instant_match_only_the_one_with_the_lower_id() -> None:
    first = signal(org=GGD, id=ulid(START, bytes(10)))
    second = signal(org=BUURTTEAM, id=ulid(START, b"\x01" * 10))

    assert kinds(find_matches(second, [first, second], [], False, TODAY)) == [(MatchKind.CHILD, first.id)]
    assert find_matches(first, [first, second], [], False, TODAY) == []


def test_deleted_candidate_is_skipped() -> None:
    expired = signal(org=GGD, created_at=START - timedelta(days=3000), delete_after=TODAY - timedelta(days=1))
    expired_sibling = signal(seed=2, org=SCHOOL, delete_after=TODAY - timedelta(days=1))
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    assert find_matches(new, [expired], [expired_sibling], False, TODAY) == []


def test_candidate_on_its_last_day_still_matches() -> None:
    last_day = signal(org=GGD, active_until=TODAY - timedelta(days=10), delete_after=TODAY)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [last_day], [], False, TODAY)

    assert kinds(found) == [(MatchKind.CHILD, last_day.id)]
    assert found[0].status is SignalStatus.ARCHIVED


def test_candidate_past_its_active_period_matches_with_status_archived() -> None:
    expired = signal(org=GGD, active_until=TODAY - timedelta(days=1))
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [expired], [], False, TODAY)

    assert [item.status for item in found] == [SignalStatus.ARCHIVED]


def test_closed_candidate_matches_with_status_archived() -> None:
    closed = signal(seed=2, org=SCHOOL, archived_on=TODAY - timedelta(days=5))
    active = signal(seed=3, org=GGD)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    found = find_matches(new, [], [closed, active], False, TODAY)

    statuses = {item.signal.id: item.status for item in found}
    assert statuses == {closed.id: SignalStatus.ARCHIVED, active.id: SignalStatus.ACTIVE}


# both_sides and match_id


def test_each_match_is_stored_on_both_sides_under_one_id() -> None:
    earlier = signal(org=GGD)
    sibling = signal(seed=2, org=SCHOOL)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)
    found = find_matches(new, [earlier, new], [sibling], False, TODAY)

    records = both_sides(new, found)

    assert len(records) == 4
    by_owner = {(record.signal_id, record.other.signal_id): record for record in records}
    assert set(by_owner) == {(new.id, earlier.id), (earlier.id, new.id), (new.id, sibling.id), (sibling.id, new.id)}
    assert by_owner[(new.id, earlier.id)].id == by_owner[(earlier.id, new.id)].id == match_id(new.id, earlier.id)
    assert by_owner[(new.id, sibling.id)].id == by_owner[(sibling.id, new.id)].id == match_id(new.id, sibling.id)
    assert by_owner[(new.id, sibling.id)].kind is by_owner[(sibling.id, new.id)].kind is MatchKind.ADDRESS
    assert by_owner[(new.id, earlier.id)].kind is MatchKind.CHILD


def test_each_side_belongs_to_its_own_child_and_shows_the_other_signal() -> None:
    sibling = signal(seed=2, org=SCHOOL, delete_after=date(2031, 1, 1))
    new = signal(org=BUURTTEAM, created_at=START + HOUR)

    mine, theirs = both_sides(new, find_matches(new, [new], [sibling], False, TODAY))

    assert (mine.signal_id, mine.owner_child_pseudonym, mine.owner_delete_after) == (
        new.id,
        new.child_pseudonym.value,
        new.delete_after,
    )
    assert mine.other == MatchedParty.of(sibling)
    assert (theirs.signal_id, theirs.owner_child_pseudonym, theirs.owner_delete_after) == (
        sibling.id,
        sibling.child_pseudonym.value,
        date(2031, 1, 1),
    )
    assert theirs.other == MatchedParty.of(new)
    assert theirs.other.professional == new.professional
    assert theirs.other.organisation == BUURTTEAM


def test_match_since_is_the_new_signals_creation_so_a_redelivery_rebuilds_identical_records() -> None:
    earlier = signal(org=GGD)
    new = signal(org=BUURTTEAM, created_at=START + HOUR)
    found = find_matches(new, [earlier, new], [], False, TODAY)

    first = both_sides(new, found)
    again = both_sides(new, find_matches(new, [earlier, new], [], False, TODAY + timedelta(days=3)))

    assert {record.since for record in first} == {new.created_at}
    assert first == again


def test_match_id_is_the_same_in_both_directions() -> None:
    assert match_id("01A", "01B") == match_id("01B", "01A")


def test_match_id_differs_per_pair() -> None:
    assert len({match_id("01A", "01B"), match_id("01A", "01C"), match_id("01B", "01C")}) == 3


def test_match_id_is_short_and_prefixed() -> None:
    assert re.fullmatch(r"mt_[0-9a-f]{24}", match_id("01A", "01B"))


def test_matched_party_status_follows_its_own_dates() -> None:
    party = MatchedParty.of(signal(active_until=date(2027, 1, 31), delete_after=date(2032, 1, 31)))

    assert status_on(party, date(2027, 1, 31)) is SignalStatus.ACTIVE
    assert status_on(party, date(2027, 2, 1)) is SignalStatus.ARCHIVED
    assert status_on(party, date(2032, 1, 31)) is SignalStatus.ARCHIVED
    assert status_on(party, date(2032, 2, 1)) is None
    closed = replace(party, archived_on=date(2027, 1, 1))
    assert status_on(closed, date(2027, 1, 1)) is SignalStatus.ARCHIVED


# Ids of log entries written at one instant (MonotonicUlids)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
AT = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def decode(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + CROCKFORD.index(char)
    return value


def test_ulids_made_within_one_millisecond_sort_in_creation_order() -> None:
    ids = MonotonicUlids()
    # Falling entropy: plain ULIDs of these would sort backwards.
    made = [ids.next(AT, bytes([200 - n]) * 10) for n in range(50)]

    assert sorted(made) == made
    assert len(set(made)) == 50


def test_ulids_stay_in_creation_order_when_the_random_part_overflows_within_a_millisecond() -> None:
    ids = MonotonicUlids()

    made = [ids.next(AT, b"\xff" * 10) for _ in range(3)]

    assert sorted(made) == made
    assert len(set(made)) == 3


def test_ulids_of_later_milliseconds_take_fresh_randomness() -> None:
    ids = MonotonicUlids()
    ids.next(AT, b"\xff" * 10)
    entropy = bytes(range(10))

    later = ids.next(AT + timedelta(milliseconds=1), entropy)

    assert decode(later) & ((1 << 80) - 1) == int.from_bytes(entropy, "big")


def test_ulids_take_fresh_randomness_when_the_clock_moves_backwards() -> None:
    ids = MonotonicUlids()
    ids.next(AT, b"\x10" * 10)
    ids.next(AT, b"\x10" * 10)
    entropy = bytes(range(10, 20))

    earlier = ids.next(AT - timedelta(seconds=1), entropy)

    assert decode(earlier) >> 80 == int((AT - timedelta(seconds=1)).timestamp() * 1000)
    assert decode(earlier) & ((1 << 80) - 1) == int.from_bytes(entropy, "big")


def test_monotonic_ulids_have_26_crockford_characters() -> None:
    ids = MonotonicUlids()

    made = [ids.next(AT, os.urandom(10)) for _ in range(5)]

    assert all(len(value) == 26 and set(value) <= set(CROCKFORD) for value in made)
    assert all(decode(value) >> 80 == int(AT.timestamp() * 1000) for value in made)
