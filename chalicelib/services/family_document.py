"""The family's copy of everything stored about their child, as Dutch text ready to print.

One document for both places the family reads it: the API's printable copy
(``POST /v1/subjects/access?format=html``) and the console's access overview. Every code is
turned into words here (``domain.wording``), every instant into Dutch local time, every id into a
name: a template only places the strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain import municipalities, phones, wording
from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.lifecycle import status_on
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import Child, Professional
from chalicelib.domain.sectors import SECTORS
from chalicelib.ports_registry import AdminRegistry
from chalicelib.services.subjects import SubjectRecord


@dataclass(frozen=True)
class ChildLines:
    given_names: str
    family_name: str
    birth_date: str
    gender: str
    address: str
    municipality: str


@dataclass(frozen=True)
class LogLine:
    at: str
    action: str
    actor: str
    signal: str


@dataclass(frozen=True)
class SignalLines:
    organisation: str
    sector: str
    created: str
    status: str
    active_until: str
    delete_after: str
    professional: str
    professional_contact: str
    case_reference: str | None
    family_informed: str
    matches: list[str]
    notifications: list[LogLine]


@dataclass(frozen=True)
class FamilyDocument:
    made_by: str
    made_on: str
    child: ChildLines
    signals: list[SignalLines]
    log: list[LogLine]


def day(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def moment(value: datetime) -> str:
    """An instant as the family's clock showed it."""
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def municipality_name(code: str) -> str:
    return municipalities.current().get(code, code)


def full_name(child: Child) -> str:
    prefix = f"{child.family_name_prefix} " if child.family_name_prefix else ""
    return f"{child.given_names} {prefix}{child.family_name}"


def address_line(child: Child) -> str:
    address = child.address
    suffix = f"-{address.house_number_suffix}" if address.house_number_suffix else ""
    return (
        f"{address.street} {address.house_number}{address.house_letter or ''}{suffix}, "
        f"{address.postcode} {address.city}"
    )


def child_lines(child: Child) -> ChildLines:
    prefix = f"{child.family_name_prefix} " if child.family_name_prefix else ""
    return ChildLines(
        given_names=child.given_names,
        family_name=prefix + child.family_name,
        birth_date=day(child.birth_date),
        gender=wording.GENDERS[child.gender.value],
        address=address_line(child),
        municipality=municipality_name(child.address.municipality_code),
    )


def _professional(professional: Professional) -> tuple[str, str]:
    return (
        f"{professional.name}, {professional.function}",
        f"{phones.display(professional.phone)}, {professional.email}",
    )


def _organisation_names(record: SubjectRecord, lookup: Callable[[str], str | None]) -> dict[str, str]:
    """Names for every organisation the document mentions: from the signals, else from the registry."""
    names: dict[str, str] = {}
    for read in record.signals:
        names[read.signal.organisation.id] = read.signal.organisation.name
        for match in read.matches:
            names[match.other.organisation.id] = match.other.organisation.name
    for entry in record.log:
        if entry.organisation_id and entry.organisation_id not in names:
            found = lookup(entry.organisation_id)
            if found is not None:
                names[entry.organisation_id] = found
    return names


def _log_line(entry: LogEntry, names: dict[str, str], signals: dict[str, str]) -> LogLine:
    signal = ""
    if entry.signal_id:
        signal = signals.get(entry.signal_id, "een melding die niet meer bestaat")
    return LogLine(
        at=moment(entry.at),
        action=wording.action(entry),
        actor=wording.actor(entry, names, municipalities.current()),
        signal=signal,
    )


def _signal_lines(read: SignalWithMatches, record: SubjectRecord, log: dict[str, list[LogLine]]) -> SignalLines:
    signal = read.signal
    who, contact = _professional(signal.professional)
    matches = []
    for match in read.matches:
        other_status = status_on(match.other, record.today)
        if other_status is None:
            continue
        other_who, other_contact = _professional(match.other.professional)
        matches.append(
            f"{wording.MATCH_KINDS[match.kind.value].capitalize()} als een melding van "
            f"{match.other.organisation.name} ({wording.STATUSES[other_status.value]}), "
            f"sinds {day(match.since.astimezone(AMSTERDAM).date())}: {other_who}, {other_contact}"
        )
    return SignalLines(
        organisation=signal.organisation.name,
        sector=SECTORS.get(signal.organisation.sector, signal.organisation.sector),
        created=moment(signal.created_at),
        status=wording.STATUSES[record.status(read).value],
        active_until=day(signal.active_until),
        delete_after=day(signal.delete_after),
        professional=who,
        professional_contact=contact,
        case_reference=signal.case_reference,
        family_informed="ja" if signal.family_informed else "nee",
        matches=matches,
        notifications=log.get(signal.id, []),
    )


def family_document(
    record: SubjectRecord, municipality_code: str, organisation_name: Callable[[str], str | None]
) -> FamilyDocument:
    """The document ``municipality_code`` hands the family; ``organisation_name`` names organisations
    the logbook mentions whose signals are gone (``None`` when the registry no longer knows them)."""
    names = _organisation_names(record, organisation_name)
    signals = {read.signal.id: f"melding van {read.signal.organisation.name}" for read in record.signals}
    log = [_log_line(entry, names, signals) for entry in record.log]
    sent: dict[str, list[LogLine]] = {}
    for entry, line in zip(record.log, log, strict=True):
        if entry.action is Action.NOTIFICATION_SENT and entry.signal_id:
            sent.setdefault(entry.signal_id, []).append(line)
    return FamilyDocument(
        made_by="gemeente " + municipality_name(municipality_code),
        made_on=day(record.today),
        child=child_lines(record.child),
        signals=[_signal_lines(read, record, sent) for read in record.signals],
        log=log,
    )


def names_in(registry: AdminRegistry) -> Callable[[str], str | None]:
    """The registry as ``family_document`` asks it: an organisation's name, or ``None``."""

    def name(organisation_id: str) -> str | None:
        organisation = registry.get_organisation(organisation_id)
        return organisation.name if organisation is not None else None

    return name
