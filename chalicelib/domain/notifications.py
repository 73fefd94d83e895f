"""The e-mails a new signal causes. They carry no data about the child at all."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from chalicelib.domain.matching import Found, MatchKind, MatchSide, match_id
from chalicelib.domain.model import Organisation, Professional, Pseudonym, Signal, SignalStatus


class Audience(StrEnum):
    NEW_SIGNAL_OWNER = "new_signal_owner"
    MATCHED_OWNER = "matched_owner"
    REGIEVOERDER = "regievoerder"
    ARCHIVED_OWNER = "archived_owner"
    REMOVED_OWNER = "removed_owner"
    FOLLOW_UP_REMINDER = "follow_up_reminder"
    MOVED_IN = "moved_in"
    MOVED_OWNER = "moved_owner"
    MISMATCHED_OWNER = "mismatched_owner"
    HANDED_OVER = "handed_over"


@dataclass(frozen=True, kw_only=True)
class PartyLine:
    """One matched party as shown in an e-mail."""

    organisation: Organisation
    professional: Professional
    signal_created_at: datetime
    status: SignalStatus
    kind: MatchKind


@dataclass(frozen=True, kw_only=True)
class Notification:
    """One e-mail to one recipient.

    It is filed under the signal ``filed_under_signal_id`` (in the partition of
    ``filed_under_child_pseudonym``), and ``key`` names the event and the recipient within that
    signal, so whoever would send it again finds it in the ledger: ``own``, ``signal:<id>`` and
    ``regie:<code>`` for the mails a new signal causes, filed under the new signal (``own:rechecked``
    and ``regie:<code>:rechecked`` for those of its second round, when a recheck verified it; a pair
    is matched in one round only, so ``signal:<id>`` needs no round); ``archived`` and
    ``removed`` for an owner's notices, filed under that signal; ``reminder:<match id>`` filed under
    the reminded side's signal; ``moved:<code>:v<version>`` under the child's first signal. The
    recipient's own signal (``own_signal_id``) is what the mail is about, and where its logbook
    entry is written; ``child`` is whom that entry concerns (never shown in the mail).
    """

    key: str
    audience: Audience
    to: str
    recipient_name: str | None
    filed_under_signal_id: str
    filed_under_child_pseudonym: str
    own_signal_id: str | None
    own_case_reference: str | None
    child: Pseudonym
    parties: tuple[PartyLine, ...]
    match_ids: tuple[str, ...]
    municipality_code: str | None = None
    archived_until: date | None = None
    # The portal's address (ending in "/"): a mail to a professional about a match then links to
    # that match's page. The link names the match only, never the child or a signal.
    portal_url: str | None = None
    # The fields (API names) a recheck found differing from the register; never what it holds.
    differing_fields: tuple[str, ...] = ()

    def match_links(self) -> tuple[str, ...]:
        """A link per match to its page in the portal, for the professionals who may answer it."""
        if self.portal_url is None or self.audience not in PROFESSIONALS_ABOUT_A_MATCH:
            return ()
        return tuple(match_page(self.portal_url, identifier) for identifier in self.match_ids)


PROFESSIONALS_ABOUT_A_MATCH = frozenset(
    {Audience.NEW_SIGNAL_OWNER, Audience.MATCHED_OWNER, Audience.FOLLOW_UP_REMINDER}
)


def signal_page(portal_url: str, signal_id: str) -> str:
    """The portal page of a signal, for its professional."""
    return f"{portal_url}portaal/meldingen/{signal_id}"


def match_page(portal_url: str, match_id: str) -> str:
    """The portal page of a match, where its professionals answer it."""
    return f"{portal_url}portaal/matches/{match_id}"


def _line(signal: Signal, status: SignalStatus, kind: MatchKind) -> PartyLine:
    return PartyLine(
        organisation=signal.organisation,
        professional=signal.professional,
        signal_created_at=signal.created_at,
        status=status,
        kind=kind,
    )


def _to_owner(
    signal: Signal,
    about: Signal,
    key: str,
    audience: Audience,
    parties: tuple[PartyLine, ...],
    match_ids: tuple[str, ...],
    archived_until: date | None = None,
) -> Notification:
    """A mail to ``signal``'s own professional, caused by (and ledgered with) ``about``."""
    return Notification(
        key=key,
        audience=audience,
        to=signal.professional.email,
        recipient_name=signal.professional.name,
        filed_under_signal_id=about.id,
        filed_under_child_pseudonym=about.child_pseudonym.value,
        own_signal_id=signal.id,
        own_case_reference=signal.case_reference,
        child=signal.child_pseudonym,
        parties=parties,
        match_ids=match_ids,
        archived_until=archived_until,
    )


def plan(
    new: Signal,
    found: list[Found],
    regievoerder_email: str | None,
) -> list[Notification]:
    """Every e-mail ``new`` causes: none without a match."""
    if not found:
        return []
    ids = tuple(match_id(new.id, item.signal.id) for item in found)
    round_ = ":rechecked" if new.rechecked_at is not None else ""
    notifications = [
        _to_owner(
            new,
            new,
            f"own{round_}",
            Audience.NEW_SIGNAL_OWNER,
            parties=tuple(_line(item.signal, item.status, item.kind) for item in found),
            match_ids=ids,
        )
    ]
    for item in found:
        if item.status is not SignalStatus.ACTIVE:
            continue
        notifications.append(
            _to_owner(
                item.signal,
                new,
                f"signal:{item.signal.id}",
                Audience.MATCHED_OWNER,
                parties=(_line(new, SignalStatus.ACTIVE, item.kind),),
                match_ids=(match_id(new.id, item.signal.id),),
            )
        )
    if regievoerder_email:
        code = new.child.address.municipality_code
        notifications.append(
            Notification(
                key=f"regie:{code}{round_}",
                audience=Audience.REGIEVOERDER,
                to=regievoerder_email,
                recipient_name=None,
                filed_under_signal_id=new.id,
                filed_under_child_pseudonym=new.child_pseudonym.value,
                own_signal_id=None,
                own_case_reference=None,
                child=new.child_pseudonym,
                parties=(
                    _line(new, SignalStatus.ACTIVE, found[0].kind),
                    *(_line(item.signal, item.status, item.kind) for item in found),
                ),
                match_ids=ids,
                municipality_code=code,
            )
        )
    return notifications


def archived_notice(signal: Signal) -> Notification:
    """The one mail telling a signal's professional that its active period has ended."""
    return _to_owner(
        signal,
        signal,
        "archived",
        Audience.ARCHIVED_OWNER,
        parties=(),
        match_ids=(),
        archived_until=signal.delete_after,
    )


def removed_notice(signal: Signal) -> Notification:
    """Tells a signal's professional the municipality removed it (the reason is not given)."""
    return replace(archived_notice(signal), key="removed", audience=Audience.REMOVED_OWNER, archived_until=None)


def moved_notice(signal: Signal) -> Notification:
    """Tells a signal's professional that the BRP registers the child at another address.

    ``signal`` as the move stored it: its version names that move, so the notice goes once per move.
    """
    notice = _to_owner(signal, signal, f"moved_owner:v{signal.version}", Audience.MOVED_OWNER, (), ())
    return replace(notice, municipality_code=signal.child.address.municipality_code)


def mismatch_notice(signal: Signal, fields: tuple[str, ...]) -> Notification:
    """Tells a signal's professional that the recheck found the register contradicting it, once."""
    notice = _to_owner(signal, signal, "mismatched", Audience.MISMATCHED_OWNER, (), ())
    return replace(notice, differing_fields=fields)


def reminder(match_id: str, own: MatchSide, other: MatchSide) -> Notification:
    """The one reminder to a professional whose match is still open after 14 days."""
    return Notification(
        key=f"reminder:{match_id}",
        audience=Audience.FOLLOW_UP_REMINDER,
        to=own.professional.email,
        recipient_name=own.professional.name,
        filed_under_signal_id=own.signal_id,
        filed_under_child_pseudonym=own.child_pseudonym,
        own_signal_id=own.signal_id,
        own_case_reference=own.case_reference,
        child=Pseudonym(own.child_pseudonym, own.key_version),
        parties=(
            PartyLine(
                organisation=other.organisation,
                professional=other.professional,
                signal_created_at=other.signal_created_at,
                status=SignalStatus.ACTIVE,
                kind=MatchKind.CHILD,
            ),
        ),
        match_ids=(match_id,),
    )


def moved_in(signals: list[Signal], municipality_code: str, regievoerder_email: str) -> Notification:
    """Tells the regievoerder of the municipality a child with signals moved into.

    ``signals`` as the correction that moved the child stored them: the first one's version names
    that correction, so the notice goes once per move, also when the child later moves back.
    """
    first = signals[0]
    return Notification(
        key=f"moved:{municipality_code}:v{first.version}",
        audience=Audience.MOVED_IN,
        to=regievoerder_email,
        recipient_name=None,
        filed_under_signal_id=first.id,
        filed_under_child_pseudonym=first.child_pseudonym.value,
        own_signal_id=None,
        own_case_reference=None,
        child=first.child_pseudonym,
        parties=tuple(_line(s, SignalStatus.ACTIVE, MatchKind.CHILD) for s in signals),
        match_ids=(),
        municipality_code=municipality_code,
    )


def handed_over_notice(signal: Signal, previous: Professional) -> Notification:
    """Tells the professional ``signal`` was handed to that it is theirs now, once per hand-over.

    ``signal`` as the hand-over stored it: its version names that hand-over. The one party line is
    the previous professional (who handed it over) in the signal's organisation.
    """
    by = replace(_line(signal, SignalStatus.ACTIVE, MatchKind.CHILD), professional=previous)
    return _to_owner(signal, signal, f"handed_over:v{signal.version}", Audience.HANDED_OVER, (by,), ())
