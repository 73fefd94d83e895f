"""One contract for the professionals' answers (the MatchAnswers port), held against the in-memory
fake and DynamoDB on moto: where an answer is read back, and what refuses it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.bootstrap import new_id
from chalicelib.domain.answers import Answer, MatchAnswer, next_answer
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import MunicipalMatch
from chalicelib.domain.model import Professional
from tests import builders
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchAnswers,
    InMemoryMatchStore,
    InMemoryMunicipalMatches,
    InMemoryNotificationLedger,
)
from tests.integration.test_match_store_contract import Stores
from tests.integration.test_signal_store_contract import OTHER_ORG, START, log_for

ANSWERED_AT = START + timedelta(hours=2)


def answered(at: datetime = ANSWERED_AT) -> LogEntry:
    return LogEntry(id=new_id(at), at=at, action=Action.MATCH_ANSWERED, client_id="org")


def _answer(previous: MatchAnswer | None, answer: Answer, at: datetime = ANSWERED_AT) -> MatchAnswer:
    given = next_answer(previous, answer, at)
    assert given is not None
    return given


class MatchAnswersContract:
    @pytest.fixture
    def stores(self) -> tuple[Stores, object]:
        raise NotImplementedError

    @pytest.fixture
    def match(self, stores: tuple[Stores, object]) -> MunicipalMatch:
        signals, answers = stores
        earlier = signals.add(builders.domain_signal(seed=1))
        new = signals.add(builders.domain_signal(seed=1, org=OTHER_ORG, created_at=START + timedelta(minutes=1)))
        signals.match(earlier, new)
        found = answers.find(signals.municipal.for_municipality("0344", None)[0].id)  # type: ignore[attr-defined]
        assert found is not None
        return found  # type: ignore[no-any-return]

    def test_a_match_is_found_by_its_id_alone(self, stores: tuple[Stores, object], match: MunicipalMatch) -> None:
        signals, answers = stores
        assert match == signals.municipal.get("0344", match.id)
        assert answers.find("mt_" + "0" * 24) is None  # type: ignore[attr-defined]

    def test_an_answer_is_read_by_the_regievoerder_and_on_both_signals(
        self, stores: tuple[Stores, object], match: MunicipalMatch
    ) -> None:
        signals, answers = stores
        given = _answer(None, Answer.ALREADY_IN_CONTACT)

        answers.record_answer(match, 1, given, answered())  # type: ignore[attr-defined]

        assert signals.municipal.get("0344", match.id).sides[1].answer == given
        assert signals.municipal.get("0344", match.id).sides[0].answer is None
        assert answers.find(match.id).sides[1].answer == given  # type: ignore[attr-defined]
        [own] = signals.signals.get(match.sides[1].signal_id).matches
        [other] = signals.signals.get(match.sides[0].signal_id).matches
        assert (own.answer, own.other_answer) == (given, None)
        assert (other.answer, other.other_answer) == (None, given)

    def test_both_sides_answer_without_overwriting_each_other(
        self, stores: tuple[Stores, object], match: MunicipalMatch
    ) -> None:
        signals, answers = stores
        first = _answer(None, Answer.CONTACT_MADE)
        second = _answer(None, Answer.COORDINATING)
        answers.record_answer(match, 0, first, answered())  # type: ignore[attr-defined]
        answers.record_answer(match, 1, second, answered())  # type: ignore[attr-defined]  # as read before

        stored = signals.municipal.get("0344", match.id)
        assert [side.answer for side in stored.sides] == [first, second]
        assert stored.answered_by_both() and not stored.is_open()
        [mine] = signals.signals.get(match.sides[0].signal_id).matches
        assert (mine.answer, mine.other_answer) == (first, second)

    def test_an_answer_computed_from_a_stale_read_is_a_conflict(
        self, stores: tuple[Stores, object], match: MunicipalMatch
    ) -> None:
        signals, answers = stores
        first = _answer(None, Answer.CONTACT_MADE)
        answers.record_answer(match, 0, first, answered())  # type: ignore[attr-defined]

        with pytest.raises(Conflict):
            answers.record_answer(match, 0, _answer(None, Answer.NO_CONTACT_NEEDED), answered())  # type: ignore[attr-defined]

        fresh = answers.find(match.id)  # type: ignore[attr-defined]
        changed = _answer(fresh.sides[0].answer, Answer.NO_CONTACT_NEEDED)
        answers.record_answer(fresh, 0, changed, answered())  # type: ignore[attr-defined]
        assert signals.municipal.get("0344", match.id).sides[0].answer == changed
        assert changed.version == 2

    def test_an_answer_to_a_match_that_went_with_its_signal_is_not_found(
        self, stores: tuple[Stores, object], match: MunicipalMatch
    ) -> None:
        signals, answers = stores
        gone = signals.signals.get(match.sides[0].signal_id)
        signals.signals.delete(gone, log_for(gone.signal, Action.SIGNAL_DELETED, START + timedelta(minutes=5)))

        assert answers.find(match.id) is None  # type: ignore[attr-defined]
        with pytest.raises(NotFound):
            answers.record_answer(match, 1, _answer(None, Answer.CONTACT_MADE), answered())  # type: ignore[attr-defined]

    def test_an_answered_side_keeps_its_answer_when_the_other_signal_is_handed_over(
        self, stores: tuple[Stores, object], match: MunicipalMatch
    ) -> None:
        signals, answers = stores
        given = _answer(None, Answer.ALREADY_IN_CONTACT)
        answers.record_answer(match, 0, given, answered())  # type: ignore[attr-defined]
        read = signals.signals.get(match.sides[1].signal_id)
        signals.signals.replace_professional(
            read,
            Professional("Q. de Boer", "Wijkcoach", "q.deboer@buurtteam.example.nl", "+31 20 555 0101"),
            log_for(read.signal, Action.SIGNAL_HANDED_OVER, ANSWERED_AT),
        )

        [mine] = signals.signals.get(match.sides[0].signal_id).matches
        assert mine.answer == given
        assert mine.other.professional.name == "Q. de Boer"
        stored = signals.municipal.get("0344", match.id)
        assert stored.sides[0].answer == given
        assert stored.sides[1].professional.name == "Q. de Boer"


class TestInMemoryMatchAnswers(MatchAnswersContract):
    @pytest.fixture
    def stores(self) -> tuple[Stores, object]:
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        return Stores(store, store, InMemoryMunicipalMatches(store), ledger), InMemoryMatchAnswers(store)


class TestDynamoDBMatchAnswers(MatchAnswersContract):
    @pytest.fixture
    def stores(self, container: bootstrap.Container) -> tuple[Stores, object]:
        return (
            Stores(
                container.signal_store,
                container.match_store,
                container.municipal_matches,
                container.notification_ledger,
            ),
            container.match_answers,
        )
