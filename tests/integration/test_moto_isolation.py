"""``local.moto_isolation``: moto with one DynamoDB request at a time still rolls a failed
transaction back completely, items and stream alike, and keeps what succeeded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local.moto_isolation import one_dynamodb_request_at_a_time

TABLE = "isolation"
THREADS = 8


@pytest.fixture
def dynamodb(aws: None) -> Iterator[Any]:
    import boto3

    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    with one_dynamodb_request_at_a_time():
        yield client


def key(pk: str, sk: str = "X") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def put(pk: str, value: str, condition: str = "attribute_not_exists(pk)") -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": key(pk) | {"v": {"S": value}}, "ConditionExpression": condition}}


def check(pk: str, expected: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": key(pk),
            "ConditionExpression": "v = :expected",
            "ExpressionAttributeValues": {":expected": {"S": expected}},
        }
    }


def items(client: Any) -> dict[str, str]:
    found = client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {item["pk"]["S"]: item["v"]["S"] for item in found}


def stream_records(client: Any) -> list[tuple[str, str]]:
    import boto3

    streams = boto3.client("dynamodbstreams")
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]


def test_a_failed_transaction_leaves_no_item_and_no_stream_record(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put("a", "1"), put("b", "1"), put("z", "1")])
    update = {
        "Update": {
            "TableName": TABLE,
            "Key": key("a"),
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": "2"}},
        }
    }
    delete = {"Delete": {"TableName": TABLE, "Key": key("b")}}
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        # The new item, the update and the delete are applied before the last check fails.
        dynamodb.transact_write_items(TransactItems=[put("c", "1"), update, delete, check("z", expected="0")])

    assert items(dynamodb) == {"a": "1", "b": "1", "z": "1"}
    assert stream_records(dynamodb) == [("INSERT", "a"), ("INSERT", "b"), ("INSERT", "z")]

    dynamodb.transact_write_items(TransactItems=[put("c", "1"), update, delete, check("z", expected="1")])
    assert items(dynamodb) == {"a": "2", "c": "1", "z": "1"}
    assert stream_records(dynamodb)[3:] == [("INSERT", "c"), ("MODIFY", "a"), ("REMOVE", "b")]


def test_of_racing_conditional_transactions_exactly_one_wins_and_none_leaves_a_trace(dynamodb: Any) -> None:
    barrier = threading.Barrier(THREADS)
    won: list[int] = []

    def claim(n: int) -> None:
        barrier.wait(30)
        try:
            dynamodb.transact_write_items(TransactItems=[put("guard", str(n)), put(f"signal-{n}", str(n))])
            won.append(n)
        except dynamodb.exceptions.TransactionCanceledException:
            pass

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    [winner] = won
    assert items(dynamodb) == {"guard": str(winner), f"signal-{winner}": str(winner)}
    assert stream_records(dynamodb) == [("INSERT", "guard"), ("INSERT", f"signal-{winner}")]
