"""A signal accepted while the population register was down, to be checked again later.

The message carries only what the recheck needs and cannot find elsewhere: the BSN (the system
keeps none, only its keyed pseudonym) with the signal's key. The names and birth date to compare
are read from the signal itself, as stored then, so the queue holds no more personal data than the
BSN. It travels only on a KMS-encrypted queue (``docs/brp.md``), never in a table or a log line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_BSN = re.compile(r"[0-9]{9}")


class MalformedRecheck(ValueError):
    """A message that is not a recheck; it names no value it received."""


@dataclass(frozen=True)
class Recheck:
    signal_id: str
    child_pseudonym: str
    bsn: str

    def __repr__(self) -> str:  # never a BSN in a traceback or a log line
        return f"Recheck(signal_id={self.signal_id!r})"

    def to_json(self) -> str:
        return json.dumps({"signal_id": self.signal_id, "child": self.child_pseudonym, "bsn": self.bsn})

    @classmethod
    def from_json(cls, body: str) -> Recheck:
        try:
            data = json.loads(body)
            check = cls(str(data["signal_id"]), str(data["child"]), str(data["bsn"]))
        except (ValueError, KeyError, TypeError):
            raise MalformedRecheck("not a recheck message") from None
        if not _BSN.fullmatch(check.bsn) or not check.signal_id or not check.child_pseudonym:
            raise MalformedRecheck("not a recheck message")
        return check
