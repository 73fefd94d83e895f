"""The answer rules on in-memory fakes: who may answer a match, what an answer changes, and how it
reaches the other side, the regievoerder, the reminders, the report and the mails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.answers import Answer, MatchAnswer, next_answer
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.matching import FollowUp, MunicipalMatch
from chalicelib.domain.model import Signal
from chalicelib.domain.notifications import match_page
from chalicelib.services.answers import AnswerService
from chalicelib.services.follow_up import FollowUpService
from chalicelib.services.matching import MatchService
from chalicelib.services.reports import ReportService
from tests import builders
from tests.fakes import InMemoryMatchAnswers, RivalFirst
from tests.unit.test_exactly_once_mail import BUURTTEAM, GGD, START, UTRECHT, World

SCHOOL = builders.organisation_principal(builders.organisation(id="org_linde", name="De Linde", sector="onderwijs"))
PORTAL = "https://verwijsindex.example.nl/console/"


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def match(world: World) -> MunicipalMatch:
    """The GGD's signal, a minute later the Buurtteam's for the same child, matched."""
    world.register(GGD, builders_professional())
    world.clock.set(START + timedelta(minutes=1))
    second = world.register(BUURTTEAM, builders_professional("K. Bakker", "k.bakker@buurtteam.example.nl"))
    world.matching().process(second)
    [found] = world.municipal.for_municipality("0344", None)
    return found


def builders_professional(name: str = "P. Jansen", email: str = "p.jansen@ggd.example.nl") -> object:
    from chalicelib.domain.model import Professional

    return Professional(name, "Jeugdverpleegkundige", email, "+31 30 123 4567")


def answers(world: World) -> AnswerService:
    return AnswerService(InMemoryMatchAnswers(world.store), world.logbook, world.audit)


def side(match: MunicipalMatch, principal: object) -> int:
    index = match.side_of(principal.organisation.id)  # type: ignore[attr-defined]
    assert index is not None
    return index


# The rules (domain)


def test_a_first_answer_is_version_one_and_each_change_the_next() -> None:
    first = next_answer(None, Answer.CONTACT_MADE, START)
    assert first == MatchAnswer(answer=Answer.CONTACT_MADE, at=START, version=1)
    changed = next_answer(first, Answer.COORDINATING, START + timedelta(hours=1))
    assert changed is not None and (changed.answer, changed.version) == (Answer.COORDINATING, 2)


def test_the_same_answer_again_changes_nothing() -> None:
    first = next_answer(None, Answer.ALREADY_IN_CONTACT, START)
    assert next_answer(first, Answer.ALREADY_IN_CONTACT, START + timedelta(days=1)) is None


# The service


def test_a_professional_answers_for_their_own_side_and_the_other_side_sees_it(
    world: World, match: MunicipalMatch
) -> None:
    seen = answers(world).answer(BUURTTEAM, match.id, Answer.ALREADY_IN_CONTACT)

    assert seen.own.organisation.id == BUURTTEAM.organisation.id
    assert seen.own.answer is not None and seen.own.answer.answer is Answer.ALREADY_IN_CONTACT
    [theirs] = world.store.get(seen.other.signal_id).matches
    assert theirs.other_answer == seen.own.answer and theirs.answer is None
    [mine] = world.store.get(seen.own.signal_id).matches
    assert mine.answer == seen.own.answer
    assert world.municipal.get("0344", match.id).sides[side(match, BUURTTEAM)].answer == seen.own.answer


def test_an_answer_is_logged_under_the_organisation_with_the_match_and_the_answer(
    world: World, match: MunicipalMatch
) -> None:
    answers(world).answer(GGD, match.id, Answer.COORDINATING)

    [entry] = [e for e in world.logbook.entries if e.action is Action.MATCH_ANSWERED]
    assert entry.organisation_id == GGD.organisation.id
    assert entry.signal_id == match.sides[side(match, GGD)].signal_id
    assert entry.detail == f"{match.id}: coordinating"


def test_an_organisation_without_a_signal_in_the_match_hears_it_does_not_exist(
    world: World, match: MunicipalMatch
) -> None:
    with pytest.raises(NotFound):
        answers(world).answer(SCHOOL, match.id, Answer.CONTACT_MADE)
    with pytest.raises(NotFound):
        answers(world).read(SCHOOL, match.id)
    with pytest.raises(NotFound):
        answers(world).answer(GGD, "mt_" + "0" * 24, Answer.CONTACT_MADE)
    assert not [e for e in world.logbook.entries if e.action in (Action.MATCH_ANSWERED, Action.MATCH_READ)]


def test_through_the_api_the_signal_in_the_path_must_be_the_callers_side(world: World, match: MunicipalMatch) -> None:
    ggd_signal = match.sides[side(match, GGD)].signal_id
    buurtteam_signal = match.sides[side(match, BUURTTEAM)].signal_id

    with pytest.raises(NotFound):
        answers(world).answer(GGD, match.id, Answer.CONTACT_MADE, signal_id=buurtteam_signal)
    seen = answers(world).answer(GGD, match.id, Answer.CONTACT_MADE, signal_id=ggd_signal)
    assert seen.own.signal_id == ggd_signal


def test_only_organisations_answer(world: World, match: MunicipalMatch) -> None:
    with pytest.raises(Forbidden):
        answers(world).answer(UTRECHT, match.id, Answer.CONTACT_MADE)


def test_answering_the_same_again_writes_nothing(world: World, match: MunicipalMatch) -> None:
    first = answers(world).answer(GGD, match.id, Answer.NO_CONTACT_NEEDED)
    again = answers(world).answer(GGD, match.id, Answer.NO_CONTACT_NEEDED)

    assert again.own.answer == first.own.answer
    assert len([e for e in world.logbook.entries if e.action is Action.MATCH_ANSWERED]) == 1


def test_an_answer_given_meanwhile_is_read_again_not_overwritten_unseen(world: World, match: MunicipalMatch) -> None:
    store = InMemoryMatchAnswers(world.store)
    colleague = RivalFirst(
        store,
        "record_answer",
        lambda: AnswerService(store, world.logbook, world.audit).answer(GGD, match.id, Answer.CONTACT_MADE),
    )

    seen = AnswerService(colleague, world.logbook, world.audit).answer(GGD, match.id, Answer.COORDINATING)

    assert seen.own.answer is not None and (seen.own.answer.answer, seen.own.answer.version) == (Answer.COORDINATING, 2)
    assert world.municipal.get("0344", match.id).sides[side(match, GGD)].answer == seen.own.answer


def test_a_lost_answer_race_every_time_reaches_the_caller_as_a_conflict(world: World, match: MunicipalMatch) -> None:
    class AlwaysChanged(InMemoryMatchAnswers):
        def record_answer(self, *args: object) -> None:
            raise Conflict("the answer was changed meanwhile; retry")

    with pytest.raises(Conflict):
        AnswerService(AlwaysChanged(world.store), world.logbook, world.audit).answer(GGD, match.id, Answer.CONTACT_MADE)


def test_reading_the_match_in_the_portal_is_logged(world: World, match: MunicipalMatch) -> None:
    seen = answers(world).read(BUURTTEAM, match.id)

    assert seen.other.organisation.id == GGD.organisation.id
    [entry] = [e for e in world.logbook.entries if e.action is Action.MATCH_READ]
    assert (entry.organisation_id, entry.detail) == (BUURTTEAM.organisation.id, match.id)


# What answers change for the regievoerder, the reminders and the report


def test_a_match_both_sides_answered_is_no_longer_open(world: World, match: MunicipalMatch) -> None:
    answers(world).answer(GGD, match.id, Answer.CONTACT_MADE)
    assert world.municipal.get("0344", match.id).is_open()
    answers(world).answer(BUURTTEAM, match.id, Answer.ALREADY_IN_CONTACT)

    [listed] = FollowUpService(world.municipal, world.logbook, world.audit).matches(UTRECHT, None)
    assert listed.answered_by_both() and not listed.is_open()
    assert listed.follow_up is FollowUp.OPEN  # the regievoerder's own record stays theirs


def test_the_reminder_goes_only_to_the_side_that_did_not_answer(world: World, match: MunicipalMatch) -> None:
    answers(world).answer(BUURTTEAM, match.id, Answer.ALREADY_IN_CONTACT)
    world.mailer.sent.clear()
    world.clock.set(START + timedelta(days=14))

    report = world.lifecycle().run()

    assert report.reminders_sent == 1
    assert world.subjects_of("herinnering aan een open match") == ["p.jansen@ggd.example.nl"]
    assert world.municipal.get("0344", match.id).reminded == (True, True)  # out of the job's index
    assert world.lifecycle().run().reminders_sent == 0


def test_a_match_both_sides_answered_gets_no_reminder_and_leaves_the_job(world: World, match: MunicipalMatch) -> None:
    answers(world).answer(GGD, match.id, Answer.CONTACT_MADE)
    answers(world).answer(BUURTTEAM, match.id, Answer.CONTACT_MADE)
    world.mailer.sent.clear()
    world.clock.set(START + timedelta(days=14))

    assert world.lifecycle().run().reminders_sent == 0
    assert world.mailer.sent == []
    assert world.municipal.due_reminders(START.date() + timedelta(days=14)) == []


def test_the_report_counts_the_answered_matches_and_those_already_in_contact(world: World) -> None:
    service = answers(world)
    for seed in range(1, 11):
        world.clock.set(START + timedelta(hours=seed))
        first = register(world, GGD, seed)
        world.clock.set(START + timedelta(hours=seed, minutes=1))
        second = register(world, BUURTTEAM, seed)
        world.matching().process(second)
        match_id = world.store.get(first.id).matches[0].id
        if seed <= 5:
            service.answer(GGD, match_id, Answer.ALREADY_IN_CONTACT)
            service.answer(BUURTTEAM, match_id, Answer.CONTACT_MADE)

    report = ReportService(world.store, world.municipal, world.registry, world.logbook, world.audit).report(
        UTRECHT, "2026-11", None
    )

    assert report["answers"] == {
        "answered": 5,
        "answered_share": 0.5,
        "already_in_contact": 5,
        "already_in_contact_share": 0.5,
    }


def register(world: World, principal: object, seed: int) -> Signal:
    """A signal for child ``seed``, each child at an address of its own (no address matches)."""
    from dataclasses import asdict

    child = builders.child(bsn=builders.bsn(seed), address=builders.address(house_number=seed))
    body = {"child": child, "professional": asdict(builders_professional())}
    return world.signals().register(principal, builders.new_signal(**body), None).signal  # type: ignore[arg-type]


# The mails


def test_each_match_mail_to_a_professional_links_to_the_matchs_portal_page(world: World) -> None:
    world.register(GGD, builders_professional())
    world.clock.set(START + timedelta(minutes=1))
    second = world.register(BUURTTEAM, builders_professional("K. Bakker", "k.bakker@buurtteam.example.nl"))

    MatchService(world.store, world.registry, world.ledger, world.mailer, world.audit, portal_url=PORTAL).process(
        second
    )

    [match] = world.municipal.for_municipality("0344", None)
    link = match_page(PORTAL, match.id)
    assert link == f"{PORTAL}portaal/matches/{match.id}"
    by_recipient = {message.to: message for message in world.mailer.sent}
    for professional in ("p.jansen@ggd.example.nl", "k.bakker@buurtteam.example.nl"):
        assert link in by_recipient[professional].text
        assert f'href="{link}"' in by_recipient[professional].html
    assert "portaal" not in by_recipient["regie@utrecht.example.nl"].text


def test_without_a_portal_address_the_mails_carry_no_link(world: World, match: MunicipalMatch) -> None:
    assert world.mailer.sent
    assert all("portaal" not in message.text for message in world.mailer.sent)
