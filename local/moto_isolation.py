"""Making moto's DynamoDB isolate requests the way DynamoDB does, for the local stack and the tests.

moto 5.2.5 does not isolate DynamoDB requests that arrive from several threads at once.
``DynamoDBBackend.transact_write_items`` takes a ``copy.deepcopy`` of every table it touches,
applies the actions one by one without a lock, and on a failed condition rolls back by putting the
*copy* back in place. Under concurrent requests that loses writes that were acknowledged (a
rollback restores a copy taken before another request wrote), lets two conditional writes both
pass their check, and crashes the deepcopy (``dictionary changed size during iteration``). A burst
of 20 parallel ``POST /v1/signals`` against the local stack lost 9 of 12 acknowledged signals with
their log lines and stored two active signals for one organisation and child.

DynamoDB itself runs each request, and each transaction as a whole, atomically and isolated. Letting
moto handle one DynamoDB request at a time gives that: the callers still race, to the lock. Stream
reads take the same lock, so they never show records of a transaction that is rolled back.

One request at a time also makes moto's whole-table copy unnecessary, and it is what made requests
slow: it copies every item and every stream record ever written, several times per transaction,
so a transaction cost grew with the table (about 0.2 s per signal created at 400 signals), and a
burst queued behind the lock long enough to exceed the app's 5-second read timeout. Instead, a
transaction here saves the items it names and the length of each stream, and puts those back when
it fails. When a moto upgrade isolates transactions itself, this module can go.
"""

from __future__ import annotations

import copy
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def one_dynamodb_request_at_a_time() -> Iterator[None]:
    """Serialise moto's DynamoDB and DynamoDB Streams request handling in this process until exit.

    It affects moto in-process (``mock_aws``) and a ``ThreadedMotoServer`` running in this process
    alike; it must be entered in the process that runs the emulator.
    """
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    lock = threading.Lock()
    undo = [_wrap(handler, "call_action", _holding(lock)) for handler in (DynamoHandler, DynamoDBStreamsHandler)]
    undo.append(_wrap(DynamoDBBackend, "transact_write_items", _undone_on_failure))
    # moto's own rollback then puts back the very table it has, which the undo above has repaired.
    previous_copy = models.copy  # type: ignore[attr-defined]

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        models.copy = previous_copy  # type: ignore[attr-defined]
        for restore in reversed(undo):
            restore()


def _holding(lock: threading.Lock) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(handle: Callable[..., Any]) -> Callable[..., Any]:
        def call_action(self: Any) -> Any:
            with lock:
                return handle(self)

        return call_action

    return wrap


def _undone_on_failure(transact: Callable[..., Any]) -> Callable[..., Any]:
    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> Any:
        saved = _save(backend, transact_items)
        try:
            return transact(backend, transact_items)
        except BaseException:
            _put_back(*saved)
            raise

    return transact_write_items


Saved = tuple[list[tuple[Any, Any, Any, Any]], dict[Any, int]]


def _save(backend: Any, transact_items: list[dict[str, Any]]) -> Saved:
    """A copy of each item a transaction names (``None`` when absent) and each stream's length."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    items: list[tuple[Any, Any, Any, Any]] = []
    streams: dict[Any, int] = {}
    for action in transact_items:
        kind, operation = next(iter(action.items()))
        table = backend.tables.get(operation.get("TableName"))
        key = operation.get("Item" if kind == "Put" else "Key") or {}
        if table is None or table.hash_key_attr not in key:
            continue  # moto refuses the action before it writes anything
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in key:
                continue
            range_value = DynamoType(key[table.range_key_attr])
        items.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        if table.stream_shard is not None:
            streams.setdefault(table, len(table.stream_shard.items))
    return items, streams


def _put_back(items: list[tuple[Any, Any, Any, Any]], streams: dict[Any, int]) -> None:
    # Last saved first: an item named twice gets the state from before the transaction.
    for table, hash_value, range_value, before in reversed(items):
        if range_value is None:
            if before is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = before
        elif before is None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items[hash_value][range_value] = before
    for table, length in streams.items():
        del table.stream_shard.items[length:]


def _wrap(
    owner: type[Any], name: str, wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> Callable[[], None]:
    """Replace ``owner.name`` by ``wrapper(owner.name)``; returns what puts the class back as it was."""
    own = owner.__dict__.get(name)
    setattr(owner, name, wrapper(getattr(owner, name)))

    def restore() -> None:
        if own is None:
            delattr(owner, name)  # the inherited method shows through again
        else:
            setattr(owner, name, own)

    return restore
