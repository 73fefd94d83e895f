"""BRP calls: per POST of a signal, and per night for following 1,000,000 active signals.

Per POST: signals for the RvIG test personas (agreeing and contradicting) registered through the
signal use case and the real Haal Centraal adapters against the loopback stand-in, which counts the
``POST /personen``, ``PUT /volgindicaties`` and ``POST /token`` requests it answers.

Per night, under the BRP Update API (`BRP_FOLLOW=update-api`, docs/brp.md): a real nightly run against
the stand-in (personas followed, two of them changed) counts its requests; for 1,000,000 active
signals the same rule gives one ``GET /wijzigingen`` plus one ``POST /personen`` per 20 changed
children, for an assumed share of children changing per night (moves and deaths; about 9.5% of
people in the Netherlands move house in a year, ~0.026% a night; deaths of children are far fewer),
and for ten and a hundred times that.

Per night, asking (``BRP_FOLLOW=ask``): a scaled-down night of ``SAMPLE_SIGNALS`` signals (1.2 per
child, one child in ten with a namesake born the same day, one in fifty moved) planned onto an
in-memory work queue and asked about by the real adapter against the stand-in, which counts its
searches (``ZoekMetGeslachtsnaamEnGeboortedatum``) and ``POST /personen``; the counts per signal,
scaled to 1,000,000 active signals. Deterministic counts, no timing.

Run: ``.venv/bin/python -m benchmarks.brp_calls``
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from chalicelib.adapters.brp import personen
from chalicelib.adapters.brp.haal_centraal import BrpEndpoint
from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Signal
from chalicelib.domain.population import RegisterUse
from chalicelib.services.audit import Audit
from chalicelib.services.register_ask import AskPlanner, RegisterAsk
from chalicelib.services.register_follow import RegisterFollowService
from chalicelib.services.register_updates import NightlyFollow, RegisterSubscriptions
from chalicelib.services.signals import SignalService
from local.brp_stand_in import BrpStandIn
from local.clock import FixedClock
from tests import builders
from tests.fake_population import ALEXANDER, MIRIK, PAOLO, PERSONAS, ZOEY, InMemoryFollowCursor
from tests.fakes import (
    InMemoryDueWork,
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    InMemoryWorkQueue,
    RecordingMailer,
)

ACTIVE_SIGNALS = 1_000_000
SIGNALS_PER_CHILD = 1.2
ORGANISATIONS = 20
# Share of followed children the BRP reports changed in one night (see the docstring).
CHANGED_PER_NIGHT = 0.095 / 365
# The scaled-down asking night: signals, of which every fifth child has a second one (1.2 per child).
SAMPLE_SIGNALS = 1_200


@dataclass
class World:
    """The stand-in on loopback, the real adapters against it, and in-memory stores."""

    stand_in: BrpStandIn
    register: HaalCentraalRegisterUpdates
    clock: FixedClock
    logbook: InMemoryLogbook = field(default_factory=InMemoryLogbook)

    def __post_init__(self) -> None:
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.store = InMemoryMatchStore(self.logbook, self.ledger)
        self.audit = Audit(self.clock, new_id)

    def follow(self) -> RegisterFollowService:
        return RegisterFollowService(
            self.register,
            self.store,
            self.store,
            self.logbook,
            InMemoryRegistry(),
            self.ledger,
            RecordingMailer(),
            builders.pseudonymiser,
            self.audit,
        )


@contextlib.contextmanager
def _world() -> Iterator[World]:
    stand_in = BrpStandIn(port=0, today=builders.START.date)
    stand_in.start()
    try:
        endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
        yield World(stand_in, HaalCentraalRegisterUpdates(lambda: endpoint), FixedClock(builders.START))
    finally:
        stand_in.stop()


def per_post_and_night() -> dict[str, int]:
    """Requests the stand-in answered: for the POSTs, then for one nightly run after two changes."""
    with _world() as world:
        stand_in, register, store = world.stand_in, world.register, world.store
        service = SignalService(
            store,
            world.logbook,
            builders.pseudonymiser,
            world.audit,
            register=register,
            subscriptions=RegisterSubscriptions(register, store),
        )
        posts = 0
        for number in range(ORGANISATIONS):
            principal = builders.organisation_principal(builders.organisation(id=f"org_{number}"))
            for bsn in (ZOEY, ALEXANDER, PAOLO, MIRIK):
                person = PERSONAS[bsn]
                assert person.birth_date is not None
                family_name = person.family_name if number % 4 else "Jansen"  # every fourth one contradicts
                child = builders.child(
                    bsn=bsn,
                    family_name_prefix=person.family_name_prefix,
                    family_name=family_name,
                    birth_date=person.birth_date.isoformat(),
                )
                posts += 1
                with contextlib.suppress(InvalidInput):
                    service.register(principal, builders.new_signal(child=child), None)
        counts = {
            "posts": posts,
            "verified": sum(1 for _ in store.signals),
            "personen": stand_in.personen_requests,
            "volgindicaties": stand_in.update_requests,
        }
        stand_in.move(ALEXANDER, "3512JE", 7, "0344")
        stand_in.record_death(ZOEY, builders.START.date().isoformat())
        before = stand_in.personen_requests, stand_in.update_requests
        world.clock.set(world.clock.now() + timedelta(days=1))
        outcome = NightlyFollow(register, InMemoryFollowCursor(), world.follow(), world.audit).run()
        counts |= {
            "night_changed": outcome.changed,
            "night_wijzigingen": stand_in.update_requests - before[1],
            "night_personen": stand_in.personen_requests - before[0],
            "tokens": len(stand_in._tokens),
        }
        return counts


def _persona(bsn: str, family_name: str, born: str) -> dict[str, object]:
    day = {"type": "Datum", "datum": born, "langFormaat": born}
    return {
        "burgerservicenummer": bsn,
        "naam": {"voorvoegsel": "van", "geslachtsnaam": family_name},
        "geboorte": {"datum": day},
        # Where the sample signals have the child (builders' address): only a move makes a change.
        "verblijfplaats": {
            "type": "Adres",
            "verblijfadres": {"postcode": "3511AB", "huisnummer": 12, "huisletter": "a", "huisnummertoevoeging": "bis"},
        },
        "gemeenteVanInschrijving": {"code": "0344"},
    }


def _sample_signal(bsn: str, family_name: str, born: str) -> Signal:
    from dataclasses import replace
    from datetime import date

    keys = builders.pseudonymiser()
    made = builders.domain_signal(seed=int(bsn) % 100_000, birth_date=date.fromisoformat(born))
    child = replace(made.child, family_name_prefix="van", family_name=family_name, birth_date=made.child.birth_date)
    return replace(made, child_pseudonym=keys.child(bsn), child=child)


def asking_night() -> dict[str, int]:
    """The stand-in's searches and /personen requests for one asking night over ``SAMPLE_SIGNALS``."""
    from datetime import date

    with _world() as world:
        stand_in, store = world.stand_in, world.store
        children = 0
        for n in range(SAMPLE_SIGNALS):
            first = n - n % 6 + min(n % 6, 4)  # the sixth signal of six is the fifth child's second
            bsn, name = builders.bsn(10_000 + first), f"Kind{first % 37}"
            born = (date(2008, 1, 1) + timedelta(days=first % 3000)).isoformat()
            if first != n:
                store.put(_sample_signal(bsn, name, born))
                continue
            stand_in.add(_persona(bsn, name, born))
            if children % 10 == 0:  # a namesake born the same day, whom the search finds too
                stand_in.add(_persona(builders.bsn(900_000 + n), name, born))
            if children % 50 == 0:
                stand_in.move(bsn, "3512JE", 7, "0344")
            store.put(_sample_signal(bsn, name, born))
            children += 1
        queue = InMemoryWorkQueue()
        planner = AskPlanner(InMemoryDueWork(store), queue)
        ask = RegisterAsk(world.register, store, builders.pseudonymiser, world.follow(), world.audit)
        stand_in.answers.clear()
        before = stand_in.personen_requests
        planner.plan()
        found = moved = messages = 0
        while chunks := queue.take():
            for chunk in chunks:
                messages += 1
                if chunk.cursor is not None:
                    planner.plan(chunk.cursor)
                else:
                    outcome = ask.ask(chunk.children)
                    found, moved = found + outcome.found, moved + outcome.moved
        searches = sum(1 for answer in stand_in.answers if answer["type"] == personen.SEARCH_TYPE)
        return {
            "signals": SAMPLE_SIGNALS,
            "children": children,
            "found": found,
            "moved": moved,
            "messages": messages,
            "searches": searches,
            "personen": stand_in.personen_requests - before - searches,
        }


def per_night_update_api(changed_children: int) -> int:
    """One GET /wijzigingen (one page) plus the /personen batches of 20 for the changed children."""
    return 1 + math.ceil(changed_children / personen.MAX_BATCH)


def main() -> None:
    counts = per_post_and_night()
    posts = counts["posts"]
    print(
        f"per POST: {posts} POSTs made {counts['personen']} POST /personen ({counts['personen'] / posts:.2f} per POST)"
    )
    print(
        f"  and {counts['volgindicaties']} PUT /volgindicaties, one per verified signal"
        f" ({counts['verified']} of {posts}; a refused one is not followed)"
    )
    print(f"token requests: {counts['tokens']} (kept until shortly before expiry)")
    print(f"fields asked per POST: {', '.join(personen.FIELDS[RegisterUse.VERIFY])}")
    print(
        f"one night on the stand-in, {counts['night_changed']} followed children changed:"
        f" {counts['night_wijzigingen']} GET /wijzigingen, {counts['night_personen']} POST /personen"
    )
    children = round(ACTIVE_SIGNALS / SIGNALS_PER_CHILD)
    print(
        f"per night, {ACTIVE_SIGNALS:,} active signals ({SIGNALS_PER_CHILD} per child, {children:,} children followed):"
    )
    for factor in (1, 10, 100):
        changed = math.ceil(children * CHANGED_PER_NIGHT * factor)
        print(
            f"  {changed:,} changed ({factor}x {CHANGED_PER_NIGHT:.4%}): {per_night_update_api(changed):,} requests"
            f" (1 GET /wijzigingen + {per_night_update_api(changed) - 1:,} POST /personen)"
        )
    night = asking_night()
    scale = ACTIVE_SIGNALS / night["signals"]
    print(
        f"asking (BRP_FOLLOW=ask), one night on the stand-in over {night['signals']:,} signals"
        f" ({night['children']:,} children, {night['found']:,} found, {night['moved']} moved):"
        f" {night['searches']:,} searches + {night['personen']:,} POST /personen,"
        f" {night['messages']:,} work queue messages"
    )
    searches, personen_requests = round(night["searches"] * scale), round(night["personen"] * scale)
    print(
        f"  scaled to {ACTIVE_SIGNALS:,} active signals: {searches + personen_requests:,} requests a night"
        f" ({searches:,} searches + {personen_requests:,} POST /personen), {round(night['messages'] * scale):,}"
        f" work queue messages; the update API: {per_night_update_api(math.ceil(children * CHANGED_PER_NIGHT)):,}"
    )


if __name__ == "__main__":
    main()
