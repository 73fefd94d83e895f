"""Following children by asking the register every night (``BRP_FOLLOW=ask``), without keeping a BSN.

The system keeps no BSN, but it keeps what finds the child in the register: the family name, the
birth date and the child's pseudonym (a keyed hash of the BSN). So, spread over the nightly job's
work queue:

- ``AskPlanner.plan`` (the ``register_follow`` schedule) pages the keys of every signal in the due
  index (``DueWork.signal_page``) and sends the children's pseudonyms, each once per invocation, 20 to
  a chunk; after ``pages_per_run`` pages it sends a continuation, which a worker plans on from.
- ``RegisterAsk.ask`` (``lifecycle_work``, one chunk) reads each child's living signals, searches the
  register by family name and birth date (the deceased included), pseudonymises every BSN found and
  keeps the one whose pseudonym is the child's; anyone else is dropped at once, never logged or kept.
  The chunk's BSNs go to ``RegisterFollowService.follow`` (one ``RaadpleegMetBurgerservicenummer``):
  a death deletes the child's signals, a move re-keys them and tells whom it concerns, every mail once.
- A child the search does not find (a name changed in the register, e.g. after an adoption) is
  counted (``RegisterAskNotFound``) and logged without data; nothing else happens.

Planning or asking twice (a redelivered schedule or message) asks the register twice, harmlessly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from chalicelib.domain import lifecycle
from chalicelib.domain.model import Signal
from chalicelib.domain.nightly import ASK_SIZE, Chunk, DueKind
from chalicelib.domain.population import RegisterUnavailable, TooManyFound, searches
from chalicelib.domain.pseudonyms import Pseudonymiser
from chalicelib.observability import count, logger
from chalicelib.ports import ChildPartitions, DueWork, PseudonymiserProvider, WorkQueue
from chalicelib.ports_register import PopulationRegister
from chalicelib.services.audit import Audit
from chalicelib.services.nightly import PAGE_SIZE, PAGES_PER_RUN, SEND_AT_ONCE
from chalicelib.services.register_follow import RegisterFollowService


@dataclass
class AskPlan:
    pages: int = 0
    children: int = 0
    chunks: int = 0
    continued: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"ask_" + name: value for name, value in asdict(self).items()}


class AskPlanner:
    def __init__(
        self,
        due: DueWork,
        queue: WorkQueue,
        page_size: int = PAGE_SIZE,
        pages_per_run: int = PAGES_PER_RUN,
        chunk_size: int = ASK_SIZE,
    ) -> None:
        self._due = due
        self._queue = queue
        self._page_size = page_size
        self._pages_per_run = pages_per_run
        self._chunk_size = chunk_size

    def plan(self, cursor: str | None = None) -> AskPlan:
        """Plan from the first signal, or on from ``cursor`` (a continuation)."""
        report = AskPlan()
        seen: set[str] = set()
        waiting: list[str] = []
        while report.pages < self._pages_per_run:
            page = self._due.signal_page(cursor, self._page_size)
            report.pages += 1
            children = [item.partition for item in page.items if item.kind is DueKind.SIGNAL]
            fresh = [child for child in dict.fromkeys(children) if child not in seen]
            seen.update(fresh)
            waiting += fresh
            report.children += len(fresh)
            cursor = page.cursor
            full = len(waiting) if cursor is None else len(waiting) - len(waiting) % (self._chunk_size * SEND_AT_ONCE)
            self._send(report, self._chunks(waiting[:full]))
            waiting = waiting[full:]
            if cursor is None:
                break
        else:
            self._send(report, [*self._chunks(waiting), Chunk(cursor=cursor, ask=True)])
            report.continued = True
        logger.info("register follow-up planned", extra=report.as_dict())
        return report

    def _chunks(self, children: list[str]) -> list[Chunk]:
        size = self._chunk_size
        return [Chunk(children=tuple(children[at : at + size]), ask=True) for at in range(0, len(children), size)]

    def _send(self, report: AskPlan, chunks: list[Chunk]) -> None:
        if chunks:
            self._queue.send(chunks)
            report.chunks += sum(1 for chunk in chunks if chunk.cursor is None)


@dataclass
class AskOutcome:
    asked: int = 0
    searches: int = 0
    found: int = 0
    not_found: int = 0
    moved: int = 0
    deceased: int = 0
    deleted: int = 0
    notified: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class RegisterAsk:
    def __init__(
        self,
        register: PopulationRegister,
        partitions: ChildPartitions,
        pseudonymiser: PseudonymiserProvider,
        follow: RegisterFollowService,
        audit: Audit,
    ) -> None:
        self._register = register
        self._partitions = partitions
        self._pseudonymiser = pseudonymiser
        self._follow = follow
        self._audit = audit

    def ask(self, children: Sequence[str]) -> AskOutcome:
        """Find each child in the register and follow those found; raises ``RegisterUnavailable``
        (the chunk is then tried again, and after its attempts raises the queue's alarm)."""
        try:
            return self._ask(children)
        except RegisterUnavailable as exc:
            # The message names the status at most; SQS delivers the chunk again (docs/brp.md).
            logger.warning("BRP unavailable; the chunk is asked again", extra={"reason": str(exc)})
            count("RegisterAskUnavailable")
            raise

    def _ask(self, children: Sequence[str]) -> AskOutcome:
        outcome = AskOutcome()
        pseudonymiser = self._pseudonymiser()
        today = self._audit.today()
        found: list[str] = []
        for child in dict.fromkeys(children):
            partition = self._partitions.child_partition(child)
            living = [signal for signal in partition.signals if lifecycle.status_on(signal, today) is not None]
            if not living:
                continue  # deleted since the planner saw it
            outcome.asked += 1
            bsn = self._identify(child, living, pseudonymiser, outcome)
            if bsn is None:
                outcome.not_found += 1
            else:
                found.append(bsn)
        outcome.found = len(found)
        if found:
            followed = self._follow.follow(found)
            outcome.moved, outcome.deceased = followed.moved, followed.deceased
            outcome.deleted, outcome.notified = followed.deleted, followed.notified
        if outcome.not_found:
            # The number only: which child, or what name was searched, is no business of a log.
            logger.warning("children not found in the BRP by family name and birth date", extra=outcome.as_dict())
            count("RegisterAskNotFound", outcome.not_found)
        return outcome

    def _identify(
        self, child: str, living: list[Signal], pseudonymiser: Pseudonymiser, outcome: AskOutcome
    ) -> str | None:
        """The BSN whose pseudonym is ``child``'s, from the searches its signals' names allow."""
        for query in dict.fromkeys(query for signal in living for query in searches(signal.child)):
            outcome.searches += 1
            try:
                candidates = self._register.search(query)
            except TooManyFound:
                continue  # this name and birth date cannot pick the child out; another may
            for bsn in candidates:
                if pseudonymiser.child(bsn).value == child:
                    return bsn
        return None
