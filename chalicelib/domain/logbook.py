"""Entries of the append-only audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    SIGNAL_CREATED = "signal.created"
    SIGNAL_READ = "signal.read"
    SIGNALS_LISTED = "signals.listed"
    SIGNAL_ARCHIVED = "signal.archived"
    SIGNAL_DELETED = "signal.deleted"
    SIGNAL_HANDED_OVER = "signal.handed_over"
    NOTIFICATION_SENT = "notification.sent"
    SUBJECT_LOOKED_UP = "subject.looked_up"
    SUBJECT_ACCESSED = "subject.accessed"
    SUBJECT_RECTIFIED = "subject.rectified"
    SUBJECT_ERASED = "subject.erased"
    MATCHES_LISTED = "matches.listed"
    MATCH_FOLLOWED_UP = "match.followed_up"
    MATCH_READ = "match.read"
    MATCH_ANSWERED = "match.answered"
    REPORT_READ = "report.read"
    PERSON_INVITED = "person.invited"
    PERSON_DISABLED = "person.disabled"
    TOKEN_ISSUED = "token.issued"  # noqa: S105 (an action name)
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 (an action name)


@dataclass(frozen=True)
class LogEntry:
    """One line of the logbook: who did what, when, to which signal and child.

    ``child_pseudonym`` is the keyed hash, never the BSN; ``signal_id`` and the pseudonym are
    absent for actions that concern no single child, such as listing.
    """

    id: str
    at: datetime
    action: Action
    client_id: str
    organisation_id: str | None = None
    municipality_code: str | None = None
    signal_id: str | None = None
    child_pseudonym: str | None = None
    key_version: str | None = None
    detail: str | None = None
    # The person who acted, when one signed in (the identity provider's subject and their name as
    # it was then); a case system's token is no person, its lines carry none.
    person_id: str | None = None
    person_name: str | None = None
