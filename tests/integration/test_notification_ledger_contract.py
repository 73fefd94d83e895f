"""One contract for the notification ledger, held against the in-memory fake and DynamoDB on moto."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb import keys
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import Conflict
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.model import Signal
from chalicelib.domain.notifications import archived_notice, removed_notice
from chalicelib.ports import ClaimOutcome
from chalicelib.services.delivery import CLAIM_LEASE
from tests import builders
from tests.fakes import InMemoryLogbook, InMemoryMatchStore, InMemoryNotificationLedger
from tests.integration.test_signal_store_contract import TODAY, log_for

NOW = builders.START + timedelta(hours=1)


def sent_log(signal: Signal) -> LogEntry:
    return LogEntry(
        id=new_id(NOW),
        at=NOW,
        action=Action.NOTIFICATION_SENT,
        client_id="test",
        signal_id=signal.id,
        child_pseudonym=signal.child_pseudonym.value,
        key_version=signal.child_pseudonym.key_version,
    )


class NotificationLedgerContract:
    @pytest.fixture
    def logbook(self) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def store(self, logbook: Any) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def ledger(self, store: Any) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def signal(self, store: Any) -> Signal:
        signal = builders.domain_signal()
        store.add(signal, TODAY, None, log_for(signal))
        return signal

    def test_a_new_notification_is_claimed_once(self, ledger: Any, signal: Signal) -> None:
        notice = archived_notice(signal)
        assert ledger.claim(notice, NOW, NOW + CLAIM_LEASE) is ClaimOutcome.CLAIMED
        assert ledger.claim(notice, NOW, NOW + CLAIM_LEASE) is ClaimOutcome.IN_FLIGHT

    def test_a_claim_whose_lease_ran_out_is_taken_over(self, ledger: Any, signal: Signal) -> None:
        notice = archived_notice(signal)
        ledger.claim(notice, NOW, NOW + CLAIM_LEASE)
        after = NOW + CLAIM_LEASE + timedelta(seconds=1)
        assert ledger.claim(notice, after, after + CLAIM_LEASE) is ClaimOutcome.CLAIMED

    def test_a_sent_notification_is_never_claimed_again_and_its_log_line_is_written(
        self, ledger: Any, logbook: Any, signal: Signal
    ) -> None:
        notice = archived_notice(signal)
        ledger.claim(notice, NOW, NOW + CLAIM_LEASE)
        entry = sent_log(signal)
        ledger.mark_sent(notice, "message-1", entry)
        later = NOW + timedelta(days=400)
        assert ledger.claim(notice, later, later + CLAIM_LEASE) is ClaimOutcome.ALREADY_SENT
        assert entry in logbook.entries_for_child(signal.child_pseudonym.value)

    def test_a_released_claim_may_be_claimed_again(self, ledger: Any, signal: Signal) -> None:
        notice = archived_notice(signal)
        ledger.claim(notice, NOW, NOW + CLAIM_LEASE)
        ledger.release(notice)
        assert ledger.claim(notice, NOW, NOW + CLAIM_LEASE) is ClaimOutcome.CLAIMED

    @pytest.mark.parametrize("state", ["never claimed", "sent", "released"])
    def test_only_a_live_claim_may_be_released(self, ledger: Any, signal: Signal, state: str) -> None:
        notice = archived_notice(signal)
        if state != "never claimed":
            ledger.claim(notice, NOW, NOW + CLAIM_LEASE)
        if state == "sent":
            ledger.mark_sent(notice, "message-1", sent_log(signal))
        if state == "released":
            ledger.release(notice)
        with pytest.raises(Conflict):
            ledger.release(notice)

    def test_each_key_is_claimed_on_its_own(self, ledger: Any, signal: Signal) -> None:
        ledger.claim(archived_notice(signal), NOW, NOW + CLAIM_LEASE)
        assert ledger.claim(removed_notice(signal), NOW, NOW + CLAIM_LEASE) is ClaimOutcome.CLAIMED

    def test_nothing_is_claimed_under_a_signal_that_is_gone(self, ledger: Any, store: Any, signal: Signal) -> None:
        ledger.claim(archived_notice(signal), NOW, NOW + CLAIM_LEASE)
        ledger.mark_sent(archived_notice(signal), "message-1", sent_log(signal))
        store.delete(store.get(signal.id), log_for(signal, Action.SIGNAL_DELETED, NOW))
        # Its ledger went with it: without the signal, a claim would start from a blank ledger.
        assert ledger.claim(archived_notice(signal), NOW, NOW + CLAIM_LEASE) is ClaimOutcome.GONE
        assert ledger.claim(removed_notice(signal), NOW, NOW + CLAIM_LEASE) is ClaimOutcome.GONE

    def test_a_mail_sent_while_its_signal_was_deleted_is_logged_but_not_written_back(
        self, ledger: Any, store: Any, logbook: Any, signal: Signal
    ) -> None:
        notice = removed_notice(signal)
        ledger.claim(notice, NOW, NOW + CLAIM_LEASE)
        store.delete(store.get(signal.id), log_for(signal, Action.SIGNAL_DELETED, NOW))
        entry = sent_log(signal)
        ledger.mark_sent(notice, "message-1", entry)
        assert entry in logbook.entries_for_child(signal.child_pseudonym.value)
        assert self.entries_of(signal) == 0

    def entries_of(self, signal: Signal) -> int:
        raise NotImplementedError


class TestInMemoryNotificationLedger(NotificationLedgerContract):
    @pytest.fixture
    def logbook(self) -> InMemoryLogbook:
        return InMemoryLogbook()

    @pytest.fixture
    def store(self, logbook: InMemoryLogbook) -> InMemoryMatchStore:
        self.ledger_under_test = InMemoryNotificationLedger(logbook)
        return InMemoryMatchStore(logbook, self.ledger_under_test)

    @pytest.fixture
    def ledger(self, store: InMemoryMatchStore) -> InMemoryNotificationLedger:
        return self.ledger_under_test

    def entries_of(self, signal: Signal) -> int:
        return len(self.ledger_under_test.states_for_child(signal.child_pseudonym.value))


class TestDynamoDBNotificationLedger(NotificationLedgerContract):
    @pytest.fixture
    def logbook(self, container: bootstrap.Container) -> Any:
        self.container = container
        return container.logbook

    @pytest.fixture
    def store(self, container: bootstrap.Container) -> Any:
        return container.signal_store

    @pytest.fixture
    def ledger(self, container: bootstrap.Container) -> Any:
        return container.notification_ledger

    def entries_of(self, signal: Signal) -> int:
        response = self.container.dynamodb.query(
            TableName=self.container.settings.signals_table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :notify)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.child_pk(signal.child_pseudonym.value)},
                ":notify": {"S": keys.NOTIFY_PREFIX},
            },
            ConsistentRead=True,
        )
        return len(response["Items"])
