"""Issuing a token while its organisation is being suspended, on moto with DynamoDB's isolation.

A suspension must leave no token of the organisation working, whichever token was issued while it
ran. The first two tests fix one interleaving each by holding one thread before its first DynamoDB
write until the other thread is done; the last lets threads race freely, round after round.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.errors import Conflict, InvalidInput, Unauthenticated
from chalicelib.services import admin, auth
from local.moto_isolation import one_dynamodb_request_at_a_time

NOW = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# A bound on every wait, so a broken interleaving fails the test instead of hanging it.
BOUND_SECONDS = 30
ROUNDS = 5
ISSUERS = 4


class HeldWrite:
    """Holds one thread at its first DynamoDB write until ``release`` is set."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.reached = threading.Event()
        self.release = threading.Event()

    def call_action(self, handle: Any) -> Any:
        def call_action(handler: Any) -> Any:
            held = threading.current_thread() is self.thread and not self.reached.is_set()
            if held and handler.get_endpoint_name(handler.headers) in WRITES:
                self.reached.set()
                self.release.wait(BOUND_SECONDS)
            return handle(handler)

        return call_action


@pytest.fixture
def serialised() -> Iterator[None]:
    with one_dynamodb_request_at_a_time():
        yield


@pytest.fixture
def held(serialised: None, monkeypatch: pytest.MonkeyPatch) -> HeldWrite:
    """Outside the serialising lock, so the held thread does not stop the others."""
    from moto.dynamodb.responses import DynamoHandler

    gate = HeldWrite()
    monkeypatch.setattr(DynamoHandler, "call_action", gate.call_action(DynamoHandler.call_action))
    return gate


def in_thread(work: Any, outcome: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # recorded, so the test reports it instead of a thread warning
            outcome.append(exc)

    return threading.Thread(target=run)


def assert_refused(registry: Any, *tokens: admin.IssuedToken) -> None:
    for token in tokens:
        with pytest.raises(Unauthenticated):
            auth.authenticate(registry, f"Bearer {token.token}")


def test_a_token_issued_while_the_suspension_runs_is_refused(container: bootstrap.Container, held: HeldWrite) -> None:
    registry = container.registry
    organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    outcome: list[Any] = []
    issuer = in_thread(lambda: admin.issue_organisation_token(registry, organisation.id, NOW), outcome)
    held.thread = issuer
    issuer.start()
    assert held.reached.wait(BOUND_SECONDS), outcome  # the issuer found the organisation active

    registry.suspend_organisation(organisation.id)
    held.release.set()
    issuer.join(BOUND_SECONDS)

    [issued] = outcome
    if isinstance(issued, admin.IssuedToken):
        assert_refused(registry, issued)
    else:
        assert isinstance(issued, InvalidInput), issued
        assert [error.field for error in issued.errors] == ["organisation"]
    assert_refused(registry, first)


def test_a_token_issued_after_the_suspension_read_the_tokens_is_refused(
    container: bootstrap.Container, held: HeldWrite
) -> None:
    registry = container.registry
    organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
    outcome: list[Any] = []
    suspender = in_thread(lambda: registry.suspend_organisation(organisation.id), outcome)
    held.thread = suspender
    suspender.start()
    assert held.reached.wait(BOUND_SECONDS), outcome

    issued = admin.issue_organisation_token(registry, organisation.id, NOW)
    held.release.set()
    suspender.join(BOUND_SECONDS)

    assert outcome == [2], "both tokens were active when the suspension stopped them"
    assert_refused(registry, first, issued)
    assert registry.organisation_suspended(organisation.id)


@pytest.mark.usefixtures("serialised")
def test_no_token_works_after_a_suspension_that_raced_with_issuing(container: bootstrap.Container) -> None:
    registry = container.registry
    for _ in range(ROUNDS):
        organisation, first = admin.create_organisation(registry, "GGD", "jgz", "utrecht", NOW)
        barrier = threading.Barrier(ISSUERS + 1)
        outcomes: list[Any] = []

        def issue(organisation_id: str = organisation.id, barrier: threading.Barrier = barrier) -> Any:
            barrier.wait(BOUND_SECONDS)
            return admin.issue_organisation_token(registry, organisation_id, NOW)

        def suspend(organisation_id: str = organisation.id, barrier: threading.Barrier = barrier) -> Any:
            barrier.wait(BOUND_SECONDS)
            return registry.suspend_organisation(organisation_id)

        threads = [in_thread(issue, outcomes) for _ in range(ISSUERS)] + [in_thread(suspend, outcomes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BOUND_SECONDS)

        assert len(outcomes) == ISSUERS + 1
        issued = [o for o in outcomes if isinstance(o, admin.IssuedToken)]
        others = [o for o in outcomes if not isinstance(o, admin.IssuedToken)]
        assert all(isinstance(o, int | InvalidInput | Conflict) for o in others), others
        assert_refused(registry, first, *issued)
