"""Signals posted over HTTP, the real moto stream into the match function, mails in moto's SES."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.adapters.ses import SesMailer
from chalicelib.ports import EmailMessage
from chalicelib.services import admin
from chalicelib.services.matching import MatchService
from tests import builders

JANSEN = "p.jansen@ggd.example.nl"
BAKKER = "k.bakker@buurtteam.example.nl"
REGIE = "regie@utrecht.example.nl"


def bakker(**overrides: Any) -> dict[str, Any]:
    return (
        builders.professional(name="K. Bakker", function="Buurtwerker", email=BAKKER, phone="020 555 0101") | overrides
    )


def sibling(**overrides: Any) -> dict[str, Any]:
    """Another child at the default child's address."""
    return builders.child(bsn=builders.bsn(2), given_names="Daan", birth_date="2016-02-10", gender="M") | overrides


CHILDREN = [builders.child(), sibling()]


def assert_no_child_data(mail: dict[str, Any], children: list[dict[str, Any]] = CHILDREN) -> None:
    content = mail["raw"] + mail["text"] + mail["html"] + mail["subject"]
    for child in children:
        address = child["address"]
        forbidden = [
            child["bsn"],
            child["given_names"],
            child["family_name"],
            child["birth_date"],
            "-".join(reversed(child["birth_date"].split("-"))),
            address["postcode"],
            address["postcode"].replace(" ", ""),
            address["street"],
        ]
        for value in forbidden:
            assert value not in content, f"child data {value!r} in a mail to {mail['to']}"


@pytest.fixture
def regievoerder(container) -> None:
    admin.create_municipality(container.registry, "0344", "Utrecht", "utrecht", REGIE, container.clock.now())


def by_recipient(mails: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for mail in mails:
        grouped.setdefault(mail["to"], []).append(mail)
    return grouped


def later(clock, minutes: int = 1) -> None:
    clock.set(clock.now() + timedelta(minutes=minutes))


def test_child_match_across_regions_mails_each_professional_once_without_child_data(
    api, org, other_org, stream, outbox, clock
):
    first = api.create_signal(org.token)
    later(clock)
    second = api.create_signal(other_org.token, builders.signal_body(professional=bakker(), case_reference="BT-7"))
    stream.drain()

    mails = by_recipient(outbox())
    assert sorted(mails) == [BAKKER, JANSEN]
    assert all(len(sent) == 1 for sent in mails.values())
    to_new = mails[BAKKER][0]
    assert second["id"] in to_new["text"] and "BT-7" in to_new["text"]
    assert "GGD Regio Utrecht" in to_new["text"] and JANSEN in to_new["text"] and "030 123 4567" in to_new["text"]
    assert "zelfde kind" in to_new["text"] and "actief" in to_new["text"] and "Jeugdgezondheidszorg" in to_new["html"]
    to_first = mails[JANSEN][0]
    assert first["id"] in to_first["text"] and "JGZ-2026-0042" in to_first["text"]
    assert "Buurtteam Oost" in to_first["text"] and BAKKER in to_first["text"] and "amsterdam" in to_first["text"]
    for sent in outbox():
        assert sent["text"] and sent["html"]
        assert_no_child_data(sent)

    matches_first = api.get_signal(org.token, first["id"]).ok()["matches"]
    matches_second = api.get_signal(other_org.token, second["id"]).ok()["matches"]
    assert [(m["kind"], m["status"], m["organisation"]["name"]) for m in matches_first] == [
        ("child", "active", "Buurtteam Oost")
    ]
    assert [(m["kind"], m["organisation"]["region"]) for m in matches_second] == [("child", "utrecht")]
    assert matches_second[0]["professional"]["email"] == JANSEN
    assert matches_second[0]["signal_created_at"] == first["created_at"]


def test_address_match_for_another_child_at_the_same_address(api, org, other_org, stream, outbox, clock):
    first = api.create_signal(org.token)
    later(clock)
    second = api.create_signal(other_org.token, builders.signal_body(child=sibling(), professional=bakker()))
    stream.drain()

    mails = by_recipient(outbox())
    assert sorted(mails) == [BAKKER, JANSEN]
    assert "zelfde adres" in mails[BAKKER][0]["text"]
    for sent in outbox():
        assert_no_child_data(sent)
    assert [m["kind"] for m in api.get_signal(org.token, first["id"]).ok()["matches"]] == ["address"]
    assert [m["kind"] for m in api.get_signal(other_org.token, second["id"]).ok()["matches"]] == ["address"]


def test_same_organisation_never_matches(api, org, stream, outbox, clock):
    api.create_signal(org.token)
    later(clock)
    api.create_signal(org.token, builders.signal_body(child=sibling()))
    stream.drain()
    assert outbox() == []


def test_no_match_no_mail(api, org, other_org, stream, outbox, clock):
    api.create_signal(org.token)
    later(clock)
    elsewhere = builders.address(postcode="1012 AB", house_number=1, house_letter=None, house_number_suffix=None)
    api.create_signal(other_org.token, builders.signal_body(child=sibling(address=elsewhere)))
    stream.drain()
    assert outbox() == []


def test_excluded_address_never_gives_an_address_match(api, org, other_org, stream, outbox, clock, container):
    admin.add_excluded_address(
        container.registry, container.pseudonymiser(), "3511AB", 12, "A", "BIS", container.clock.now()
    )
    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(child=sibling(), professional=bakker()))
    stream.drain()
    assert outbox() == []


def test_excluded_address_still_gives_child_matches(api, org, other_org, stream, outbox, clock, container):
    admin.add_excluded_address(container.registry, container.pseudonymiser(), "3511AB", 12, "a", "bis", clock.now())
    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()
    assert sorted(by_recipient(outbox())) == [BAKKER, JANSEN]


def test_archived_signal_owner_gets_no_mail_but_is_listed_to_the_new_party(api, org, other_org, stream, outbox, clock):
    first = api.create_signal(org.token)
    api.close(org.token, first["id"], {"reason": "risk_resolved"}).ok()
    stream.drain()
    later(clock)
    second = api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()

    mails = by_recipient(outbox())
    assert list(mails) == [BAKKER]
    assert "gearchiveerd" in mails[BAKKER][0]["text"]
    assert [m["status"] for m in api.get_signal(other_org.token, second["id"]).ok()["matches"]] == ["archived"]


def test_regievoerder_gets_one_notice_naming_organisations_and_match(
    api, org, other_org, stream, outbox, clock, regievoerder
):
    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()

    mails = by_recipient(outbox())
    assert sorted(mails) == [BAKKER, JANSEN, REGIE]
    notice = mails[REGIE][0]
    assert "GGD Regio Utrecht" in notice["text"] and "Buurtteam Oost" in notice["text"]
    assert "mt_" in notice["text"] and "0344" in notice["text"]
    assert JANSEN not in notice["text"] and BAKKER not in notice["text"]
    assert_no_child_data(notice)


def test_three_parties_each_get_the_right_mails(api, org, other_org, stream, outbox, clock, container):
    third_org, third_token = admin.create_organisation(
        container.registry, "Basisschool De Linde", "onderwijs", "utrecht", clock.now()
    )
    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()
    before = len(outbox())
    later(clock)
    teacher = builders.professional(name="M. de Wit", function="Intern begeleider", email="m.dewit@linde.example.nl")
    api.create_signal(third_token.token, builders.signal_body(child=sibling(), professional=teacher))
    stream.drain()

    mails = by_recipient(outbox()[before:])
    assert sorted(mails) == sorted([BAKKER, JANSEN, "m.dewit@linde.example.nl"])
    assert all(len(sent) == 1 for sent in mails.values())
    overview = mails["m.dewit@linde.example.nl"][0]["text"]
    assert overview.count("Soort match: zelfde adres") == 2
    for professional in (JANSEN, BAKKER):
        about_new = mails[professional][0]["text"]
        assert third_org.name in about_new and "zelfde adres" in about_new and "m.dewit@linde.example.nl" in about_new


def test_redelivery_of_the_same_records_sends_nothing_new(api, org, other_org, stream, outbox, clock, table_names):
    from local.streams import StreamPoller

    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()
    sent = len(outbox())
    assert sent == 2

    replay = StreamPoller(
        boto3.client("dynamodbstreams"),
        boto3.client("dynamodb").describe_table(TableName=table_names.signals)["Table"]["LatestStreamArn"],
        lambda event: api.client.lambda_.invoke("match_signals", event).payload,
    )
    assert replay.drain() > 0
    assert len(outbox()) == sent


class FailingFor:
    """A mailer that refuses mail to one address a number of times, then delivers through SES."""

    def __init__(self, inner: SesMailer, address: str, failures: int) -> None:
        self.inner = inner
        self.address = address
        self.failures = failures

    def send(self, message: EmailMessage) -> str:
        if message.to == self.address and self.failures > 0:
            self.failures -= 1
            raise RuntimeError("SES throttled")
        return self.inner.send(message)


def test_ses_failure_reports_exactly_that_record_and_its_retry_sends_the_missing_mail_once(
    api, org, other_org, stream, outbox, clock, container, table_names
):
    from local.streams import lambda_record

    api.create_signal(org.token)
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    later(clock)
    third = builders.signal_body(child=builders.child(bsn=builders.bsn(7), address=builders.address(postcode="9711AA")))
    api.create_signal(other_org.token, third)

    failing = FailingFor(SesMailer(container.sesv2, container.settings.mail_sender, None), JANSEN, failures=1)
    container.matching = MatchService(
        store=container.match_store,
        registry=container.registry,
        ledger=container.notification_ledger,
        mailer=failing,
        audit=container.audit,
    )
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=table_names.signals)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = [
        lambda_record(r, arn, "eu-west-1")
        for r in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    ]
    signal_records = [r for r in records if r["dynamodb"]["NewImage"].get("item_type", {}).get("S") == "signal"]
    assert len(signal_records) == 3

    response = api.client.lambda_.invoke("match_signals", {"Records": records}).payload
    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    assert failed == [signal_records[1]["dynamodb"]["SequenceNumber"]]
    assert by_recipient(outbox()).keys() == {BAKKER}

    retry = api.client.lambda_.invoke("match_signals", {"Records": records[records.index(signal_records[1]) :]}).payload
    assert retry["batchItemFailures"] == []
    mails = by_recipient(outbox())
    assert {address: len(sent) for address, sent in mails.items()} == {BAKKER: 1, JANSEN: 1}


def test_the_other_side_sees_a_hand_over_and_an_early_close_of_a_matched_signal(api, org, other_org, stream, clock):
    first = api.create_signal(org.token)
    later(clock)
    second = api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()

    successor = builders.professional(name="A. Smit", email="a.smit@ggd.example.nl")
    api.hand_over(org.token, first["id"], successor).ok()
    [match] = api.get_signal(other_org.token, second["id"]).ok()["matches"]
    assert match["professional"]["email"] == "a.smit@ggd.example.nl" and match["status"] == "active"

    api.close(org.token, first["id"], {"reason": "risk_resolved"}).ok()
    [match] = api.get_signal(other_org.token, second["id"]).ok()["matches"]
    assert match["status"] == "archived"


def test_matching_goes_on_after_a_refused_post(api, org, other_org, stream, outbox, clock):
    # On moto a failed transaction puts back a copy of the table and its stream; the poller must
    # keep delivering what is written after it, as Lambda does on AWS.
    api.create_signal(org.token)
    stream.drain()
    api.post_signal(org.token, builders.signal_body()).problem(409)
    api.post_signal(org.token, builders.signal_body(), idempotency_key="k-1").problem(409)
    stream.drain()
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()
    assert sorted(by_recipient(outbox())) == [BAKKER, JANSEN]


def test_the_list_of_an_organisations_signals_carries_their_matches(api, org, other_org, stream, clock):
    first = api.create_signal(org.token)
    later(clock)
    unmatched = api.create_signal(
        org.token,
        builders.signal_body(child=builders.child(bsn=builders.bsn(9), address=builders.address(postcode="9711AA"))),
    )
    later(clock)
    api.create_signal(other_org.token, builders.signal_body(professional=bakker()))
    stream.drain()

    pages, cursor = [], None
    while True:
        page = api.list_signals(org.token, "limit=1" + (f"&cursor={cursor}" if cursor else "")).ok()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [[item["id"] for item in items] for items in pages] == [[unmatched["id"]], [first["id"]]]
    assert pages[0][0]["matches"] == []
    assert [m["organisation"]["name"] for m in pages[1][0]["matches"]] == ["Buurtteam Oost"]
    archived_view = api.list_signals(org.token, "status=archived").ok()["items"]
    assert archived_view == []
