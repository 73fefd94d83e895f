"""Domain objects as the contract's response shapes."""

from __future__ import annotations

from chalicelib.domain.model import Signal, SignalStatus
from chalicelib.schemas import (
    AddressOut,
    ChildOut,
    OrganisationOut,
    ProfessionalOut,
    SignalOut,
)


def signal_out(signal: Signal, status: SignalStatus) -> SignalOut:
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
        matches=[],
    )
