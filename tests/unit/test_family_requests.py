"""The family's document in Dutch (domain.wording, services.family_document) and the console's
family requests (console.family) on in-memory fakes."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.console.family import FamilyRequests, NoChildLookedUp, NothingChanged, OtherChild, correction_between
from chalicelib.console.ports import ConsoleSession
from chalicelib.domain import wording
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Gender
from chalicelib.domain.people import Person, Role
from chalicelib.services.family_document import family_document
from chalicelib.services.subjects import NothingStored
from tests.fakes import InMemoryChildLookups
from tests.unit.test_subject_service import BAKKER, BSN, BUURTTEAM, GGD, GRONINGEN, JANSEN, PSEUDONYM, UTRECHT, World

PIM = Person("sub-pim", "privacy-0344", "Pim de Wit", frozenset({Role.PRIVACY_OFFICER}), municipality_code="0344")
PIM_AT_UTRECHT = replace(UTRECHT, person=PIM)
INTERNAL_CODES = re.compile(
    r"matched_owner|new_signal_owner|removed_owner|regievoerder;|[a-z]+\.[a-z_]+ed\b|match-function|"
    r"lifecycle-job|org_[a-z0-9]+|gm0344|\b0344\b"
)


@pytest.fixture
def world() -> World:
    world = World()
    world.register(GGD, JANSEN)
    world.register(BUURTTEAM, BAKKER)
    return world


def _entry(action: Action, **fields: object) -> LogEntry:
    return LogEntry(id="01", at=datetime(2026, 11, 28, 10, tzinfo=UTC), action=action, **fields)  # type: ignore[arg-type]


# The wording


def test_every_action_has_dutch_words() -> None:
    assert set(wording.ACTIONS) == set(Action)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (_entry(Action.NOTIFICATION_SENT, client_id="x", detail="matched_owner; new signal s2; matches m1"),
         "Bericht verstuurd aan de professional van een andere melding: er is een nieuwe match"),
        (_entry(Action.NOTIFICATION_SENT, client_id="x", detail="owner told the signal is archived"),
         "Bericht verstuurd aan de professional: de melding is gearchiveerd"),
        (_entry(Action.NOTIFICATION_SENT, client_id="x", detail="moved_in; municipality 0363"),
         "Bericht verstuurd aan de regievoerder van de nieuwe gemeente: het kind is verhuisd"),
        (_entry(Action.NOTIFICATION_SENT, client_id="x", detail="something new"), "Bericht verstuurd"),
        (_entry(Action.SIGNAL_DELETED, client_id="x", detail="erasure: deceased"),
         "Melding verwijderd: het kind is overleden"),
        (_entry(Action.SUBJECT_ERASED, client_id="x", detail="2 signal(s)"), "Alle meldingen over het kind verwijderd"),
    ],
)  # fmt: skip
def test_an_action_reads_as_dutch_and_an_unknown_detail_is_left_out(entry: LogEntry, words: str) -> None:
    assert wording.action(entry) == words


@pytest.mark.parametrize(
    ("fields", "who"),
    [
        ({"client_id": "gm0344", "municipality_code": "0344", "person_name": "Pim"}, "Pim (gemeente Utrecht)"),
        ({"client_id": "org_ggd", "organisation_id": "org_ggd", "person_name": "Els"}, "Els (GGD Regio Utrecht)"),
        ({"client_id": "org_ggd", "organisation_id": "org_ggd"}, "het systeem van GGD Regio Utrecht"),
        ({"client_id": "gm0344", "municipality_code": "0344"}, "het systeem van gemeente Utrecht"),
        ({"client_id": "match-function", "municipality_code": "0344"}, "de Verwijsindex zelf (automatisch)"),
        ({"client_id": "org_gone", "organisation_id": "org_gone"}, f"het systeem van {wording.UNKNOWN_ORGANISATION}"),
        ({"client_id": "admin_ops"}, "het beheer van de Verwijsindex"),
    ],
)  # fmt: skip
def test_who_acted_is_a_person_with_their_employer_a_system_or_the_index(fields: dict[str, str], who: str) -> None:
    entry = _entry(Action.SIGNAL_READ, **fields)
    assert wording.actor(entry, {"org_ggd": "GGD Regio Utrecht"}, {"0344": "Utrecht"}) == who


# The document


def test_the_family_document_holds_no_code_and_names_everyone_who_acted(world: World) -> None:
    record = world.service.access(PIM_AT_UTRECHT, BSN)
    gone = _entry(Action.SIGNAL_READ, client_id="org_gone", organisation_id="org_gone", signal_id="sig_gone")
    record = replace(record, log=[*record.log, gone])

    document = family_document(record, "0344", lambda organisation_id: None)

    text = repr(asdict(document))
    assert not INTERNAL_CODES.search(text), INTERNAL_CODES.search(text)
    assert document.made_by == "gemeente Utrecht"
    actors = {line.actor for line in document.log}
    assert {
        "Pim de Wit (gemeente Utrecht)",
        "het systeem van GGD Regio Utrecht",
        "het systeem van Buurtteam Oost",
        "de Verwijsindex zelf (automatisch)",
        "het systeem van een organisatie die niet meer is aangesloten",
    } <= actors
    assert [s.organisation for s in document.signals] == ["GGD Regio Utrecht", "Buurtteam Oost"]
    assert document.signals[0].matches[0].startswith("Hetzelfde kind als een melding van Buurtteam Oost (actief)")
    assert document.signals[0].notifications, "the match mail to the GGD's professional"
    assert document.child.gender == "vrouw" and document.child.municipality == "Utrecht"


def test_times_are_dutch_local_time(world: World) -> None:
    record = world.service.access(UTRECHT, BSN)
    document = family_document(record, "0344", lambda organisation_id: None)
    accessed = document.log[-1]
    assert accessed.action == "Overzicht voor de familie bekeken (inzage)"
    assert accessed.at == (world.clock.now() + timedelta(hours=1)).strftime("%d-%m-%Y %H:%M")  # CET in November


# Looking up without logging, viewing logged under the person's name


def test_a_look_up_is_logged_the_record_behind_the_forms_is_not_and_access_names_the_person(world: World) -> None:
    before = len(world.logbook.entries)
    with pytest.raises(NothingStored):
        world.service.look_up(replace(GRONINGEN, person=PIM), BSN)
    pseudonym = world.service.look_up(PIM_AT_UTRECHT, BSN)
    world.service.record(PIM_AT_UTRECHT, pseudonym)
    [looked_up] = world.logbook.entries[before:]
    assert pseudonym == PSEUDONYM
    assert (looked_up.action, looked_up.person_name) == (Action.SUBJECT_LOOKED_UP, "Pim de Wit")

    world.service.access(PIM_AT_UTRECHT, pseudonym)

    [accessed] = world.logged(Action.SUBJECT_ACCESSED)
    assert (accessed.person_id, accessed.person_name, accessed.municipality_code) == ("sub-pim", "Pim de Wit", "0344")


# The console's family requests


NOW = datetime(2026, 11, 28, 10, 20, tzinfo=UTC)
SESSION = ConsoleSession(key="k" * 64, csrf_token="csrf", created_at=NOW, last_seen=NOW, person=PIM)


@pytest.fixture
def lookups() -> InMemoryChildLookups:
    return InMemoryChildLookups()


@pytest.fixture
def requests(world: World, lookups: InMemoryChildLookups) -> FamilyRequests:
    return FamilyRequests(world.service, lookups, world.clock, lambda organisation_id: None, lambda: "ref-1")


def test_the_session_keeps_the_childs_pseudonym_never_the_bsn(
    requests: FamilyRequests, lookups: InMemoryChildLookups
) -> None:
    with pytest.raises(NoChildLookedUp):
        requests.looked_up(SESSION)

    requests.look_up(SESSION, PIM_AT_UTRECHT, BSN)

    assert requests.looked_up(SESSION).pseudonym == PSEUDONYM
    assert BSN not in repr(lookups.children)
    [(_, expires_at)] = lookups.children.values()
    assert expires_at == NOW + timedelta(hours=10)


def test_a_municipality_that_may_not_see_the_child_looks_up_nothing(
    requests: FamilyRequests, lookups: InMemoryChildLookups
) -> None:
    with pytest.raises(NothingStored):
        requests.look_up(SESSION, replace(GRONINGEN, person=PIM), BSN)
    assert lookups.children == {}


def test_a_form_for_another_child_changes_nothing(requests: FamilyRequests, world: World) -> None:
    requests.look_up(SESSION, PIM_AT_UTRECHT, BSN)
    child = world.service.record(UTRECHT, BSN).child

    with pytest.raises(OtherChild):
        requests.correct(SESSION, PIM_AT_UTRECHT, "ref-0", replace(child, family_name="Visser"))
    with pytest.raises(OtherChild):
        requests.erase(SESSION, PIM_AT_UTRECHT, "ref-0", "objection")

    assert world.logged(Action.SUBJECT_RECTIFIED) == [] and world.logged(Action.SUBJECT_ERASED) == []


def test_a_correction_changes_only_what_differs_and_says_what_changed(requests: FamilyRequests, world: World) -> None:
    requests.look_up(SESSION, PIM_AT_UTRECHT, BSN)
    child = world.service.record(UTRECHT, BSN).child

    corrected = requests.correct(
        SESSION, PIM_AT_UTRECHT, "ref-1", replace(child, family_name_prefix=None, gender=Gender("O"))
    )

    assert [(c.label, c.before, c.after) for c in corrected.changes] == [
        ("Tussenvoegsel", "de", "(geen)"),
        ("Geslacht", "vrouw", "onbekend of anders"),
    ]
    assert corrected.result.child.family_name_prefix is None and corrected.result.signals_updated == 2
    [rectified] = world.logged(Action.SUBJECT_RECTIFIED)
    assert rectified.person_name == "Pim de Wit"
    with pytest.raises(NothingChanged):
        requests.correct(SESSION, PIM_AT_UTRECHT, "ref-1", corrected.result.child)


def test_the_correction_of_the_birth_date_alone(world: World) -> None:
    child = world.service.record(UTRECHT, BSN).child
    correction, changes = correction_between(child, replace(child, birth_date=date(2014, 6, 1)))
    assert (correction.birth_date, correction.family_name, correction.address) == (date(2014, 6, 1), None, None)
    assert [(c.before, c.after) for c in changes] == [("01-05-2014", "01-06-2014")]


def test_erasure_forgets_the_child_in_the_session(requests: FamilyRequests, world: World) -> None:
    requests.look_up(SESSION, PIM_AT_UTRECHT, BSN)

    erased = requests.erase(SESSION, PIM_AT_UTRECHT, "ref-1", "deceased")

    assert (erased.signals_erased, erased.professionals_notified) == (2, 2)
    with pytest.raises(NoChildLookedUp):
        requests.looked_up(SESSION)
    [fact] = world.logged(Action.SUBJECT_ERASED)
    assert fact.person_name == "Pim de Wit"
