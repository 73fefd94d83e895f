"""How every DynamoDB adapter reads and writes a table: items in plain Python (no ``Decimal``, no
attribute-value maps), one paginator, and one translation of a refused write into a domain error.

A write (alone or in a transaction) whose condition fails raises what that write names for it
(``Write.refused``, given the item the condition saw), else ``Conflict``; a write refused because
another transaction held one of its items raises ``Busy``, a ``Conflict`` that the same write may
simply be made again after (:func:`again_when_busy`). Anything else is an outage and propagates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Conflict
from chalicelib.ports import WRITE_ATTEMPTS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]
BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100
BUSY = "a concurrent request changed the same items; retry"
_Written = TypeVar("_Written")


class Busy(Conflict):
    """Another transaction held one of the items; nothing was written."""


@dataclass(frozen=True)
class Write:
    """One write, as DynamoDB takes it in a transaction, and what it means when its condition fails."""

    action: TransactWriteItemTypeDef
    refused: Callable[[Item | None], Exception] | None = None


def serialise(item: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {key: serializer.serialize(_to_dynamo(value)) for key, value in item.items()}


def deserialise(item: Mapping[str, Any]) -> Item:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: _from_dynamo(deserializer.deserialize(value)) for key, value in item.items()}


def from_stream_image(image: Mapping[str, Any]) -> Item:
    """A stream image as powertools decodes it (numbers as ``Decimal``) in the plain form."""
    return {key: _from_dynamo(value) for key, value in image.items()}


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def again_when_busy(write: Callable[[], _Written]) -> _Written:
    """``write``, made again when another transaction held its item (botocore does not retry that):
    for writes that must not be dropped and that write the same whatever happened meanwhile."""
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return write()
        except Busy:
            continue
    return write()


class Table:
    """One table of one client."""

    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, key: Mapping[str, Any]) -> Item | None:
        """The item, read strongly consistently."""
        raw = self.client.get_item(TableName=self.name, Key=serialise(key), ConsistentRead=True).get("Item")
        return deserialise(raw) if raw else None

    def query(self, condition: str, values: Item, **request: Any) -> Iterator[Item]:
        """Every item of a Query, its pages fetched as they are consumed (the caller may stop early)."""
        request |= {"KeyConditionExpression": condition, "ExpressionAttributeValues": serialise(values)}
        return self._paginate(self.client.query, request)

    def page(self, condition: str, values: Item, start: Item | None, **request: Any) -> tuple[list[Item], Item | None]:
        """One page of a Query from after ``start``, and the key the next page starts after (``None``: the last)."""
        request |= {"KeyConditionExpression": condition, "ExpressionAttributeValues": serialise(values)}
        if start is not None:
            request["ExclusiveStartKey"] = serialise(start)
        response = self.client.query(TableName=self.name, **request)
        last = response.get("LastEvaluatedKey")
        return [deserialise(raw) for raw in response["Items"]], deserialise(last) if last else None

    def scan(self, condition: str, values: Item, **request: Any) -> Iterator[Item]:
        """Every item that passes ``condition``, read from the whole table: for small tables only."""
        request |= {"FilterExpression": condition, "ExpressionAttributeValues": serialise(values)}
        return self._paginate(self.client.scan, request)

    def _paginate(self, call: Callable[..., Any], request: dict[str, Any]) -> Iterator[Item]:
        request = {"TableName": self.name, **request}
        while True:
            response = call(**request)
            yield from (deserialise(raw) for raw in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}

    def fetch(self, found: Iterable[Mapping[str, Any]]) -> list[Item]:
        """The items of a keys-only index read, whole and in its order: BatchGetItem, 100 keys to a
        request, eventually consistent as the index is. An item deleted meanwhile is left out."""
        wanted = [{"pk": item["pk"], "sk": item["sk"]} for item in found]
        items: dict[tuple[str, str], Item] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            pending: Any = {self.name: {"Keys": [serialise(key) for key in wanted[start : start + BATCH_GET_LIMIT]]}}
            for attempt in range(8):
                response = self.client.batch_get_item(RequestItems=pending)
                for raw in response["Responses"].get(self.name, []):
                    item = deserialise(raw)
                    items[(item["pk"], item["sk"])] = item
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise Conflict("DynamoDB left keys unprocessed; retry")
        return [items[key] for key in ((k["pk"], k["sk"]) for k in wanted) if key in items]

    # Writes, as one action of a transaction or alone ----------------------------------------------

    def put(
        self,
        item: Item,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
        refused: Callable[[Item | None], Exception] | None = None,
    ) -> Write:
        return Write({"Put": self._request(condition, values, names, refused, Item=serialise(item))}, refused)

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
        refused: Callable[[Item | None], Exception] | None = None,
    ) -> Write:
        request = self._request(condition, values, names, refused, Key=serialise(key), UpdateExpression=expression)
        return Write({"Update": request}, refused)

    def delete(
        self,
        key: Mapping[str, Any],
        condition: str | None = None,
        values: Item | None = None,
        refused: Callable[[Item | None], Exception] | None = None,
    ) -> Write:
        return Write({"Delete": self._request(condition, values, None, refused, Key=serialise(key))}, refused)

    def _request(
        self,
        condition: str | None,
        values: Item | None,
        names: dict[str, str] | None,
        refused: Callable[[Item | None], Exception] | None,
        **fields: Any,
    ) -> Any:
        request: dict[str, Any] = {"TableName": self.name, **fields}
        if condition is not None:
            request["ConditionExpression"] = condition
        if values:
            request["ExpressionAttributeValues"] = serialise(values)
        if names:
            request["ExpressionAttributeNames"] = names
        if refused is not None:
            # What the condition saw, for the refusal to tell its cases apart.
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return request

    def write(self, write: Write) -> None:
        """One write on its own (``Put``, ``Update`` or ``Delete``)."""
        kind, request = next(iter(write.action.items()))
        calls: dict[str, Callable[..., Any]] = {
            "Put": self.client.put_item,
            "Update": self.client.update_item,
            "Delete": self.client.delete_item,
        }
        fields: Any = request
        try:
            calls[kind](**fields)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "ConditionalCheckFailedException":
                old: Any = exc.response.get("Item")
                raise _refusal(write, deserialise(old) if old else None) from exc
            if code == "TransactionConflictException":
                raise Busy("another request was writing the same item; retry") from exc
            raise

    def transact(self, writes: Sequence[Write], busy: str = BUSY) -> None:
        """All of ``writes`` or none: the error of the first one refused, in the order given."""
        try:
            self.client.transact_write_items(TransactItems=[write.action for write in writes])
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            for write, reason in zip(writes, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    old: Any = reason.get("Item")
                    raise _refusal(write, deserialise(old) if old else None, busy) from exc
            if any(reason.get("Code") == "TransactionConflict" for reason in reasons):
                raise Busy(busy) from exc
            raise
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionConflictException":
                raise Busy(busy) from exc
            raise

    def batch_write(self, requests: list[Any]) -> None:
        """Puts and deletes, 25 to a request, each batch repeated until DynamoDB processed all of it."""
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            pending: dict[str, Any] = {self.name: requests[start : start + BATCH_WRITE_LIMIT]}
            for attempt in range(8):
                response = self.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise Conflict("DynamoDB left items unprocessed; retry")

    def put_request(self, item: Item) -> dict[str, Any]:
        return {"PutRequest": {"Item": serialise(item)}}

    def delete_request(self, key: Mapping[str, Any]) -> dict[str, Any]:
        return {"DeleteRequest": {"Key": serialise(key)}}


def _refusal(write: Write, old: Item | None, conflict: str = "the item was changed meanwhile; retry") -> Exception:
    """The one place a failed condition becomes an error."""
    return write.refused(old) if write.refused is not None else Conflict(conflict)
