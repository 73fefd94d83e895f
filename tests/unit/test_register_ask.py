"""BRP_FOLLOW=ask on fakes: the planner sends every child with a signal, 20 to a chunk, onto the work
queue; a worker finds each child by family name and birth date, keeps only the BSN whose pseudonym is
the child's, and follows it: a death deletes the signals that night, a move tells whom it concerns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.model import Child, Signal
from chalicelib.domain.nightly import Chunk
from chalicelib.domain.population import NameSearch, RegisteredAddress, RegisteredPerson, searches
from chalicelib.services.register_ask import AskPlanner, RegisterAsk
from chalicelib.work import handle_messages
from tests import builders
from tests.fake_population import ALEXANDER, JAN, ZOEY, InMemoryPopulationRegister
from tests.fakes import (
    InMemoryDueWork,
    InMemoryWorkQueue,
)
from tests.worlds import REGIE_UTRECHT, Surroundings

START = builders.START
KEYS = builders.pseudonymiser()
NEW_HOME = RegisteredAddress(postcode="3512JE", house_number=7, house_letter="B")
BORN = {ZOEY: date(2018, 11, 14), ALEXANDER: date(2009, 5, 29), JAN: date(2015, 1, 1)}


class World(Surroundings):
    def __init__(self) -> None:
        super().__init__(START + timedelta(days=1))
        self.register = InMemoryPopulationRegister()
        self.queue = InMemoryWorkQueue()
        self.due = InMemoryDueWork(self.store)
        follow = self.follow(self.register)
        self.ask = RegisterAsk(self.register, self.store, builders.pseudonymiser, follow, self.audit)
        self.planner = AskPlanner(self.due, self.queue, page_size=3, pages_per_run=2)

    def signal(self, bsn: str, prefix: str | None, family_name: str, born: date | None = None) -> Signal:
        born = born or BORN.get(bsn, date(2014, 5, 1))
        made = builders.domain_signal(seed=int(bsn) % 1000, birth_date=born, child_pseudonym=KEYS.child(bsn))
        child = replace(made.child, family_name_prefix=prefix, family_name=family_name, birth_date=born)
        signal = replace(made, child=replace(child, address=replace(child.address, municipality_code="0363")))
        self.store.put(signal)
        return signal

    def night(self) -> dict[str, object]:
        """The schedule plans; the workers take the queue until it is empty (continuations too)."""
        self.planner.plan()
        done: dict[str, object] = {}
        while chunks := self.queue.take():
            bodies = [chunk.to_json() for chunk in chunks]
            report = handle_messages(bodies, lifecycle=None, planner=None, asking=(self.planner, self.ask))  # type: ignore[arg-type]
            for name, value in report.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    previous = done.get(name, 0)
                    done[name] = (previous if isinstance(previous, int) else 0) + value
        return done


@pytest.fixture
def world() -> World:
    return World()


def test_a_moved_child_is_found_by_name_and_birth_date_and_whom_it_concerns_is_told_once(world: World) -> None:
    signal = world.signal(ALEXANDER, "den", "Braber")
    world.register.move(ALEXANDER, NEW_HOME, "0344")

    first = world.night()
    again = world.night()

    assert (first["found"], first["moved"], first["notified"]) == (1, 1, 2)
    assert (again["found"], again["moved"], again["notified"]) == (1, 0, 0)
    stored = world.store.get(signal.id)
    assert stored is not None and stored.signal.child.address.municipality_code == "0344"
    assert sorted(world.mailer.recipients) == sorted([signal.professional.email, REGIE_UTRECHT])


def test_a_deceased_child_is_found_too_and_its_signals_are_deleted_that_night(world: World) -> None:
    world.signal(ZOEY, "den", "Braber")
    world.signal(ZOEY, None, "den Braber")  # the prefix typed in front of the name
    world.register.record_death(ZOEY, date(2026, 11, 28))

    done = world.night()

    assert (done["asked"], done["found"], done["deceased"], done["deleted"]) == (1, 1, 1, 2)
    assert world.store.signals == {}


def test_a_child_the_search_no_longer_finds_is_counted_and_left_alone(world: World) -> None:
    signal = world.signal(ZOEY, "den", "Jansen")  # the register's name changed (an adoption)

    done = world.night()

    assert (done["asked"], done["found"], done["not_found"]) == (1, 0, 1)
    assert world.store.get(signal.id) is not None and world.mailer.sent == []


def test_a_namesake_born_the_same_day_is_never_taken_for_the_child(world: World) -> None:
    namesake = builders.bsn(8)
    zoey = world.register.persons_by_bsn.pop(ZOEY)
    world.register.add(RegisteredPerson(bsn=namesake, family_name="Braber", birth_date=BORN[ZOEY], deceased=True))
    world.register.add(zoey)  # the search answers the namesake first
    world.register.move(ZOEY, NEW_HOME, "0344")
    signal = world.signal(ZOEY, "den", "Braber")

    done = world.night()

    assert (done["found"], done["deceased"], done["moved"]) == (1, 0, 1)  # Zoey moved; the namesake died
    assert world.store.get(signal.id) is not None


def test_the_namesake_alone_is_not_the_child(world: World) -> None:
    namesake = builders.bsn(8)
    world.register.persons_by_bsn.pop(ZOEY)
    world.register.add(RegisteredPerson(bsn=namesake, family_name="Braber", birth_date=BORN[ZOEY], deceased=True))
    signal = world.signal(ZOEY, "den", "Braber")

    done = world.night()

    assert (done["found"], done["not_found"], done["deleted"]) == (0, 1, 0)
    assert world.store.get(signal.id) is not None


def test_every_child_is_planned_once_20_to_a_chunk_pseudonyms_only(world: World) -> None:
    for n in range(45):
        world.signal(builders.bsn(300 + n), None, "Vries")
    world.signal(ZOEY, "den", "Braber")
    world.signal(ZOEY, "den", "Braber")
    planner = AskPlanner(world.due, world.queue)  # one invocation reads every page

    report = planner.plan()

    chunks = world.queue.take()
    assert (report.children, report.chunks, report.continued) == (46, 3, False)
    assert [len(chunk.children) for chunk in chunks] == [20, 20, 6]
    planned = [child for chunk in chunks for child in chunk.children]
    assert sorted(planned) == sorted({s.child_pseudonym.value for s in world.store.signals.values()})
    assert not any(builders.bsn(300 + n) in chunk.to_json() for chunk in chunks for n in range(45))


def test_a_planner_out_of_pages_hands_the_rest_on_in_a_continuation(world: World) -> None:
    for n in range(10):
        world.signal(builders.bsn(300 + n), None, "Vries")

    report = world.planner.plan()

    chunks = world.queue.take()
    assert report.continued and chunks[-1].ask and chunks[-1].cursor is not None
    assert Chunk.from_json(chunks[-1].to_json()) == chunks[-1]
    assert world.register.searches == 0  # planning asks the register nothing


def test_a_full_night_asks_one_search_per_child_and_one_personen_per_twenty_found(world: World) -> None:
    for n in range(25):
        bsn, born = builders.bsn(300 + n), date(2014, 5, 1) + timedelta(days=n % 12)
        world.register.add(RegisteredPerson(bsn=bsn, family_name="Vries", family_name_prefix="de", birth_date=born))
        world.signal(bsn, "de", "Vries", born)
    world.planner = AskPlanner(world.due, world.queue)  # pages of 1000: chunks of 20 and 5 children

    done = world.night()

    assert (done["asked"], done["found"]) == (25, 25)
    assert world.register.searches == 25  # namesakes share a birth date, but three at most
    assert world.register.requests == 25 + 2  # a search per child, one /personen per chunk


def test_the_searches_a_typed_name_allows() -> None:
    def child(prefix: str | None, name: str) -> Child:
        return replace(builders.domain_signal().child, family_name_prefix=prefix, family_name=name)

    born = date(2014, 5, 1)
    assert searches(child("den", "Braber")) == [NameSearch("Braber", born)]
    assert searches(child(None, "van  der Berg")) == [NameSearch("Berg", born), NameSearch("van der Berg", born)]
    assert searches(child(None, "O\u2019Brien")) == [NameSearch("O'Brien", born)]
    assert searches(child(None, "Ærø✓")) == []  # not a name the register's search accepts


def test_ask_chunks_survive_the_queue_and_a_malformed_one_is_refused() -> None:
    from chalicelib.domain.nightly import MalformedChunk

    asking = Chunk(children=("a" * 64, "b" * 64), ask=True)
    assert Chunk.from_json(asking.to_json()) == asking
    assert Chunk.from_json(Chunk(cursor="{}", ask=True).to_json()) == Chunk(cursor="{}", ask=True)
    assert Chunk.from_json(Chunk(cursor="{}").to_json()) == Chunk(cursor="{}")  # the lifecycle's, not ours
    for body in ('{"v": 1, "ask": "ab"}', '{"v": 1, "ask": [1, 2]}', '{"v": 2, "ask": []}'):
        with pytest.raises(MalformedChunk):
            Chunk.from_json(body)


def test_an_ask_chunk_with_asking_off_is_dropped_without_asking(world: World) -> None:
    world.signal(ZOEY, "den", "Braber")
    world.planner.plan()
    bodies = [chunk.to_json() for chunk in world.queue.take()]

    done = handle_messages(bodies, lifecycle=None, planner=None, asking=None)  # type: ignore[arg-type]

    assert done == {} and world.register.requests == 0
