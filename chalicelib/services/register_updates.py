"""Following children through the BRP Update API, since the system keeps no BSN (``docs/brp.md``).

- At a new verified signal, while the BSN is at hand, ``RegisterSubscriptions.subscribe`` follows
  the child (``PUT /volgindicaties/{bsn}``) until the last day any of its signals may exist, so a
  second signal never shortens the following a first one needs. When the API fails, the BSN goes
  on the recheck queue, whose consumer follows a ``verified`` signal's child again.
- Each night ``NightlyFollow.run`` asks which followed children changed since the last run
  (``GET /wijzigingen?vanaf=``), hands them to ``RegisterFollowService.follow`` 20 at a time (which
  asks ``/personen`` and deletes on a death, re-keys on a move), and only then moves the cursor,
  conditionally: a run that fails leaves it, so the next night asks from the same day; two runs at
  once both follow (idempotent, every mail once through the ledger) but only one moves it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from chalicelib.domain.model import Signal
from chalicelib.domain.population import MAX_BATCH, RegisterUnavailable
from chalicelib.domain.recheck import Recheck
from chalicelib.observability import count, logger
from chalicelib.ports import ChildPartitions
from chalicelib.ports_register import FollowCursor, RecheckQueue, RegisterUpdates
from chalicelib.services.audit import Audit
from chalicelib.services.register_follow import FollowOutcome, RegisterFollowService
from chalicelib.services.verification import queue_recheck


class RegisterSubscriptions:
    """``retries``: the recheck queue, where a failed subscription goes to be tried again later
    (``services.recheck`` follows a ``verified`` signal's child again); ``None``: it is not."""

    def __init__(
        self, updates: RegisterUpdates, partitions: ChildPartitions, retries: RecheckQueue | None = None
    ) -> None:
        self._updates = updates
        self._partitions = partitions
        self._retries = retries

    def subscribe(self, bsn: str, signal: Signal) -> bool:
        """Follow the child of the stored ``signal``; ``False`` (logged, counted, queued for a retry
        when there is a queue) when the API failed."""
        try:
            self.follow(bsn, signal)
        except RegisterUnavailable as exc:
            # The signal stands; the message names the status at most, never the BSN.
            logger.warning("BRP Update API unavailable; child not followed", extra={"reason": str(exc)})
            if self._retries is not None:
                queue_recheck(self._retries, Recheck(signal.id, signal.child_pseudonym.value, bsn))
            return False
        return True

    def follow(self, bsn: str, signal: Signal) -> None:
        """Follow the child until the last day any of its signals may exist (an idempotent PUT);
        ``RegisterUnavailable`` (counted) when the API failed."""
        partition = self._partitions.child_partition(signal.child_pseudonym.value)
        until = max([signal.delete_after, *(other.delete_after for other in partition.signals)])
        try:
            self._updates.subscribe(bsn, until)
        except RegisterUnavailable:
            count("RegisterSubscriptionsFailed")
            raise


@dataclass
class NightlyOutcome:
    since: str
    changed: int
    batches: int
    advanced: bool
    moved: int
    deceased: int
    deleted: int
    notified: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class NightlyFollow:
    def __init__(
        self, updates: RegisterUpdates, cursor: FollowCursor, follow: RegisterFollowService, audit: Audit
    ) -> None:
        self._updates = updates
        self._cursor = cursor
        self._follow = follow
        self._audit = audit

    def run(self) -> NightlyOutcome:
        today = self._audit.today()
        previous = self._cursor.last_run()
        # The first night asks from yesterday: nobody was followed before the first signal anyway.
        since: date = previous or today - timedelta(days=1)
        changed = self._updates.changed_since(since)
        total = FollowOutcome()
        batches = [changed[start : start + MAX_BATCH] for start in range(0, len(changed), MAX_BATCH)]
        for batch in batches:
            done = self._follow.follow(batch)
            total.moved += done.moved
            total.deceased += done.deceased
            total.deleted += done.deleted
            total.notified += done.notified
        advanced = self._cursor.advance(previous, today) if previous != today else True
        return NightlyOutcome(
            since=since.isoformat(),
            changed=len(changed),
            batches=len(batches),
            advanced=advanced,
            moved=total.moved,
            deceased=total.deceased,
            deleted=total.deleted,
            notified=total.notified,
        )
