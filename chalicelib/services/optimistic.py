"""Read-modify-write under optimistic concurrency.

A use case computes a change from what it read; the store writes it only if what the change was
computed from is still stored (the signal's version, or the attributes the change depends on,
checked in the write's condition) and raises ``Conflict`` otherwise. The use case then reads again
and computes the change afresh, a few times, before the ``Conflict`` reaches the client as 409. A
change made meanwhile is never overwritten with older data, and no client is told a change was
stored when it was not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalicelib.domain.errors import Conflict
from chalicelib.ports import WRITE_ATTEMPTS

Read = TypeVar("Read")
Result = TypeVar("Result")


def on_fresh_reads(first: Read, read_again: Callable[[Read], Read], change: Callable[[Read], Result]) -> Result:
    """``change(first)``; after each ``Conflict``, ``change`` of what ``read_again`` returns.

    ``read_again`` must read strongly consistently: an index that lags would give the same stale
    data again.
    """
    current = first
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return change(current)
        except Conflict:
            current = read_again(current)
    return change(current)
