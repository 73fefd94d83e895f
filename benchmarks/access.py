"""AWS calls and items read by one access request (``POST /v1/subjects/access``) for a child with
k signals, k = 1 and k = 20, over tables of two sizes: the figures grow with k, not with the table.

Run: ``.venv/bin/python -m benchmarks.access [table sizes…]``
"""

from __future__ import annotations

import sys
from datetime import timedelta

from benchmarks.common import load_unrelated, local_account, new_signal, principal, print_calls
from chalicelib.domain.model import Organisation
from chalicelib.services import admin
from chalicelib.services.auth import authenticate
from tests import builders


def run(table_size: int, k: int) -> None:
    with local_account() as (container, counter, clock):
        admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", None, clock.now())
        load_unrelated(container, table_size)
        for n in range(k):
            clock.set(clock.now() + timedelta(minutes=1))
            organisation = Organisation(f"org_{n}", f"Organisatie {n}", "jgz", "utrecht")
            container.signals.register(principal(organisation), new_signal(1, email=f"p{n}@example.nl"), None)
        token = admin.issue_municipality_token(container.registry, "0344", clock.now())
        caller = authenticate(container.registry, f"Bearer {token.token}")
        counter.reset()
        record = container.subjects.access(caller, builders.bsn(1))
        print_calls(f"Access request, child with k={k} signals, table of {table_size:,} other signals:", counter)
        assert len(record.signals) == k


def main() -> None:
    sizes = [int(size) for size in sys.argv[1:]] or [500, 5_000]
    for size in sizes:
        for k in (1, 20):
            run(size, k)


if __name__ == "__main__":
    main()
