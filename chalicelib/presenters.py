"""Domain objects as the contract's response shapes."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.model import Signal, SignalStatus
from chalicelib.schemas import (
    AddressOut,
    ChildOut,
    MatchedOrganisationOut,
    MatchOut,
    OrganisationOut,
    ProfessionalOut,
    SignalOut,
)


def matches_out(signal: Signal, today: date) -> list[MatchOut]:
    """The signal's matches; a matched signal that no longer exists on ``today`` is left out."""
    shown = []
    for match in signal.matches:
        other_status = match.other.status_on(today)
        if other_status is None:
            continue
        other = match.other
        shown.append(
            MatchOut(
                kind=match.kind.value,
                status=other_status.value,
                since=match.since,
                signal_created_at=other.created_at,
                organisation=MatchedOrganisationOut(
                    name=other.organisation.name, sector=other.organisation.sector, region=other.organisation.region
                ),
                professional=ProfessionalOut(
                    name=other.professional.name,
                    function=other.professional.function,
                    email=other.professional.email,
                    phone=other.professional.phone,
                ),
            )
        )
    return shown


def signal_out(signal: Signal, status: SignalStatus, today: date) -> SignalOut:
    child = signal.child
    address = child.address
    return SignalOut(
        id=signal.id,
        status=status.value,
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
        professional=ProfessionalOut(
            name=signal.professional.name,
            function=signal.professional.function,
            email=signal.professional.email,
            phone=signal.professional.phone,
        ),
        child=ChildOut(
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
        ),
        matches=matches_out(signal, today),
    )
