"""The nightly job's work, split into chunks that parallel invocations handle on their own.

A planner finds what is due (by key only) and sends it on in chunks; a worker handles one chunk.
A chunk holds keys, never a BSN or anything about a child beyond the pseudonym its items are
stored under, and it is safe to handle twice: the worker reads each item again and leaves what is
no longer due. A chunk may instead carry a cursor: the planner stopped there (it makes a bounded
number of calls per invocation) and whoever receives the chunk plans on from it.

With ``BRP_FOLLOW=ask`` the nightly follow-up sends chunks of another kind on the same queue: up to
``ASK_SIZE`` child pseudonyms to ask the population register about (``ask``), or a cursor to plan
that on from. They too hold pseudonyms only, never a BSN.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# Items per chunk: a worker handles one chunk in well under a minute (a few calls per item).
CHUNK_SIZE = 100
# Children per ask chunk: the register answers 20 BSNs per request (``population.MAX_BATCH``).
ASK_SIZE = 20
FORMAT = 1


class DueKind(StrEnum):
    SIGNAL = "s"
    """A signal to archive or delete: its child pseudonym and id."""
    REMINDER = "r"
    """A regievoerder's match record whose reminder is due: its municipality code and match id."""


@dataclass(frozen=True)
class DueItem:
    kind: DueKind
    partition: str
    item_id: str


@dataclass(frozen=True)
class DuePage:
    items: list[DueItem]
    cursor: str | None
    """Where the next page starts; ``None`` after the last."""


class MalformedChunk(ValueError):
    """A message that is not a chunk of this format; it is not retried into success."""


@dataclass(frozen=True)
class Chunk:
    items: tuple[DueItem, ...] = ()
    cursor: str | None = None
    """Set on a continuation: plan on from here (``items`` is then empty)."""
    children: tuple[str, ...] = ()
    """Child pseudonyms to ask the population register about (an ask chunk)."""
    ask: bool = False
    """An ask chunk, or the continuation of the ask planning (with ``cursor``)."""

    def to_json(self) -> str:
        if self.ask:
            body = {"ask_from": self.cursor} if self.cursor is not None else {"ask": list(self.children)}
            return json.dumps({"v": FORMAT, **body}, separators=(",", ":"))
        if self.cursor is not None:
            return json.dumps({"v": FORMAT, "plan_from": self.cursor}, separators=(",", ":"))
        items = [[item.kind.value, item.partition, item.item_id] for item in self.items]
        return json.dumps({"v": FORMAT, "items": items}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Chunk:
        try:
            document = json.loads(text)
            if document.get("v") == FORMAT and "plan_from" in document:
                return cls(cursor=str(document["plan_from"]))
            if document.get("v") == FORMAT and "ask_from" in document:
                return cls(cursor=str(document["ask_from"]), ask=True)
            if document.get("v") == FORMAT and "ask" in document:
                children = document["ask"]
                if not isinstance(children, list) or not all(isinstance(child, str) for child in children):
                    raise MalformedChunk("not a chunk of this format")
                return cls(children=tuple(children), ask=True)
            if document.get("v") == FORMAT:
                items = document["items"]
                return cls(tuple(DueItem(DueKind(kind), str(part), str(ident)) for kind, part, ident in items))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedChunk("not a chunk of this format") from exc
        raise MalformedChunk("not a chunk of this format")


def chunked(items: Iterable[DueItem], size: int = CHUNK_SIZE) -> list[Chunk]:
    """``items`` in chunks of at most ``size``, in order."""
    found = list(items)
    return [Chunk(tuple(found[start : start + size])) for start in range(0, len(found), size)]
