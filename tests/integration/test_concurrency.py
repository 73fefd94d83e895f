"""Two requests for the same organisation and child at the same moment create one signal.

moto 5.2.5 does not isolate DynamoDB requests that arrive from several threads at once, so on its
own it cannot stand in for DynamoDB here. ``DynamoDBBackend.transact_write_items`` takes a
``copy.deepcopy`` of every table it touches, applies the actions one by one without a lock, and on
a failed condition rolls back by putting the *copy* back in place. Two simultaneous transactions
then go wrong in three ways (60 rounds on this machine: 14 correct, 26 + 8 lost, 11 crashed, 1 double):

- lost write: the winner's transaction succeeds (201), the loser's condition fails and its rollback
  restores a copy taken before the winner wrote, erasing the winner's signal and guard and
  sometimes its log line, while the loser is told ``DuplicateActiveSignal`` with the winner's id;
- crash: the deepcopy iterates a table the other thread is changing and raises
  ``RuntimeError: dictionary changed size during iteration`` (a 500 in the API);
- double write: both condition checks run before either put, and both signals are stored.

DynamoDB itself runs each transaction atomically and isolated, so the tests below let moto handle
one DynamoDB request at a time (the threads still race to it) and then check what our adapter
does with the outcome: with a guard that does not guard, the first test fails. Without the lock
the same test fails in most runs, for moto's reasons above; when a moto upgrade isolates
transactions, drop ``one_dynamodb_request_at_a_time``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.errors import Conflict, DuplicateActiveSignal
from chalicelib.services.signals import Registered, SignalService
from local import moto_isolation
from tests import builders
from tests.fakes import signal_in

ROUNDS = 5
GGD = builders.organisation_principal()


@pytest.fixture
def one_dynamodb_request_at_a_time() -> Iterator[None]:
    """Serialise moto's DynamoDB request handling, as DynamoDB serialises transactions."""
    with moto_isolation.one_dynamodb_request_at_a_time():
        yield


def stored_signals(container: bootstrap.Container, seed: int) -> list[str]:
    pseudonym = container.pseudonymiser().child(builders.bsn(seed)).value
    response = container.dynamodb.query(
        TableName=container.settings.signals_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :signal)",
        ExpressionAttributeValues={":pk": {"S": keys.child_pk(pseudonym)}, ":signal": {"S": keys.SIGNAL_PREFIX}},
        ConsistentRead=True,
    )
    return [item["signal_id"]["S"] for item in response["Items"]]


def race(service: SignalService, seed: int, idempotency_key: str | None = None) -> list[Any]:
    """Two threads register the child ``bsn(seed)``, released together by a barrier.

    Each slot ends up with the ``Registered`` result or the exception the thread met.
    """
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def post(slot: int) -> None:
        professional = builders.professional() if idempotency_key else builders.professional(name=f"Prof {slot}")
        request = builders.new_signal(child=builders.child(bsn=builders.bsn(seed)), professional=professional)
        barrier.wait()
        try:
            outcomes[slot] = service.register(GGD, request, idempotency_key)
        except Exception as exc:  # recorded, so the test reports it instead of a thread warning
            outcomes[slot] = exc

    threads = [threading.Thread(target=post, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def check_one_signal_created(container: bootstrap.Container, seed: int, outcomes: list[Any]) -> None:
    winners = [o for o in outcomes if isinstance(o, Registered) and not o.replayed]
    assert len(winners) == 1, outcomes
    winner = winners[0].signal
    (loser,) = [o for o in outcomes if o is not winners[0]]
    assert isinstance(loser, DuplicateActiveSignal | Conflict), outcomes
    if isinstance(loser, DuplicateActiveSignal):
        assert loser.signal_id == winner.id
    assert stored_signals(container, seed) == [winner.id]
    assert signal_in(container.signal_store, winner.id) == winner
    log = container.logbook.entries_for_child(winner.child_pseudonym.value)
    assert [entry.signal_id for entry in log] == [winner.id]


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")
def test_simultaneous_registrations_for_one_child_create_exactly_one_signal(container: bootstrap.Container) -> None:
    container.pseudonymiser()  # loaded before the threads race
    for seed in range(1, ROUNDS + 1):
        check_one_signal_created(container, seed, race(container.signals, seed))


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")
def test_simultaneous_retries_with_one_idempotency_key_create_one_signal_and_replay_it(
    container: bootstrap.Container,
) -> None:
    container.pseudonymiser()
    for seed in range(1, ROUNDS + 1):
        outcomes = race(container.signals, seed, idempotency_key=f"retry-{seed}")
        assert all(isinstance(o, Registered) for o in outcomes), outcomes
        assert sorted(o.replayed for o in outcomes) == [False, True]
        assert outcomes[0].signal == outcomes[1].signal
        assert stored_signals(container, seed) == [outcomes[0].signal.id]
