"""BRP calls: per POST of a signal, and per night for following 1,000,000 active signals.

Per POST: signals for the RvIG test personas (agreeing and contradicting) registered through the
signal use case and the real Haal Centraal adapters against the loopback stand-in, which counts the
``POST /personen``, ``PUT /volgindicaties`` and ``POST /token`` requests it answers.

Per night, under the BRP Update API (the one mode offered, docs/brp.md): a real nightly run against
the stand-in (personas followed, two of them changed) counts its requests; for 1,000,000 active
signals the same rule gives one ``GET /wijzigingen`` plus one ``POST /personen`` per 20 changed
children, for an assumed share of children changing per night (moves and deaths; about 9.5% of
people in the Netherlands move house in a year, ~0.026% a night; deaths of children are far fewer),
and for ten and a hundred times that. The mode that would ask ``/personen`` about every child each
night (not possible without keeping BSNs) is given for comparison. Deterministic counts, no timing.

Run: ``.venv/bin/python -m benchmarks.brp_calls``
"""

from __future__ import annotations

import contextlib
import math
from datetime import timedelta

from chalicelib.adapters.brp import personen
from chalicelib.adapters.brp.haal_centraal import BrpEndpoint
from chalicelib.adapters.brp.updates import HaalCentraalRegisterUpdates
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.population import RegisterUse
from chalicelib.services.audit import Audit
from chalicelib.services.register_follow import RegisterFollowService
from chalicelib.services.register_updates import NightlyFollow, RegisterSubscriptions
from chalicelib.services.signals import SignalService
from local.brp_stand_in import BrpStandIn
from local.clock import FixedClock
from tests import builders
from tests.fake_population import ALEXANDER, MIRIK, PAOLO, PERSONAS, ZOEY, InMemoryFollowCursor
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    RecordingMailer,
)

ACTIVE_SIGNALS = 1_000_000
SIGNALS_PER_CHILD = 1.2
ORGANISATIONS = 20
# Share of followed children the BRP reports changed in one night (see the docstring).
CHANGED_PER_NIGHT = 0.095 / 365


def per_post_and_night() -> dict[str, int]:
    """Requests the stand-in answered: for the POSTs, then for one nightly run after two changes."""
    stand_in = BrpStandIn(port=0, today=builders.START.date)
    stand_in.start()
    try:
        endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
        register = HaalCentraalRegisterUpdates(lambda: endpoint)
        logbook = InMemoryLogbook()
        ledger = InMemoryNotificationLedger(logbook)
        store = InMemoryMatchStore(logbook, ledger)
        clock = FixedClock(builders.START)
        audit = Audit(clock, new_id)
        service = SignalService(
            store,
            logbook,
            builders.pseudonymiser,
            audit,
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
        follow = RegisterFollowService(
            register,
            store,
            store,
            logbook,
            InMemoryRegistry(),
            ledger,
            RecordingMailer(),
            builders.pseudonymiser,
            audit,
        )
        clock.set(clock.now() + timedelta(days=1))
        outcome = NightlyFollow(register, InMemoryFollowCursor(), follow, audit).run()
        counts |= {
            "night_changed": outcome.changed,
            "night_wijzigingen": stand_in.update_requests - before[1],
            "night_personen": stand_in.personen_requests - before[0],
            "tokens": len(stand_in._tokens),
        }
        return counts
    finally:
        stand_in.stop()


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
    every_child = len(personen.batches([f"{n:09d}" for n in range(children)]))
    print(f"  for comparison, asking /personen about every child (needs stored BSNs, not offered): {every_child:,}")


if __name__ == "__main__":
    main()
