"""The e-mails a new signal causes. They carry no data about the child at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from chalicelib.domain.matching import Found, MatchKind, match_id
from chalicelib.domain.model import Organisation, Professional, Signal, SignalStatus


class Audience(StrEnum):
    NEW_SIGNAL_OWNER = "new_signal_owner"
    MATCHED_OWNER = "matched_owner"
    REGIEVOERDER = "regievoerder"
    ARCHIVED_OWNER = "archived_owner"


@dataclass(frozen=True)
class PartyLine:
    """One matched party as shown in an e-mail."""

    organisation: Organisation
    professional: Professional
    signal_created_at: datetime
    status: SignalStatus
    kind: MatchKind


@dataclass(frozen=True)
class Notification:
    """One e-mail to one recipient about one new signal.

    ``key`` is unique per (new signal, recipient), so a retried stream record finds what it sent.
    The recipient's own signal (``own_signal_id``) is what the mail is about, and where its
    logbook entry is written.
    """

    key: str
    audience: Audience
    to: str
    recipient_name: str | None
    new_signal_id: str
    new_child_pseudonym: str
    own_signal_id: str | None
    own_case_reference: str | None
    own_child_pseudonym: str
    own_key_version: str
    parties: tuple[PartyLine, ...]
    match_ids: tuple[str, ...]
    municipality_code: str | None = None
    archived_until: date | None = None


def _line(signal: Signal, status: SignalStatus, kind: MatchKind) -> PartyLine:
    return PartyLine(signal.organisation, signal.professional, signal.created_at, status, kind)


def plan(
    new: Signal,
    found: list[Found],
    regievoerder_email: str | None,
) -> list[Notification]:
    """Every e-mail ``new`` causes: none without a match."""
    if not found:
        return []
    ids = tuple(match_id(new.id, item.signal.id) for item in found)
    notifications = [
        Notification(
            key="own",
            audience=Audience.NEW_SIGNAL_OWNER,
            to=new.professional.email,
            recipient_name=new.professional.name,
            new_signal_id=new.id,
            new_child_pseudonym=new.child_pseudonym.value,
            own_signal_id=new.id,
            own_case_reference=new.case_reference,
            own_child_pseudonym=new.child_pseudonym.value,
            own_key_version=new.child_pseudonym.key_version,
            parties=tuple(_line(item.signal, item.status, item.kind) for item in found),
            match_ids=ids,
        )
    ]
    for item in found:
        if item.status is not SignalStatus.ACTIVE:
            continue
        notifications.append(
            Notification(
                key=f"signal:{item.signal.id}",
                audience=Audience.MATCHED_OWNER,
                to=item.signal.professional.email,
                recipient_name=item.signal.professional.name,
                new_signal_id=new.id,
                new_child_pseudonym=new.child_pseudonym.value,
                own_signal_id=item.signal.id,
                own_case_reference=item.signal.case_reference,
                own_child_pseudonym=item.signal.child_pseudonym.value,
                own_key_version=item.signal.child_pseudonym.key_version,
                parties=(_line(new, SignalStatus.ACTIVE, item.kind),),
                match_ids=(match_id(new.id, item.signal.id),),
            )
        )
    if regievoerder_email:
        code = new.child.address.municipality_code
        notifications.append(
            Notification(
                key=f"regie:{code}",
                audience=Audience.REGIEVOERDER,
                to=regievoerder_email,
                recipient_name=None,
                new_signal_id=new.id,
                new_child_pseudonym=new.child_pseudonym.value,
                own_signal_id=None,
                own_case_reference=None,
                own_child_pseudonym=new.child_pseudonym.value,
                own_key_version=new.child_pseudonym.key_version,
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
    return Notification(
        key="archived",
        audience=Audience.ARCHIVED_OWNER,
        to=signal.professional.email,
        recipient_name=signal.professional.name,
        new_signal_id=signal.id,
        new_child_pseudonym=signal.child_pseudonym.value,
        own_signal_id=signal.id,
        own_case_reference=signal.case_reference,
        own_child_pseudonym=signal.child_pseudonym.value,
        own_key_version=signal.child_pseudonym.key_version,
        parties=(),
        match_ids=(),
        archived_until=signal.delete_after,
    )
