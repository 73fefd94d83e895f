"""AWS calls and items read by the match function for one new signal that matches k others,
with the table holding 1,000 and then 20,000 unrelated signals. The figures must not grow with
the table.

Run: ``.venv/bin/python -m benchmarks.matching [k [table sizes…]]`` (loading 20,000 signals into
the in-process emulator takes a few minutes).
"""

from __future__ import annotations

import sys
from datetime import timedelta

from benchmarks.common import load_unrelated, local_account, new_signal, principal, print_calls
from chalicelib.domain.model import Organisation
from chalicelib.services import admin


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
            request = new_signal(1 if same_child else 100 + n, email=f"pro{n}@example.nl")
            service.register(principal(organisation), request, None)
        clock.set(clock.now() + timedelta(minutes=1))
        new = service.register(
            principal(Organisation("org_new", "Nieuw", "wijkteam", "amsterdam")),
            new_signal(1, email="new@example.nl"),
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
