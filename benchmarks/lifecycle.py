"""AWS calls and items read by one nightly lifecycle run, over a table of 2,000 and one of 20,000
signals, of which 50 are due each time. Target: equal figures (a handful of index pages) and zero
Scan calls: the job's cost follows what is due, not the table.

Run: ``.venv/bin/python -m benchmarks.lifecycle [due [table sizes…]]`` (loading 20,000 signals
into the in-process emulator takes a few minutes).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta

from benchmarks.common import load_unrelated, local_account, new_signal, principal, print_calls
from chalicelib.domain.model import CloseReason, Organisation


def without_moto_table_backups() -> None:
    """moto deep-copies every table, stream included, before each transaction, to roll back on
    failure: with 20,000 signals that is gigabytes per transaction. The benchmark's transactions all
    succeed (``run`` checks it), so it lets moto skip the whole-table copy; single items are still
    copied as before. This changes the emulator's cost, not a single call the job makes."""
    import copy
    import types

    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    def deepcopy(value: object, memo: dict[int, object] | None = None) -> object:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[attr-defined]


def run(table_size: int, due: int) -> None:
    with local_account() as (container, counter, clock):
        start = clock.now()
        service = container.signals
        archive = due // 2
        for n in range(due):
            organisation = Organisation(f"org_{n}", f"Organisatie {n}", "jgz", "utrecht")
            request = new_signal(500_000 + n, {"postcode": "1000AA", "house_number": n + 1}, email=f"p{n}@example.nl")
            if n < archive:
                # Active until tomorrow: archived (with the owner's notice) by the run below.
                request = replace(request, end_date=(start + timedelta(days=1)).date())
                service.register(principal(organisation), request, None)
            else:
                # Closed as risk resolved 5 years ago for a child about to reach the deletion date.
                clock.set(start - timedelta(days=5 * 365 + 2))
                registered = service.register(principal(organisation), request, None).signal
                service.close(principal(organisation), registered.id, CloseReason.RISK_RESOLVED)
                clock.set(start)
        load_unrelated(container, table_size - due)
        clock.set(start + timedelta(days=3))
        counter.reset()
        report = container.lifecycle.run()
        assert counter.errors == 0, "a transaction failed: the skipped table backups would be wrong"
        print_calls(
            f"Nightly run over {table_size:,} signals, {due} due: "
            f"{len(report.archived)} archived, {len(report.deleted)} deleted, {report.notices_sent} notices",
            counter,
        )
        scans = counter.calls.get("dynamodb.Scan", 0)
        print(f"  Scan calls: {scans}")
        counter.reset()
        container.lifecycle.run()
        print_calls("The same night run again (nothing left to do):", counter)


def main() -> None:
    without_moto_table_backups()
    due = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sizes = [int(size) for size in sys.argv[2:]] or [2_000, 20_000]
    for size in sizes:
        run(size, due)


if __name__ == "__main__":
    main()
