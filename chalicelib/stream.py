"""The match function's entry: a DynamoDB stream batch in, ``batchItemFailures`` out.

Only inserted signals are processed, and a signal a recheck verified (``pending`` in the old image,
``verified`` in the new: its parents and registered address are known only now); other updates,
deletions (by the API, the lifecycle job or TTL) and the match function's own items pass untouched.
A record that fails is reported on its own, so Lambda retries from it while the rest of the batch
counts as done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb.items import item_to_signal
from chalicelib.adapters.dynamodb.keys import SIGNAL
from chalicelib.adapters.dynamodb.table import from_stream_image
from chalicelib.domain.model import Verification
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

    from chalicelib.services.matching import MatchService


def starts_matching(record: DynamoDBRecord) -> bool:
    """A new signal, or one a recheck just verified (the template's filter lets only these through)."""
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName

    if record.dynamodb is None:
        return False
    image = record.dynamodb.new_image
    if not image or image.get("item_type") != SIGNAL:
        return False
    if record.event_name is DynamoDBRecordEventName.INSERT:
        return True
    old = record.dynamodb.old_image or {}
    return (
        record.event_name is DynamoDBRecordEventName.MODIFY
        and old.get("verification") == Verification.PENDING.value
        and image.get("verification") == Verification.VERIFIED.value
    )


def handle_record(record: DynamoDBRecord, service: MatchService) -> None:
    if not starts_matching(record):
        return
    assert record.dynamodb is not None
    signal = item_to_signal(from_stream_image(record.dynamodb.new_image))
    outcome = service.process(signal)
    logger.info(
        "signal matched",
        extra={
            "signal_id": signal.id,
            "matches": outcome.matches,
            "mails_sent": outcome.sent,
            "mails_already_sent": outcome.already_sent,
            "skipped": outcome.skipped,
        },
    )
    if outcome.sent:
        count("MatchMailsSent", outcome.sent)


def handle_batch(event: dict[str, Any], service: MatchService) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event,
        record_handler=lambda record: handle_record(record, service),
        processor=processor,
    )
    return response
