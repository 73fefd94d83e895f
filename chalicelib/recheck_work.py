"""The recheck consumer's entry: SQS messages in, each a signal accepted while the register was down.

A register still down (``RegisterUnavailable``) or a signal changed meanwhile (``Conflict``) raises,
so SQS delivers the message again after its visibility timeout and, after the redrive policy's
attempts, moves it to the dead-letter queue (which raises an alarm); a recheck done twice changes
and sends nothing the second time (``services.recheck``). A message that is not a recheck can never
succeed: it is dropped, counted and logged without its content (it holds a BSN).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.recheck import MalformedRecheck, Recheck
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from chalicelib.services.recheck import RecheckService


def handle_rechecks(bodies: Iterable[str], service: RecheckService | None) -> dict[str, int]:
    """Recheck each message in turn; returns how many ended how. ``None``: the register is off."""
    done: Counter[str] = Counter()
    for body in bodies:
        try:
            recheck = Recheck.from_json(body)
        except MalformedRecheck:
            logger.error("recheck message dropped: not a recheck")
            count("RechecksMalformed")
            done["malformed"] += 1
            continue
        if service is None:
            # The register was switched off meanwhile: the signal stays pending, as without a queue.
            done["off"] += 1
            continue
        done[service.recheck(recheck).value] += 1
    return dict(done)
