"""Who matches a new signal, and who must be told.

A match is another organisation's signal, active or archived, for the same child (same BSN
pseudonym), for a different child with a parent in common as the population register (BRP) records
it (same parent pseudonym: the *family match*), or for a different child at the same address
(unless that address is excluded).
The new signal's professional hears about every match; the professional of each matched
*active* signal hears about the new one; the regievoerder of the child's municipality gets one
notice. Owners of archived signals get nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.answers import MatchAnswer
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.lifecycle import status_on
from chalicelib.domain.model import Organisation, Professional, Signal, SignalStatus


class MatchKind(StrEnum):
    CHILD = "child"
    ADDRESS = "address"
    PARENT = "parent"


@dataclass(frozen=True, kw_only=True)
class MatchedParty:
    """A snapshot of the other side of a match, as it stood when the match arose (its status on a
    day follows from its dates by the one rule, ``lifecycle.status_on``)."""

    signal_id: str
    child_pseudonym: str
    organisation: Organisation
    professional: Professional
    created_at: datetime
    active_until: date
    delete_after: date
    archived_on: date | None = None
    # The signal's version this snapshot was taken from: a refresh never replaces a newer one.
    version: int = field(default=0, compare=False)

    @classmethod
    def of(cls, signal: Signal) -> MatchedParty:
        return cls(
            signal_id=signal.id,
            child_pseudonym=signal.child_pseudonym.value,
            organisation=signal.organisation,
            professional=signal.professional,
            created_at=signal.created_at,
            active_until=signal.active_until,
            delete_after=signal.delete_after,
            archived_on=signal.archived_on,
            version=signal.version,
        )


@dataclass(frozen=True, kw_only=True)
class Match:
    """One side of a match: ``signal_id`` is the signal it is shown with."""

    id: str
    kind: MatchKind
    since: datetime
    signal_id: str
    owner_child_pseudonym: str
    owner_delete_after: date
    other: MatchedParty
    # The municipality whose regievoerder follows this match up (the new signal's child's).
    municipality_code: str | None = None
    # The signal it is shown with: its organisation and creation, so a list of the organisation's
    # signals can carry their matches.
    owner_organisation_id: str | None = None
    owner_created_at: datetime | None = None
    # How the professional of this side answered the match, and how the other side did.
    answer: MatchAnswer | None = None
    other_answer: MatchAnswer | None = None


@dataclass(frozen=True, kw_only=True)
class SignalWithMatches:
    """A signal as read back, with the matches shown with it: a read model, so that the entity
    itself knows nothing of matches. A change of the signal is written from it, so the copies the
    other sides keep follow the change, and a deleted signal takes its match records along."""

    signal: Signal
    matches: tuple[Match, ...] = ()

    @classmethod
    def of(cls, signal: Signal, matches: Iterable[Match] = ()) -> SignalWithMatches:
        """With its matches in the order the API shows them: oldest matched signal first."""
        return cls(signal=signal, matches=tuple(sorted(matches, key=lambda m: (m.other.created_at, m.id))))

    def changed(self, signal: Signal) -> SignalWithMatches:
        """The same signal changed, with the same matches."""
        return replace(self, signal=signal)


def match_id(first_signal_id: str, second_signal_id: str) -> str:
    """The same id for both sides and for every redelivery of the same stream record."""
    a, b = sorted((first_signal_id, second_signal_id))
    return "mt_" + hashlib.sha256(f"{a}|{b}".encode()).hexdigest()[:24]


def matchable_since(signal: Signal) -> datetime:
    """When a signal could first be matched on all it holds: its registration, or, for one accepted
    while the register was down, the recheck that verified it (and brought its parents and its
    registered address). Of two signals, the one matchable later makes their match: its own round
    (an inserted signal, or a recheck's verification) finds the other, never the reverse."""
    return signal.rechecked_at or signal.created_at


@dataclass(frozen=True)
class Found:
    kind: MatchKind
    signal: Signal
    status: SignalStatus


def find_matches(
    new: Signal,
    same_child: list[Signal],
    same_address: list[Signal],
    address_excluded: bool,
    today: date,
    same_parent: list[Signal] | None = None,
) -> list[Found]:
    """Other organisations' earlier (``matchable_since``), living signals that match ``new``: child
    matches first, then family matches (siblings often share the address too: "same family" says
    more), then address."""
    found: list[Found] = []
    seen: set[str] = {new.id}
    parents = {parent.value for parent in new.parent_pseudonyms}
    kinds = ((MatchKind.CHILD, same_child), (MatchKind.PARENT, same_parent or []), (MatchKind.ADDRESS, same_address))
    for kind, candidates in kinds:
        if kind is MatchKind.ADDRESS and address_excluded:
            continue
        for candidate in sorted(candidates, key=lambda s: (s.created_at, s.id)):
            if candidate.id in seen or candidate.organisation.id == new.organisation.id:
                continue
            if (matchable_since(candidate), candidate.id) > (matchable_since(new), new.id):
                # A later signal makes this match when its own stream record is processed; skipping
                # it here keeps one mail per pair even when the stream lags behind the API.
                continue
            same_child_as_new = candidate.child_pseudonym.value == new.child_pseudonym.value
            if (kind is MatchKind.CHILD) != same_child_as_new:
                continue
            if kind is MatchKind.PARENT and not parents & {parent.value for parent in candidate.parent_pseudonyms}:
                continue
            status = status_on(candidate, today)
            if status is None:
                continue
            seen.add(candidate.id)
            found.append(Found(kind, candidate, status))
    return found


def both_sides(new: Signal, found: list[Found]) -> list[Match]:
    """The match records to store: one shown with the new signal, one with the matched signal.

    ``since`` is when the new signal became matchable (``matchable_since``), so a redelivered
    record rebuilds identical records.
    """
    records: list[Match] = []
    since = matchable_since(new)
    for item in found:
        identifier = match_id(new.id, item.signal.id)
        municipality = new.child.address.municipality_code
        for owner, other in ((new, item.signal), (item.signal, new)):
            records.append(
                Match(
                    id=identifier,
                    kind=item.kind,
                    since=since,
                    signal_id=owner.id,
                    owner_child_pseudonym=owner.child_pseudonym.value,
                    owner_delete_after=owner.delete_after,
                    other=MatchedParty.of(other),
                    municipality_code=municipality,
                    owner_organisation_id=owner.organisation.id,
                    owner_created_at=owner.created_at,
                )
            )
    return records


class FollowUp(StrEnum):
    OPEN = "open"
    CONTACT_MADE = "contact_made"
    NO_CONTACT_NEEDED = "no_contact_needed"


REMINDER_AFTER = timedelta(days=14)


@dataclass(frozen=True, kw_only=True)
class MatchSide:
    """One of the two signals of a match, as the regievoerder sees it: no child data."""

    signal_id: str
    child_pseudonym: str
    key_version: str
    organisation: Organisation
    professional: Professional
    case_reference: str | None
    signal_created_at: datetime
    delete_after: date
    # The signal's version this side was taken from, as in ``MatchedParty``.
    version: int = field(default=0, compare=False)
    answer: MatchAnswer | None = None


@dataclass(frozen=True, kw_only=True)
class MunicipalMatch:
    """A match as the municipality of the new signal's child follows it up."""

    id: str
    municipality_code: str
    kind: MatchKind
    since: datetime
    sides: tuple[MatchSide, MatchSide]
    follow_up: FollowUp = FollowUp.OPEN
    follow_up_at: datetime | None = None
    note_code: str | None = None
    reminded: tuple[bool, bool] = (False, False)

    def reminder_due(self) -> date:
        return dutch_date(self.since) + REMINDER_AFTER

    def answered_by_both(self) -> bool:
        return all(side.answer is not None for side in self.sides)

    def is_open(self) -> bool:
        """Open for the regievoerder: not followed up, and not answered by both professionals."""
        return self.follow_up is FollowUp.OPEN and not self.answered_by_both()

    def side_of(self, organisation_id: str) -> int | None:
        """The side (0 or 1) of the organisation's signal; ``None`` when it has none in the match."""
        return next((index for index, side in enumerate(self.sides) if side.organisation.id == organisation_id), None)

    def needs_reminder(self, today: date) -> bool:
        """Whether a side that did not answer is still to be reminded."""
        return (
            self.follow_up is FollowUp.OPEN
            and today >= self.reminder_due()
            and any(not self.reminded[index] and side.answer is None for index, side in enumerate(self.sides))
        )


def _side(signal: Signal) -> MatchSide:
    return MatchSide(
        signal_id=signal.id,
        child_pseudonym=signal.child_pseudonym.value,
        key_version=signal.child_pseudonym.key_version,
        organisation=signal.organisation,
        professional=signal.professional,
        case_reference=signal.case_reference,
        signal_created_at=signal.created_at,
        delete_after=signal.delete_after,
        version=signal.version,
    )


def municipal_records(new: Signal, found: list[Found]) -> list[MunicipalMatch]:
    municipality = new.child.address.municipality_code
    return [
        MunicipalMatch(
            id=match_id(new.id, item.signal.id),
            municipality_code=municipality,
            kind=item.kind,
            since=matchable_since(new),
            sides=(_side(new), _side(item.signal)),
        )
        for item in found
    ]
