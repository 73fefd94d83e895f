"""Only new signals invoke the match function: the event-source filter, on the real moto stream.

The match records, the mail ledger, the guard, the nightly archive and deletion all write to the
signals table, and so to its stream; on AWS the filter in the template keeps them from invoking the
match function, and the local poller applies the same filter.
"""

from __future__ import annotations

from datetime import timedelta

from tests import builders
from tests.e2e.nightly import run_nightly


def test_writes_that_are_not_new_signals_never_invoke_the_match_function(
    api, stream, outbox, clock, org, other_org
) -> None:
    api.create_signal(org.token)
    assert stream.drain() == 1
    clock.set(clock.now() + timedelta(minutes=1))
    api.create_signal(other_org.token, builders.signal_body(professional=builders.professional(name="B. Bakker")))
    assert stream.drain() == 1  # the new signal; not the match records and mail claims it caused
    assert len(outbox()) == 2
    assert stream.drain() == 0

    clock.set(clock.now() + timedelta(days=2 * 366))
    assert run_nightly(api)["archived"] == 2  # versioned puts, guards released, mails
    clock.set(clock.now() + timedelta(days=5 * 366))
    assert run_nightly(api)["deleted"] == 2  # signals, matches and ledger removed
    assert stream.drain() == 0
    assert stream.invocations == 2
