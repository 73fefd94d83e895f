"""Write and read units per operation, and bytes stored per signal, with ordinary and with long
(realistic) Dutch data; then a national year's cost from those figures (``docs/cost.md``).

Every operation runs in a fresh in-process moto account; :mod:`benchmarks.capacity_meter` sizes
each item moto reads and writes by DynamoDB's rules and the index projections of
``infra/template.json``. The counts are deterministic: the same on every machine.

Run: ``.venv/bin/python -m benchmarks.capacity [--data ordinary|long|both]``; the last line
prints the key figures (long data).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from benchmarks.capacity_meter import KB, CapacityMeter, Usage
from benchmarks.common import local_account, principal
from benchmarks.cost import Figures, national_year
from chalicelib.domain.matching import FollowUp
from chalicelib.domain.model import CloseReason, Organisation, Principal
from tests import builders

MUNICIPALITY = "0599"


@dataclass(frozen=True)
class Data:
    """What a signal holds: the builders' ordinary values, or long ones as Dutch data has them."""

    name: str
    child: dict[str, Any]
    professional: dict[str, Any]
    case_reference: str
    organisation: str

    def body(self, seed: int, email: str, street_number: int = 12) -> dict[str, Any]:
        address = self.child["address"] | {"house_number": street_number}
        child = self.child | {"bsn": builders.bsn(seed), "address": address}
        professional = self.professional | {"email": email}
        return builders.signal_body(child=child, professional=professional, case_reference=self.case_reference)

    def email(self, n: int) -> str:
        return self.professional["email"].replace("@", f".{n}@")


ORDINARY = Data(
    "ordinary",
    builders.child(address=builders.address(municipality_code=MUNICIPALITY)),
    builders.professional(),
    "JGZ-2026-0042",
    "GGD Regio Utrecht",
)
LONG = Data(
    "long",
    builders.child(
        given_names="Maria Johanna Wilhelmina Theodora Cornelia",
        family_name_prefix="van den",
        family_name="Heuvel-Ramdjanamsingh van Oldenbarnevelt",
        address=builders.address(
            street="Burgemeester Jhr. Mr. Dr. van Karnebeek-Kennedyplantsoen",
            house_number=1234,
            house_letter="B",
            house_number_suffix="2hg",
            postcode="3067 GH",
            city="Capelle aan den IJssel",
            municipality_code=MUNICIPALITY,
        ),
    ),
    builders.professional(
        name="Drs. A.B.C.M. van der Broek-Wijnaldum",
        function="Jeugdverpleegkundige Centrum voor Jeugd en Gezin",
        email="a.b.c.m.vanderbroek-wijnaldum@cjg-rotterdam-rijnmond.example.nl",
        phone="+31 10 123 45 67",
    ),
    "CJG-RR/2026/000123456-B",
    "Centrum voor Jeugd en Gezin Rotterdam-Rijnmond",
)


class Bench:
    """One fresh account: the app's container, the meter on its session, the clock."""

    def __init__(self, container: Any, clock: Any, meter: CapacityMeter, data: Data, counter: Any) -> None:
        self.container = container
        self.clock = clock
        self.meter = meter
        self.data = data
        self.counter = counter

    def organisation(self, n: int) -> Principal:
        return principal(Organisation(f"org_{n}", f"{self.data.organisation} {n}", "jgz", "rotterdam"))

    def register(self, n: int, seed: int, street_number: int = 12) -> Any:
        from chalicelib.schemas import SignalIn, new_signal

        self.clock.set(self.clock.now() + timedelta(minutes=1))
        body = self.data.body(seed, self.data.email(n), street_number)
        request = new_signal(SignalIn.model_validate(body))
        return self.container.signals.register(self.organisation(n), request, None).signal

    def municipality(self) -> Principal:
        from chalicelib.services import admin
        from chalicelib.services.auth import authenticate

        token = admin.issue_municipality_token(self.container.registry, MUNICIPALITY, self.clock.now())
        return authenticate(self.container.registry, f"Bearer {token.token}")

    def measure(self, action: Callable[[], object]) -> Usage:
        self.meter.reset()
        action()
        return self.meter.reset()


@contextmanager
def bench(data: Data) -> Iterator[Bench]:
    import boto3

    from chalicelib.services import admin
    from infra.tables import TableNames

    with local_account() as (container, counter, clock):
        meter = CapacityMeter(boto3.client("dynamodb"), TableNames.with_prefix("bench").by_logical_id())
        meter.attach(container.session.events)
        admin.create_municipality(
            container.registry, MUNICIPALITY, "Capelle aan den IJssel", "rotterdam", "regie@example.nl", clock.now()
        )
        yield Bench(container, clock, meter, data, counter)


def _post(b: Bench) -> Usage:
    """A warm POST through the API, with an Idempotency-Key, as an organisation's system sends it."""
    from chalice.test import Client

    from app import app
    from chalicelib.services import admin

    _, token = admin.create_organisation(b.container.registry, b.data.organisation, "jgz", "rotterdam", b.clock.now())
    headers = {"Authorization": f"Bearer {token.token}", "Content-Type": "application/json"}
    with Client(app, stage_name="local") as client:
        first = client.http.post("/v1/signals", headers=headers, body=json.dumps(b.data.body(1, b.data.email(1))))
        assert first.status_code == 201, first.body
        body = json.dumps(b.data.body(2, b.data.email(2)))
        usage = b.measure(
            lambda: client.http.post("/v1/signals", headers=headers | {"Idempotency-Key": "bench-2"}, body=body)
        )
    return usage


def _match(k: int) -> Callable[[Bench], Usage]:
    """The match function for a new signal matching k others: half of them the same child, the
    rest other children at the same address."""

    def run(b: Bench) -> Usage:
        same_child = (k + 1) // 2
        for n in range(k):
            b.register(n, 1 if n < same_child else 100 + n)
        new = b.register(k, 1)
        return b.measure(lambda: b.container.matching.process(new))

    return run


def _matched(b: Bench) -> Any:
    """Two signals of one child matched (and mailed about) by the match function."""
    b.register(0, 1)
    new = b.register(1, 1)
    b.container.matching.process(new)
    return new


def _close(reason: CloseReason) -> Callable[[Bench], Usage]:
    def run(b: Bench) -> Usage:
        signal = b.register(0, 1)
        return b.measure(lambda: b.container.signals.close(b.organisation(0), signal.id, reason))

    return run


def _nightly_archive(b: Bench) -> Usage:
    from dataclasses import replace

    from chalicelib.schemas import SignalIn, new_signal

    body = b.data.body(1, b.data.email(0))
    request = replace(new_signal(SignalIn.model_validate(body)), end_date=(b.clock.now() + timedelta(days=1)).date())
    b.container.signals.register(b.organisation(0), request, None)
    b.clock.set(b.clock.now() + timedelta(days=3))
    return b.measure(b.container.lifecycle.run)


def _nightly_delete(b: Bench) -> Usage:
    start = b.clock.now()
    b.clock.set(start - timedelta(days=5 * 365 + 2))
    signal = b.register(0, 1)
    b.container.signals.close(b.organisation(0), signal.id, CloseReason.RISK_RESOLVED)
    b.clock.set(start + timedelta(days=3))
    return b.measure(b.container.lifecycle.run)


def _access(b: Bench) -> Usage:
    _matched(b)
    caller = b.municipality()
    return b.measure(lambda: b.container.subjects.access(caller, builders.bsn(1)))


def _erase(b: Bench) -> Usage:
    _matched(b)
    caller = b.municipality()
    return b.measure(lambda: b.container.subjects.erase(caller, builders.bsn(1), "verzoek van de ouders"))


def _reminder(b: Bench) -> Usage:
    _matched(b)
    b.clock.set(b.clock.now() + timedelta(days=15))
    return b.measure(b.container.lifecycle.run)


def _follow_up(b: Bench) -> Usage:
    _matched(b)
    caller = b.municipality()
    [match] = b.container.follow_ups.matches(caller, None)
    return b.measure(lambda: b.container.follow_ups.follow_up(caller, match.id, FollowUp.CONTACT_MADE, None))


def _get(b: Bench) -> Usage:
    signal = _matched(b)
    return b.measure(lambda: b.container.signals.get(b.organisation(1), signal.id))


OPERATIONS: dict[str, Callable[[Bench], Usage]] = {
    "POST /v1/signals (warm)": _post,
    "match, k = 1": _match(1),
    "match, k = 4": _match(4),
    "archive (close, risk resolved)": _close(CloseReason.RISK_RESOLVED),
    "delete (close, unjustified)": _close(CloseReason.UNJUSTIFIED),
    "nightly archive (with notice)": _nightly_archive,
    "nightly delete": _nightly_delete,
    "access request": _access,
    "erasure": _erase,
    "reminder (nightly, both sides)": _reminder,
    "follow-up": _follow_up,
    "GET /v1/signals/{id} (service)": _get,
}


def stored_per_signal(data: Data) -> dict[str, int]:
    """Bytes one registered signal keeps (signal, guard; their index entries) and its log line;
    then what a match (k = 1) adds to the signals table and its indexes, and the mails it sends.
    Each with DynamoDB's 100-byte overhead per item and index entry, and without (``*_bare``)."""
    with bench(data) as b, contextlib.redirect_stdout(io.StringIO()):
        settings = b.container.settings
        tables = (settings.signals_table, settings.logbook_table)

        def stored() -> dict[str, tuple[int, int, int]]:
            return {name: b.meter.stored(name) for name in tables}

        before = stored()
        b.register(0, 1)
        one = stored()
        new = b.register(1, 1)
        two = stored()
        b.counter.reset()
        b.container.matching.process(new)
        matched = stored()
        signal = [a - c for a, c in zip(one[tables[0]], before[tables[0]], strict=True)]
        match = [a - c for a, c in zip(matched[tables[0]], two[tables[0]], strict=True)]
        return {
            "table": signal[0],
            "indexes": signal[1],
            "bare": signal[2],
            "logbook": one[tables[1]][0] - before[tables[1]][0],
            "match": match[0] + match[1],
            "mails_per_match": sum(n for call, n in b.counter.calls.items() if call.startswith("ses")),
        }


def run(data: Data, only: list[str] | None = None) -> dict[str, Usage]:
    results = {}
    for name, operation in OPERATIONS.items():
        if only is not None and name not in only:
            continue
        # The app's log lines and metrics would bury the figures.
        with bench(data) as b, contextlib.redirect_stdout(io.StringIO()):
            results[name] = operation(b)
    return results


def figures(results: dict[str, Usage], stored: dict[str, int]) -> Figures:
    def wru(name: str) -> float:
        return results[name].write_units if name in results else 0.0

    return Figures(
        post=wru("POST /v1/signals (warm)"),
        life=wru("POST /v1/signals (warm)") + wru("archive (close, risk resolved)") + wru("nightly delete"),
        match=wru("match, k = 1"),
        stored=stored["table"] + stored["indexes"],
        mails_per_match=stored["mails_per_match"],
        stored_per_match=stored["match"],
        log_line=stored["logbook"],
    )


def report(data: Data, results: dict[str, Usage], stored: dict[str, int]) -> None:
    print(f"{data.name} data: write units (WRU) and read units (RRU) per operation")
    print(f"  {'operation':36s} {'WRU':>6s} {'items':>6s} {'indexes':>7s} {'checks':>6s} {'RRU':>6s}")
    for name, usage in results.items():
        kinds = usage.by_kind
        print(
            f"  {name:36s} {usage.write_units:6.0f} {kinds.get('item', 0):6.0f} {kinds.get('index', 0):7.0f}"
            f" {kinds.get('check', 0):6.0f} {usage.read_units:6.1f}"
        )
    together = stored["table"] + stored["indexes"]
    print(
        f"  bytes stored per signal: {stored['table']} in the table (signal and guard), {stored['indexes']} in its"
        f" indexes, {together / KB:.2f} KB together ({stored['bare'] / KB:.2f} KB without the 100 bytes DynamoDB"
        f" adds per item and index entry); a log line {stored['logbook']}; a match (k = 1) adds {stored['match']}"
        f" and sends {stored['mails_per_match']} mails"
    )


def main() -> None:
    logging.getLogger("verwijsindex").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", choices=["ordinary", "long", "both"], default="both")
    parser.add_argument("--only", action="append", help="an operation's name as printed (repeatable)")
    arguments = parser.parse_args()
    chosen = [d for d in (ORDINARY, LONG) if arguments.data in (d.name, "both")]
    key: Figures | None = None
    bare = 0
    for data in chosen:
        results = run(data, arguments.only)
        stored = stored_per_signal(data)
        report(data, results, stored)
        key = figures(results, stored)
        bare = stored["bare"]
    assert key is not None
    cost = national_year(key)
    print(cost.table())
    print(
        f"capacity ({chosen[-1].name} data): warm POST {key.post:.0f} WRU (target <= 10), life without matches"
        f" {key.life:.0f} WRU (target <= 20), match k=1 {key.match:.0f} WRU (target <= 15), stored per signal"
        f" {key.stored / KB:.2f} KB ({bare / KB:.2f} KB without overhead; target <= 2.5); national year"
        f" ${cost.monthly():.0f} a month"
    )


if __name__ == "__main__":
    main()
