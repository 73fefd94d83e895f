"""The regievoerder's filters and the fixed list of note codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.answers import Answer, MatchAnswer
from chalicelib.domain.follow_up import NOTE_CODES, Shown, is_note_code
from chalicelib.domain.matching import FollowUp, Found, MatchKind, MunicipalMatch, municipal_records
from chalicelib.domain.model import SignalStatus
from tests import builders

# START is 28 November 2026, 11:15 in the Netherlands.
DAY_OF_MATCH = date(2026, 11, 28)


@pytest.fixture
def match() -> MunicipalMatch:
    earlier = builders.domain_signal(seed=1)
    new = builders.domain_signal(seed=1, org=builders.organisation(id="org_buurt"), created_at=builders.START)
    [made] = municipal_records(new, [Found(MatchKind.CHILD, earlier, SignalStatus.ACTIVE)])
    return made


def test_an_open_match_is_open_and_not_followed_up(match: MunicipalMatch) -> None:
    assert [shown for shown in Shown if shown.includes(match, DAY_OF_MATCH)] == [Shown.ALL, Shown.OPEN]


def test_a_followed_up_match_is_followed_up_only(match: MunicipalMatch) -> None:
    done = replace(match, follow_up=FollowUp.NO_CONTACT_NEEDED)
    later = DAY_OF_MATCH + timedelta(days=30)
    assert [shown for shown in Shown if shown.includes(done, later)] == [Shown.ALL, Shown.FOLLOWED_UP]


def test_a_match_open_for_14_days_is_overdue_from_the_day_its_reminder_falls_due(match: MunicipalMatch) -> None:
    assert not Shown.OVERDUE.includes(match, DAY_OF_MATCH + timedelta(days=13))
    assert Shown.OVERDUE.includes(match, DAY_OF_MATCH + timedelta(days=14))
    assert match.reminder_due() == DAY_OF_MATCH + timedelta(days=14)


def test_note_codes_are_a_fixed_list_of_codes_with_dutch_labels() -> None:
    assert is_note_code("OVERLEG") and not is_note_code("overleg") and not is_note_code("OVERLEG-1")
    assert all(code.isupper() and len(code) <= 40 for code in NOTE_CODES)
    assert all(label[0].isupper() for label in NOTE_CODES.values())


def test_a_match_both_professionals_answered_is_no_longer_open(match: MunicipalMatch) -> None:
    answered = MatchAnswer(answer=Answer.ALREADY_IN_CONTACT, at=builders.START)
    one = replace(match, sides=(replace(match.sides[0], answer=answered), match.sides[1]))
    both = replace(one, sides=(one.sides[0], replace(one.sides[1], answer=answered)))
    later = DAY_OF_MATCH + timedelta(days=30)

    assert [shown for shown in Shown if shown.includes(one, later)] == [Shown.ALL, Shown.OPEN, Shown.OVERDUE]
    assert [shown for shown in Shown if shown.includes(both, later)] == [Shown.ALL, Shown.FOLLOWED_UP]
