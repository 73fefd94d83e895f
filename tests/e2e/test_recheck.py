"""A signal accepted while the register was down, checked again from the recheck queue: the POST
through the API with the local stand-in failing, the message on SQS (moto), the register back, the
consumer drains the queue and the signal is verified and followed, and the real moto stream then
matches it on its parents and registered address, each mail once; a mismatch mails its professional
once; no BSN in a mail or a log line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib import bootstrap, bootstrap_recheck
from chalicelib.domain.model import Verification
from chalicelib.domain.population import RegisterUnavailable
from chalicelib.recheck_work import handle_rechecks
from chalicelib.settings import Settings
from local.brp_stand_in import BrpStandIn
from tests import builders
from tests.e2e.test_population_register import BAKKER, JANSEN, PREFIX, alexander, zoey
from tests.fake_population import ALEXANDER, GERRIT, WILMA, ZOEY

QUEUE = "verwijsindex-test-recheck"


@pytest.fixture
def stand_in() -> Iterator[BrpStandIn]:
    server = BrpStandIn(port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, stand_in: BrpStandIn) -> Settings:
    """The register on (its endpoint in SSM, as deployed) and a recheck queue without the wait."""
    stand_in.provision(boto3.client("ssm"), PREFIX)
    boto3.client("sqs").create_queue(QueueName=QUEUE)
    return replace(settings, brp="on", brp_parameters=PREFIX, brp_follow="update-api", recheck_queue=QUEUE)


def drain(container: bootstrap.Container) -> list[dict[str, int]]:
    """What the consumer function does with each delivery; a failure leaves the message queued."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    results = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0).get("Messages"):
        [message] = messages
        results.append(handle_rechecks([message["Body"]], bootstrap_recheck.recheck_service(container)))
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return results


def verification(container: bootstrap.Container, signal_id: str) -> Verification:
    read = container.signal_store.get(signal_id)
    assert read is not None
    return read.signal.verification


def test_a_signal_accepted_while_the_register_was_down_is_verified_when_it_is_back(
    api: Any, org: Any, container: bootstrap.Container, stand_in: BrpStandIn, outbox: Any, capsys: Any
) -> None:
    stand_in.fail_next(503, count=2)  # the POST's call and its one retry
    signal = api.create_signal(org.token, builders.signal_body(child=zoey()))
    assert verification(container, signal["id"]) is Verification.PENDING
    assert stand_in.followed == {}

    assert drain(container) == [{"verified": 1}]
    assert verification(container, signal["id"]) is Verification.VERIFIED
    assert list(stand_in.followed) == [ZOEY]  # subscribed, as a verified POST is
    assert outbox() == []
    assert drain(container) == []
    assert ZOEY not in capsys.readouterr().out


def test_the_register_still_down_leaves_the_message_for_later_and_a_mismatch_mails_once(
    api: Any, org: Any, container: bootstrap.Container, stand_in: BrpStandIn, outbox: Any, capsys: Any
) -> None:
    stand_in.fail_next(503, count=2)
    signal = api.create_signal(org.token, builders.signal_body(child=zoey(family_name="Jansen")))
    stand_in.fail_next(503, count=3)  # the consumer's call and its two retries
    with pytest.raises(RegisterUnavailable):
        drain(container)
    assert verification(container, signal["id"]) is Verification.PENDING

    assert drain(container) == [{"mismatched": 1}]
    assert verification(container, signal["id"]) is Verification.MISMATCHED
    assert stand_in.followed == {}
    [mail] = outbox()
    assert mail["to"] == JANSEN and signal["id"] in mail["text"] and "de achternaam" in mail["text"]
    content = mail["raw"] + mail["text"] + mail["html"]
    assert ZOEY not in content and "Braber" not in content
    assert ZOEY not in capsys.readouterr().out


def test_a_signal_verified_by_its_recheck_gets_its_family_match_and_the_mails_once(
    api: Any,
    org: Any,
    other_org: Any,
    container: bootstrap.Container,
    stand_in: BrpStandIn,
    stream: Any,
    outbox: Any,
    clock: Any,
    capsys: Any,
) -> None:
    body = builders.signal_body(
        child=alexander(), professional=builders.professional(name="K. Bakker", email=BAKKER), case_reference="BT-7"
    )
    brother = api.create_signal(other_org.token, body)
    clock.set(clock.now() + timedelta(minutes=1))
    stand_in.fail_next(503, count=2)
    # Typed with the address the professional had: the register knows where she lives now.
    old_address = builders.address()
    signal = api.create_signal(org.token, builders.signal_body(child=zoey(address=old_address)))
    stream.drain()
    assert outbox() == []  # pending: no parents, and another address than her brother's

    clock.set(clock.now() + timedelta(minutes=15))
    assert drain(container) == [{"verified": 1}]
    assert stream.drain() == 1  # the verifying write: pending in its old image, verified in its new
    mails = {mail["to"]: mail for mail in outbox()}
    assert sorted(mails) == sorted([JANSEN, BAKKER])
    assert signal["id"] in mails[JANSEN]["text"] and "zelfde gezin (ouder)" in mails[JANSEN]["text"]
    assert "BT-7" in mails[BAKKER]["text"] and "zelfde gezin (ouder)" in mails[BAKKER]["html"]
    for mail in mails.values():
        content = mail["raw"] + mail["text"] + mail["html"]
        for secret in (ZOEY, ALEXANDER, WILMA, GERRIT, "Braber", "1014"):
            assert secret not in content, secret
    [match] = api.get_signal(org.token, signal["id"]).ok()["matches"]
    assert match["kind"] == "parent"
    [theirs] = api.get_signal(other_org.token, brother["id"]).ok()["matches"]
    assert theirs["id"] == match["id"]

    # Nothing more: the queue is empty, and what the match function wrote invokes nothing.
    assert drain(container) == []
    assert stream.drain() == 0  # the match records and mails it wrote invoke nothing
    assert len(outbox()) == 2
    assert ZOEY not in capsys.readouterr().out


def test_a_subscription_the_update_api_refused_at_the_post_is_retried_from_the_queue(
    api: Any, org: Any, container: bootstrap.Container, stand_in: BrpStandIn, capsys: Any
) -> None:
    stand_in.fail_next_updates(503, count=2)  # the PUT and its one retry; /personen answers
    signal = api.create_signal(org.token, builders.signal_body(child=zoey()))
    assert verification(container, signal["id"]) is Verification.VERIFIED
    assert stand_in.followed == {}

    stand_in.fail_next_updates(503, count=2)  # still down when the message comes
    with pytest.raises(RegisterUnavailable):
        drain(container)
    assert stand_in.followed == {}
    assert drain(container) == [{"followed": 1}]
    assert list(stand_in.followed) == [ZOEY]
    assert stand_in.personen_requests == 1  # the register is not asked again
    assert drain(container) == []
    assert ZOEY not in capsys.readouterr().out
