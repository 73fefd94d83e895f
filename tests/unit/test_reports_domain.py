"""Periods and small-number suppression in reports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports import MatchFacts, Period, SignalFacts, report, shown, shown_share


@pytest.mark.parametrize(
    ("text", "first", "after"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-02", date(2026, 2, 1), date(2026, 3, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_periods_cover_whole_dutch_days(text, first, after):
    period = Period.parse(text)
    assert (period.first_day, period.day_after) == (first, after)


def test_a_period_starts_at_dutch_midnight():
    start, end = Period.parse("2026-Q4").instants()
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # summer time
    assert end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # winter time


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-00", "26-Q1", "2026Q1", "", "2026-1"])
def test_malformed_periods_are_refused(text):
    with pytest.raises(InvalidInput):
        Period.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "9999",
        "0000",
        "9999-Q4",
        "9999-12",
        "0001-01",
        "1999-12",
        "3000",
        "\uff12\uff10\uff12\uff16",  # full-width digits
        "\u0662\u0660\u0662\u0666",  # Arabic-Indic digits
        "2026-\uff11\uff11",
        "2026\n",
        "2026-11\n",
    ],
)
def test_periods_out_of_range_or_in_other_digits_are_refused_not_crashed_on(text):
    with pytest.raises(InvalidInput) as raised:
        Period.parse(text)
    assert [error.field for error in raised.value.errors] == ["period"]


@pytest.mark.parametrize("text", ["2000", "2000-Q1", "2999-12", "2999-Q4"])
def test_the_first_and_last_years_have_whole_periods(text):
    start, end = Period.parse(text).instants()
    assert start < end


def test_counts_under_five_are_shown_as_less_than_five():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", 5, 12]


@pytest.mark.parametrize(
    ("part", "total", "share"),
    [(10, 15, 0.667), (4, 20, None), (18, 20, None), (20, 20, 1.0), (5, 5, 1.0), (3, 4, None), (0, 10, None)],
)
def test_a_share_is_withheld_when_it_would_reveal_a_small_count(part, total, share):
    assert shown_share(part, total) == share


def test_report_groups_and_suppresses():
    signals = [SignalFacts("jgz", True)] * 6 + [SignalFacts("huisarts", False)] * 2
    matches = [MatchFacts("child", True)] * 5 + [MatchFacts("address", False)]
    document = report(Period.parse("2026-Q4"), {"municipality": "0344"}, signals, matches)
    assert document["signals"] == {"total": 8, "by_sector": {"huisarts": "<5", "jgz": 6}}
    assert document["matches"] == {"total": 6, "by_kind": {"child": 5, "parent": "<5", "address": "<5"}}
    assert document["follow_up"] == {"followed_up": 5, "rate": None}
    assert document["families_informed"] == {"count": 6, "share": None}
