"""The match function's event-source filter: written once in the template, honoured locally."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.dynamodb import keys
from local.stream_filter import match_function_filters, passes
from tests.unit.test_stream_poller import ARN, FakeStreams, Function, raw_record


def record(
    sk: str, event_name: str = "INSERT", pk: str = "CHILD#abc", old: str | None = None, new: str | None = None
) -> dict[str, Any]:
    """A stream record; ``old`` and ``new``: the signal's ``verification`` in each image."""
    raw = raw_record(1, event_name)
    raw["dynamodb"]["Keys"] = {"pk": {"S": pk}, "sk": {"S": sk}}
    for image, verification in (("OldImage", old), ("NewImage", new)):
        if verification is not None:
            raw["dynamodb"][image] = {"sk": {"S": sk}, "verification": {"S": verification}}
    return raw


def test_the_template_lets_inserted_signals_and_rechecked_ones_through() -> None:
    inserted, rechecked = match_function_filters()
    signal_key = {"Keys": {"sk": {"S": [{"prefix": keys.SIGNAL_PREFIX}]}}}
    assert inserted == {"eventName": ["INSERT"], "dynamodb": signal_key}
    assert rechecked == {
        "eventName": ["MODIFY"],
        "dynamodb": {
            **signal_key,
            "OldImage": {"verification": {"S": ["pending"]}},
            "NewImage": {"verification": {"S": ["verified"]}},
        },
    }


@pytest.mark.parametrize(
    ("old", "new", "invoked"),
    [
        ("pending", "verified", True),  # a recheck verified it: matched again
        ("pending", "mismatched", False),
        ("verified", "verified", False),  # a later change of a verified signal
        (None, None, False),  # without the register
        ("pending", "pending", False),
    ],
)
def test_only_the_recheck_that_verifies_a_signal_passes_among_its_changes(
    old: str | None, new: str | None, invoked: bool
) -> None:
    sk = keys.signal_key("abc", "sg_1")["sk"]
    assert passes(record(sk, "MODIFY", old=old, new=new), match_function_filters()) is invoked


@pytest.mark.parametrize(
    ("sk", "event_name", "invoked"),
    [
        (keys.signal_key("abc", "sg_1")["sk"], "INSERT", True),
        (keys.signal_key("abc", "sg_1")["sk"], "MODIFY", False),  # archive, hand-over, correction
        (keys.signal_key("abc", "sg_1")["sk"], "REMOVE", False),  # deletion, by the job or TTL
        (keys.guard_key("abc", "org_1")["sk"], "INSERT", False),
        (keys.match_key("abc", "sg_1", "mt_1")["sk"], "INSERT", False),
        (keys.notification_key("abc", "sg_1", "own")["sk"], "INSERT", False),
    ],
)
def test_only_a_new_signal_invokes_the_match_function(sk: str, event_name: str, invoked: bool) -> None:
    assert passes(record(sk, event_name), match_function_filters()) is invoked


def test_the_regievoerders_record_does_not_invoke_it() -> None:
    municipal = keys.municipal_match_key("0344", "mt_1")
    assert not passes(record(municipal["sk"], pk=municipal["pk"]), match_function_filters())


def test_no_filter_lets_everything_through_and_an_unknown_rule_is_refused() -> None:
    assert passes(record("MATCH#x"), [])
    with pytest.raises(ValueError, match="not emulated"):
        passes(record("SIGNAL#x"), [{"eventName": [{"anything-but": ["REMOVE"]}]}])
    assert passes(record("SIGNAL#x"), [{"dynamodb": {"Keys": {"gone": [{"exists": False}], "pk": [{"exists": True}]}}}])


def test_the_poller_invokes_the_function_only_for_records_that_pass_and_counts_the_rest_done() -> None:
    shard = [record(f"SIGNAL#{n}") if n % 2 else record(f"MATCH#{n}") for n in range(6)]
    for n, raw in enumerate(shard):
        raw["eventID"] = f"event-{n}"
        raw["dynamodb"]["SequenceNumber"] = f"{n:021d}"
    streams = FakeStreams({"shardId-0001": shard})
    function = Function()
    from local.streams import StreamPoller

    poller = StreamPoller(streams, ARN, function, filters=match_function_filters())
    assert poller.drain() == 3
    assert function.delivered() == [[1, 3, 5]]
    assert poller.poll() == 0 and poller.invocations == 1
