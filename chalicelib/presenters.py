"""Domain objects as the contract's response shapes."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.services.answers import SideOfMatch
    from chalicelib.services.family_document import FamilyDocument
    from chalicelib.services.subjects import SubjectRecord

from chalicelib.domain import phones
from chalicelib.domain.answers import MatchAnswer
from chalicelib.domain.lifecycle import status_on
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import MunicipalMatch, SignalWithMatches
from chalicelib.domain.model import Child, Professional, SignalStatus
from chalicelib.schemas import (
    AddressOut,
    ChildOut,
    LogEntryOut,
    MatchedOrganisationOut,
    MatchOut,
    MatchPartyOut,
    MunicipalMatchOut,
    OrganisationOut,
    ProfessionalOut,
    SignalOut,
    SubjectAccessOut,
    SubjectSignalOut,
)
from chalicelib.schemas.answers import AnswerOut, MatchAnswerOut


def matches_out(read: SignalWithMatches, today: date) -> list[MatchOut]:
    """The signal's matches; a matched signal that no longer exists on ``today`` is left out."""
    shown = []
    for match in read.matches:
        other_status = status_on(match.other, today)
        if other_status is None:
            continue
        other = match.other
        shown.append(
            MatchOut(
                id=match.id,
                kind=match.kind.value,
                status=other_status.value,
                since=match.since,
                signal_created_at=other.created_at,
                organisation=MatchedOrganisationOut(
                    name=other.organisation.name, sector=other.organisation.sector, region=other.organisation.region
                ),
                professional=professional_out(other.professional),
                answer=match_answer_out(match.answer),
                other_answer=match_answer_out(match.other_answer),
            )
        )
    return shown


def match_answer_out(answer: MatchAnswer | None) -> MatchAnswerOut | None:
    return MatchAnswerOut(answer=answer.answer.value, answered_at=answer.at) if answer else None


def answer_out(seen: SideOfMatch) -> AnswerOut:
    answer = match_answer_out(seen.own.answer)
    assert answer is not None, "answered"
    return AnswerOut(
        match_id=seen.match.id,
        signal_id=seen.own.signal_id,
        answer=answer,
        other_answer=match_answer_out(seen.other.answer),
    )


def signal_out(read: SignalWithMatches, status: SignalStatus, today: date) -> SignalOut:
    signal = read.signal
    return SignalOut(
        id=signal.id,
        status=status.value,
        verification=signal.verification.value,
        created_at=signal.created_at,
        active_until=signal.active_until,
        delete_after=signal.delete_after,
        family_informed=signal.family_informed,
        inform=[party.value for party in signal.inform],
        case_reference=signal.case_reference,
        organisation=OrganisationOut(
            id=signal.organisation.id,
            name=signal.organisation.name,
            sector=signal.organisation.sector,
            region=signal.organisation.region,
        ),
        professional=professional_out(signal.professional),
        child=child_out(signal.child),
        matches=matches_out(read, today),
    )


def log_entry_out(entry: LogEntry) -> LogEntryOut:
    return LogEntryOut(
        at=entry.at,
        action=entry.action.value,
        client_id=entry.client_id,
        organisation_id=entry.organisation_id,
        municipality_code=entry.municipality_code,
        signal_id=entry.signal_id,
        detail=entry.detail,
        person_name=entry.person_name,
    )


def subject_access_out(record: SubjectRecord) -> SubjectAccessOut:
    log = [log_entry_out(entry) for entry in record.log]
    signals = []
    for signal in record.signals:
        base = signal_out(signal, record.status(signal), record.today)
        notified = [
            entry
            for entry in log
            if entry.signal_id == signal.signal.id and entry.action == Action.NOTIFICATION_SENT.value
        ]
        signals.append(SubjectSignalOut(**base.model_dump(), notifications=notified))
    return SubjectAccessOut(child=child_out(record.child), signals=signals, logbook=log)


def professional_out(professional: Professional) -> ProfessionalOut:
    return ProfessionalOut(
        name=professional.name,
        function=professional.function,
        email=professional.email,
        phone=phones.display(professional.phone),
    )


def child_out(child: Child) -> ChildOut:
    address = child.address
    return ChildOut(
        given_names=child.given_names,
        family_name_prefix=child.family_name_prefix,
        family_name=child.family_name,
        birth_date=child.birth_date,
        gender=child.gender,
        address=AddressOut(
            street=address.street,
            house_number=address.house_number,
            house_letter=address.house_letter,
            house_number_suffix=address.house_number_suffix,
            postcode=address.postcode,
            city=address.city,
            municipality_code=address.municipality_code,
        ),
    )


def municipal_match_out(match: MunicipalMatch) -> MunicipalMatchOut:
    return MunicipalMatchOut(
        id=match.id,
        kind=match.kind.value,
        since=match.since,
        follow_up=match.follow_up.value,
        follow_up_at=match.follow_up_at,
        note_code=match.note_code,
        reminder_sent=any(match.reminded),
        open=match.is_open(),
        parties=[
            MatchPartyOut(
                signal_created_at=side.signal_created_at,
                organisation=MatchedOrganisationOut(
                    name=side.organisation.name, sector=side.organisation.sector, region=side.organisation.region
                ),
                professional=professional_out(side.professional),
                answer=match_answer_out(side.answer),
            )
            for side in match.sides
        ],
    )


def access_document_html(document: FamilyDocument) -> str:
    """The printable copy the municipality hands to the family (Dutch)."""
    from chalicelib.services.mail import template_environment

    return template_environment().get_template("access.html").render(doc=document)
