"""The nightly job's worker entry: SQS messages in, each a chunk to handle or a plan to continue.

A failure raises, so SQS makes the message visible again after its visibility timeout and, after
the redrive policy's attempts, moves it to the dead-letter queue (which raises an alarm). Handling a
chunk again is safe (see ``services.lifecycle.LifecycleService.process``). An ask chunk
(``BRP_FOLLOW=ask``) goes to ``services.register_ask``; with that setting off meanwhile, it is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.nightly import Chunk
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.services.lifecycle import LifecycleService
    from chalicelib.services.nightly import NightlyPlanner
    from chalicelib.services.register_ask import AskPlanner, RegisterAsk

TOTALS = (
    *("archived", "deleted", "notices_sent", "reminders_sent", "failed", "chunks"),
    *("asked", "searches", "found", "not_found", "moved", "deceased", "notified"),
)


def handle_messages(
    bodies: Iterable[str],
    lifecycle: LifecycleService,
    planner: NightlyPlanner,
    asking: tuple[AskPlanner, RegisterAsk] | None = None,
) -> dict[str, object]:
    """Handle each message in turn; returns what was done, added up."""
    done: dict[str, object] = {}
    for body in bodies:
        chunk = Chunk.from_json(body)
        if chunk.ask and asking is None:
            logger.warning("a register follow-up chunk while BRP_FOLLOW is not ask: dropped")
            continue
        if chunk.ask and asking is not None:
            ask_planner, ask = asking
            report = (
                ask_planner.plan(chunk.cursor).as_dict()
                if chunk.cursor is not None
                else ask.ask(chunk.children).as_dict()
            )
        elif chunk.cursor is not None:
            report = planner.plan(chunk.cursor).as_dict()
        else:
            report = lifecycle.process(chunk).as_dict()
        for name, value in report.items():
            if name in TOTALS and isinstance(value, int):
                previous = done.get(name, 0)
                done[name] = (previous if isinstance(previous, int) else 0) + value
            else:
                done.setdefault(name, value)
    return done
