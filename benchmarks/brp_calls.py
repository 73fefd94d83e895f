"""BRP calls: per POST of a signal, and per night for following 1,000,000 active signals.

Per POST: signals for the RvIG test personas (agreeing and contradicting) registered through the
signal use case and the real Haal Centraal adapter against the loopback stand-in, which counts the
``POST /personen`` and ``POST /token`` requests it answers. Per night: the requests the adapter's
batching makes for the distinct children of 1,000,000 active signals (Personen API, 20 BSNs per
request), for one signal per child (the worst case) and for 1.2 signals per child. Deterministic
counts, no timing.

Run: ``.venv/bin/python -m benchmarks.brp_calls``
"""

from __future__ import annotations

import contextlib

from chalicelib.adapters.brp import personen
from chalicelib.adapters.brp.haal_centraal import BrpEndpoint, HaalCentraalPopulationRegister
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.population import RegisterUse
from chalicelib.services.audit import Audit
from chalicelib.services.signals import SignalService
from local.brp_stand_in import BrpStandIn
from local.clock import FixedClock
from tests import builders
from tests.fake_population import ALEXANDER, MIRIK, PAOLO, PERSONAS, ZOEY
from tests.fakes import InMemoryLogbook, InMemorySignalStore

ACTIVE_SIGNALS = 1_000_000
ORGANISATIONS = 20


def per_post() -> tuple[int, int, int]:
    """(POSTs, personen requests, token requests)."""
    stand_in = BrpStandIn(port=0)
    stand_in.start()
    try:
        endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
        register = HaalCentraalPopulationRegister(lambda: endpoint)
        service = SignalService(
            InMemorySignalStore(InMemoryLogbook()),
            InMemoryLogbook(),
            builders.pseudonymiser,
            Audit(FixedClock(builders.START), new_id),
            register=register,
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
        tokens = len(stand_in._tokens)
        return posts, stand_in.personen_requests, tokens
    finally:
        stand_in.stop()


def per_night(children: int) -> int:
    bsns = [f"{number:09d}" for number in range(children)]
    return len(personen.batches(bsns))


def main() -> None:
    posts, requests, tokens = per_post()
    print(f"per POST: {posts} POSTs made {requests} POST /personen ({requests / posts:.2f} per POST)")
    print(f"token requests: {tokens} (kept until shortly before expiry)")
    print(f"fields asked per POST: {', '.join(personen.FIELDS[RegisterUse.VERIFY])}")
    for per_child in (1.0, 1.2):
        children = round(ACTIVE_SIGNALS / per_child)
        print(
            f"per night, {ACTIVE_SIGNALS:,} active signals, {per_child} signals per child ({children:,} children):"
            f" {per_night(children):,} POST /personen of at most {personen.MAX_BATCH} BSNs"
        )


if __name__ == "__main__":
    main()
