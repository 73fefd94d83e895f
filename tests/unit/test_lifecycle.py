"""The dates that decide a signal's life: age rule, informing, active period, deletion, status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import InformParty, Signal, SignalStatus
from tests import builders

DAY = timedelta(days=1)
TODAY = date(2026, 11, 28)


def field_of(raised: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [error.field for error in raised.value.errors]


# add_years and age_on


def test_adding_years_keeps_the_calendar_day() -> None:
    assert lifecycle.add_years(date(2014, 5, 1), 23) == date(2037, 5, 1)


def test_adding_years_to_29_february_gives_28_february_in_a_common_year() -> None:
    assert lifecycle.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_adding_years_to_29_february_keeps_it_in_a_leap_year() -> None:
    assert lifecycle.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_age_counts_completed_years() -> None:
    birth = date(2014, 5, 1)
    assert lifecycle.age_on(birth, date(2026, 4, 30)) == 11
    assert lifecycle.age_on(birth, date(2026, 5, 1)) == 12
    assert lifecycle.age_on(birth, birth) == 0


def test_child_born_on_29_february_ages_on_28_february_in_a_common_year() -> None:
    birth = date(2012, 2, 29)
    assert lifecycle.age_on(birth, date(2025, 2, 27)) == 12
    assert lifecycle.age_on(birth, date(2025, 2, 28)) == 13
    assert lifecycle.age_on(birth, date(2028, 2, 28)) == 15
    assert lifecycle.age_on(birth, date(2028, 2, 29)) == 16


# The age rule


def test_child_under_23_may_be_signalled() -> None:
    lifecycle.check_child_may_be_signalled(date(2014, 5, 1), TODAY)


def test_child_born_today_may_be_signalled() -> None:
    lifecycle.check_child_may_be_signalled(TODAY, TODAY)


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        lifecycle.check_child_may_be_signalled(TODAY + DAY, TODAY)
    assert field_of(raised) == ["child.birth_date"]


def test_child_may_be_signalled_on_the_day_before_the_23rd_birthday() -> None:
    birth = date(2003, 11, 29)
    lifecycle.check_child_may_be_signalled(birth, TODAY)


def test_child_may_not_be_signalled_on_the_23rd_birthday() -> None:
    birth = date(2003, 11, 28)
    with pytest.raises(InvalidInput) as raised:
        lifecycle.check_child_may_be_signalled(birth, TODAY)
    assert field_of(raised) == ["child.birth_date"]
    assert "2003" not in str(raised.value)


def test_child_of_30_may_not_be_signalled() -> None:
    with pytest.raises(InvalidInput):
        lifecycle.check_child_may_be_signalled(date(1996, 1, 1), TODAY)


def test_child_born_on_29_february_turns_23_on_28_february_in_a_common_year() -> None:
    birth = date(2004, 2, 29)
    assert lifecycle.last_day_before_23(birth) == date(2027, 2, 27)
    lifecycle.check_child_may_be_signalled(birth, date(2027, 2, 27))
    with pytest.raises(InvalidInput):
        lifecycle.check_child_may_be_signalled(birth, date(2027, 2, 28))


# Informing the family


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2014, 5, 1), (InformParty.PARENTS,)),
        (date(2026, 4, 30), (InformParty.PARENTS,)),  # 11
        (date(2026, 5, 1), (InformParty.PARENTS, InformParty.CHILD)),  # 12
        (date(2030, 4, 30), (InformParty.PARENTS, InformParty.CHILD)),  # 15
        (date(2030, 5, 1), (InformParty.CHILD,)),  # 16
        (date(2036, 4, 30), (InformParty.CHILD,)),  # 21
    ],
)
def test_who_to_inform_follows_the_age_on_the_day_of_the_signal(today: date, expected: tuple[InformParty, ...]) -> None:
    assert lifecycle.who_to_inform(date(2014, 5, 1), today) == expected


def test_child_born_on_29_february_is_told_from_the_12th_birthday_in_a_leap_year() -> None:
    birth = date(2012, 2, 29)
    assert lifecycle.who_to_inform(birth, date(2024, 2, 28)) == (InformParty.PARENTS,)
    assert lifecycle.who_to_inform(birth, date(2024, 2, 29)) == (InformParty.PARENTS, InformParty.CHILD)


# The active period

YOUNG = date(2014, 5, 1)


def test_signal_is_active_for_two_years_by_default() -> None:
    assert lifecycle.active_until(TODAY, YOUNG, None) == date(2028, 11, 28)


def test_earlier_end_date_is_kept() -> None:
    assert lifecycle.active_until(TODAY, YOUNG, date(2027, 6, 1)) == date(2027, 6, 1)


def test_end_date_today_is_allowed() -> None:
    assert lifecycle.active_until(TODAY, YOUNG, TODAY) == TODAY


def test_end_date_exactly_two_years_ahead_is_allowed() -> None:
    assert lifecycle.active_until(TODAY, YOUNG, date(2028, 11, 28)) == date(2028, 11, 28)


def test_end_date_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        lifecycle.active_until(TODAY, YOUNG, TODAY - DAY)
    assert field_of(raised) == ["end_date"]
    assert "past" in str(raised.value)


def test_end_date_beyond_two_years_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        lifecycle.active_until(TODAY, YOUNG, date(2028, 11, 29))
    assert field_of(raised) == ["end_date"]
    assert "2 years" in str(raised.value)


def test_active_period_never_runs_past_the_day_before_the_23rd_birthday() -> None:
    birth = date(2004, 3, 10)  # 23 on 2027-03-10
    assert lifecycle.active_until(TODAY, birth, None) == date(2027, 3, 9)


def test_end_date_on_the_23rd_birthday_is_refused() -> None:
    birth = date(2004, 3, 10)
    assert lifecycle.active_until(TODAY, birth, date(2027, 3, 9)) == date(2027, 3, 9)
    with pytest.raises(InvalidInput) as raised:
        lifecycle.active_until(TODAY, birth, date(2027, 3, 10))
    assert field_of(raised) == ["end_date"]
    assert "23rd birthday" in str(raised.value)


def test_two_years_from_29_february_ends_on_28_february() -> None:
    assert lifecycle.active_until(date(2028, 2, 29), YOUNG, None) == date(2030, 2, 28)


# Deletion


def test_signal_is_deleted_five_years_after_its_active_period() -> None:
    assert lifecycle.delete_after(date(2028, 11, 28), YOUNG) == date(2033, 11, 28)


def test_signal_is_deleted_on_the_day_before_the_23rd_birthday_when_that_comes_first() -> None:
    birth = date(2008, 1, 15)  # 23 on 2031-01-15
    assert lifecycle.delete_after(date(2028, 11, 28), birth) == date(2031, 1, 14)


def test_archive_ending_on_the_23rd_birthday_is_cut_to_the_day_before() -> None:
    birth = date(2010, 11, 28)  # 23 on 2033-11-28
    assert lifecycle.delete_after(date(2028, 11, 28), birth) == date(2033, 11, 27)


# Status on a day


@pytest.fixture
def signal() -> Signal:
    return builders.domain_signal(active_until=date(2028, 11, 28), delete_after=date(2033, 11, 28))


def test_signal_is_active_until_and_including_its_last_active_day(signal: Signal) -> None:
    assert lifecycle.status_on(signal, TODAY) is SignalStatus.ACTIVE
    assert lifecycle.status_on(signal, date(2028, 11, 28)) is SignalStatus.ACTIVE


def test_signal_is_archived_after_its_active_period(signal: Signal) -> None:
    assert lifecycle.status_on(signal, date(2028, 11, 29)) is SignalStatus.ARCHIVED
    assert lifecycle.status_on(signal, date(2033, 11, 28)) is SignalStatus.ARCHIVED


def test_closed_signal_is_archived_from_its_archive_day(signal: Signal) -> None:
    closed = replace(signal, archived_on=date(2027, 1, 5))
    assert lifecycle.status_on(closed, date(2027, 1, 4)) is SignalStatus.ACTIVE
    assert lifecycle.status_on(closed, date(2027, 1, 5)) is SignalStatus.ARCHIVED


def test_signal_no_longer_exists_after_its_delete_day(signal: Signal) -> None:
    assert lifecycle.status_on(signal, date(2033, 11, 29)) is None


def test_signal_of_a_child_turning_23_no_longer_exists_on_the_birthday() -> None:
    birth = date(2008, 1, 15)
    signal = builders.domain_signal(birth_date=birth)
    assert signal.delete_after == date(2031, 1, 14)
    assert lifecycle.status_on(signal, date(2031, 1, 14)) is SignalStatus.ARCHIVED
    assert lifecycle.status_on(signal, date(2031, 1, 15)) is None
