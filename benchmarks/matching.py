"""AWS calls and items read by the match function for one new signal that matches k others,
with the table holding 1,000 and then 20,000 unrelated signals. The figures must not grow with
the table.

Run: ``.venv/bin/python -m benchmarks.matching [k [table sizes…]]`` (loading 20,000 signals into
the in-process emulator takes a few minutes).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta

from benchmarks.common import local_account, print_calls
from chalicelib.adapters import items
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.services import admin
from chalicelib.services.signals import NewSignal
from tests import builders


def _new_signal(
    seed: int, address_overrides: dict[str, object] | None = None, email: str = "p@example.nl"
) -> NewSignal:
    from chalicelib.schemas import SignalIn, new_signal

    child = builders.child(bsn=builders.bsn(seed), address=builders.address(**(address_overrides or {})))
    body = builders.signal_body(child=child, professional=builders.professional(email=email))
    return new_signal(SignalIn.model_validate(body))


def load_unrelated(container, count: int) -> None:
    """Bulk-write ``count`` signals of unrelated children at unrelated addresses."""
    service = container.signals
    elsewhere = {"postcode": "9999ZZ", "house_number": 1}
    template = service.register(
        _principal(Organisation("org_bulk", "Bulk", "huisarts", "noord")), _new_signal(10_000_000, elsewhere), None
    ).signal
    pseudonymiser = container.pseudonym_key()
    requests = []
    for n in range(count):
        signal = replace(
            template,
            id=container.new_id(container.clock.now()),
            child_pseudonym=pseudonymiser.child(builders.bsn(20_000_000 + n)),
            address_pseudonym=pseudonymiser.child(f"address-{n}"),
        )
        requests.append({"PutRequest": {"Item": items.serialise(items.signal_to_item(signal))}})
        if len(requests) == 25:
            container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})
            requests = []
    if requests:
        container.dynamodb.batch_write_item(RequestItems={container.settings.signals_table: requests})


def _principal(organisation: Organisation) -> Principal:
    return Principal(client_id=organisation.id, kind=PrincipalKind.ORGANISATION, organisation=organisation)


def run(table_size: int, k: int) -> None:
    with local_account() as (container, counter, clock):
        admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", "regie@example.nl", clock.now())
        load_unrelated(container, table_size)
        service = container.signals
        child_matches = (k + 1) // 2
        for n in range(k):
            organisation = Organisation(f"org_{n}", f"Organisatie {n}", "jgz", "utrecht")
            clock.set(clock.now() + timedelta(minutes=1))
            same_child = n < child_matches
            request = _new_signal(1 if same_child else 100 + n, email=f"pro{n}@example.nl")
            service.register(_principal(organisation), request, None)
        clock.set(clock.now() + timedelta(minutes=1))
        new = service.register(
            _principal(Organisation("org_new", "Nieuw", "wijkteam", "amsterdam")),
            _new_signal(1, email="new@example.nl"),
            None,
        ).signal
        counter.reset()
        outcome = container.matching.process(new)
        print_calls(
            f"Table with {table_size:,} unrelated signals; new signal matching k={k} "
            f"({child_matches} same child, {k - child_matches} same address): "
            f"{outcome.matches} matches, {outcome.sent} mails",
            counter,
        )
        counter.reset()
        again = container.matching.process(new)
        print_calls(f"Same record delivered again: {again.sent} mails", counter)


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    sizes = [int(size) for size in sys.argv[2:]] or [1_000, 20_000]
    for size in sizes:
        run(size, k)


if __name__ == "__main__":
    main()
