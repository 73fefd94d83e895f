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
reads take the same lock, as they read the tables' stream records that a rollback replaces.
When a moto upgrade isolates transactions itself, this module can go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def one_dynamodb_request_at_a_time() -> Iterator[None]:
    """Serialise moto's DynamoDB and DynamoDB Streams request handling in this process until exit.

    It affects moto in-process (``mock_aws``) and a ``ThreadedMotoServer`` running in this process
    alike; it must be entered in the process that runs the emulator.
    """
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    lock = threading.Lock()
    undo: list[Callable[[], None]] = []
    for handler in (DynamoHandler, DynamoDBStreamsHandler):
        undo.append(_wrap_call_action(handler, lock))
    try:
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _wrap_call_action(handler: type[Any], lock: threading.Lock) -> Callable[[], None]:
    """Wrap ``handler.call_action`` in ``lock``; returns what puts the class back as it was."""
    own = handler.__dict__.get("call_action")
    handle = handler.call_action

    def call_action(self: Any) -> Any:
        with lock:
            return handle(self)

    handler.call_action = call_action

    def restore() -> None:
        if own is None:
            del handler.call_action  # the inherited method shows through again
        else:
            handler.call_action = own

    return restore
