"""The match function's entry (``chalicelib.stream.handle_batch``) with a recording service:
which stream records reach the service, and how a failing record is reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, cast

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.items import guard_to_item, signal_to_item
from chalicelib.adapters.dynamodb.match_items import match_to_item
from chalicelib.adapters.dynamodb.table import serialise
from chalicelib.domain.matching import both_sides, find_matches
from chalicelib.domain.model import Signal, Verification
from chalicelib.domain.notifications import plan
from chalicelib.services.matching import MatchOutcome, MatchService
from chalicelib.stream import handle_batch
from tests import builders

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/signals/stream/2026-11-28T10:15:00.000"
START = builders.START
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")


class RecordingService:
    """Stands in for ``MatchService``: keeps the signals it is given, raises for chosen ids."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.processed: list[Signal] = []
        self.failing = failing or set()

    def process(self, new: Signal) -> MatchOutcome:
        if new.id in self.failing:
            raise RuntimeError("SES throttled")
        self.processed.append(new)
        # No mails: the handler's metric stays out of the process-wide metrics of other tests.
        return MatchOutcome(matches=1, sent=0, already_sent=0)


class Stream:
    """Builds Lambda-shaped DynamoDB stream records with increasing sequence numbers."""

    def __init__(self) -> None:
        self.next_sequence = 100

    def record(
        self, event_name: str, new_image: dict[str, Any] | None = None, old_image: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.next_sequence += 1
        image = new_image or old_image or {}
        dynamodb: dict[str, Any] = {
            "ApproximateCreationDateTime": START.timestamp(),
            "Keys": serialise({"pk": image["pk"], "sk": image["sk"]}),
            "SequenceNumber": str(self.next_sequence),
            "SizeBytes": 512,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        if new_image is not None:
            dynamodb["NewImage"] = serialise(new_image)
        if old_image is not None:
            dynamodb["OldImage"] = serialise(old_image)
        return {
            "eventID": f"event-{self.next_sequence}",
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-west-1",
            "dynamodb": dynamodb,
            "eventSourceARN": ARN,
        }

    def inserted(self, signal: Signal) -> dict[str, Any]:
        return self.record("INSERT", new_image=signal_to_item(signal))


def handle(records: list[dict[str, Any]], service: RecordingService) -> dict[str, Any]:
    return handle_batch({"Records": records}, cast(MatchService, service))


def signal(seed: int = 1, **overrides: Any) -> Signal:
    return builders.domain_signal(seed=seed, **overrides)


@pytest.fixture
def stream() -> Stream:
    return Stream()


def test_inserted_signal_reaches_the_service_as_it_was_stored(stream: Stream) -> None:
    service = RecordingService()
    new = signal(case_reference="JGZ-7")

    response = handle([stream.inserted(new)], service)

    assert response == {"batchItemFailures": []}
    assert service.processed == [new]
    assert service.processed[0].child_pseudonym == new.child_pseudonym
    assert service.processed[0].address_pseudonym == new.address_pseudonym


def test_every_inserted_signal_of_a_batch_is_processed_in_order(stream: Stream) -> None:
    service = RecordingService()
    signals = [signal(seed) for seed in range(1, 5)]

    handle([stream.inserted(s) for s in signals], service)

    assert [s.id for s in service.processed] == [s.id for s in signals]


def test_modified_signal_is_ignored(stream: Stream) -> None:
    service = RecordingService()
    active = signal()
    archived = replace(active, archived_on=date(2027, 1, 1))

    response = handle(
        [stream.record("MODIFY", signal_to_item(archived), signal_to_item(active))],
        service,
    )

    assert response == {"batchItemFailures": []}
    assert service.processed == []


def test_a_signal_a_recheck_verified_is_matched_again_and_no_other_change_of_it(stream: Stream) -> None:
    service = RecordingService()
    pending = signal(verification=Verification.PENDING)
    verified = replace(pending, verification=Verification.VERIFIED, rechecked_at=START + timedelta(minutes=15))
    mismatched = replace(pending, verification=Verification.MISMATCHED)
    archived = replace(verified, archived_on=date(2027, 1, 1))
    response = handle(
        [
            stream.record("MODIFY", signal_to_item(verified), signal_to_item(pending)),
            stream.record("MODIFY", signal_to_item(mismatched), signal_to_item(pending)),
            stream.record("MODIFY", signal_to_item(archived), signal_to_item(verified)),
        ],
        service,
    )
    assert response == {"batchItemFailures": []}
    assert service.processed == [verified]
    assert service.processed[0].rechecked_at == verified.rechecked_at


def test_removed_signal_is_ignored(stream: Stream) -> None:
    service = RecordingService()

    handle([stream.record("REMOVE", old_image=signal_to_item(signal()))], service)

    assert service.processed == []


def test_the_match_functions_own_items_are_ignored(stream: Stream) -> None:
    service = RecordingService()
    earlier = signal(org=builders.organisation())
    new = signal(org=BUURTTEAM, created_at=START + timedelta(hours=1))
    found = find_matches(new, [earlier], [], False, date(2026, 11, 28))
    match_items = [match_to_item(record) for record in both_sides(new, found)]
    [own, *_] = plan(new, found, None)
    notification_item = keys.notification_key(own.filed_under_child_pseudonym, own.filed_under_signal_id, own.key) | {
        "item_type": "notification",
        "new_signal_id": new.id,
        "recipient_key": own.key,
        "status": "sending",
        "lease_until": int(START.timestamp()) + 300,
    }
    guard_item = guard_to_item(new)
    assert {item["item_type"] for item in [*match_items, notification_item, guard_item]} == {
        "match",
        "notification",
        "active_guard",
    }

    response = handle(
        [stream.record("INSERT", item) for item in [*match_items, notification_item, guard_item]], service
    )

    assert response == {"batchItemFailures": []}
    assert service.processed == []


def test_only_the_inserted_signals_of_a_mixed_batch_are_processed(stream: Stream) -> None:
    service = RecordingService()
    first, second = signal(1), signal(2)
    records = [
        stream.record("INSERT", guard_to_item(first)),
        stream.inserted(first),
        stream.record("MODIFY", signal_to_item(replace(first, archived_on=date(2027, 1, 1)))),
        stream.record("REMOVE", old_image=signal_to_item(second)),
        stream.inserted(second),
    ]

    handle(records, service)

    assert [s.id for s in service.processed] == [first.id, second.id]


def test_a_failing_record_is_reported_alone(stream: Stream) -> None:
    signals = [signal(seed) for seed in range(1, 4)]
    service = RecordingService(failing={signals[1].id})
    records = [stream.inserted(s) for s in signals]

    response = handle(records, service)

    assert response == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    assert [s.id for s in service.processed] == [signals[0].id, signals[2].id]


def test_every_failing_record_is_reported_with_its_own_sequence_number(stream: Stream) -> None:
    signals = [signal(seed) for seed in range(1, 5)]
    service = RecordingService(failing={signals[0].id, signals[2].id})
    records = [stream.inserted(s) for s in signals]

    response = handle(records, service)

    reported = [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    assert reported == [records[0]["dynamodb"]["SequenceNumber"], records[2]["dynamodb"]["SequenceNumber"]]
    assert [s.id for s in service.processed] == [signals[1].id, signals[3].id]
