"""The family's-requests forms, validated by the same field types as the API's bodies.

Each field that fails gets its Dutch message; the input itself is never echoed in a message.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from chalicelib.console.forms import _Form
from chalicelib.domain.model import Address, Child, Gender
from chalicelib.schemas.fields import (
    Bsn,
    HouseLetter,
    HouseNumberSuffix,
    IsoDate,
    MunicipalityCode,
    Postcode,
    ShortText,
    Text,
)


def _digits_only(value: object) -> object:
    # People copy a BSN with spaces or dots between the groups; the digits are what counts.
    return value.replace(" ", "").replace(".", "") if isinstance(value, str) else value


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Optional = BeforeValidator(_blank_is_none)


class LookUpForm(_Form):
    bsn: Annotated[Bsn, BeforeValidator(_digits_only)]


LOOK_UP_MESSAGES = {
    "bsn": "Vul een geldig burgerservicenummer in: 9 cijfers die de elfproef doorstaan.",
}
NOTHING_STORED = "Over dit kind is niets opgeslagen dat uw gemeente mag inzien. Controleer het nummer."


class ChildFields(_Form):
    """The child's data as a console form takes it, field by field in the API's own types."""

    given_names: Text
    family_name_prefix: Annotated[ShortText | None, Optional] = None
    family_name: Text
    birth_date: IsoDate
    gender: Gender
    street: Text
    house_number: int = Field(ge=1, le=99999)
    house_letter: Annotated[HouseLetter | None, Optional] = None
    house_number_suffix: Annotated[HouseNumberSuffix | None, Optional] = None
    postcode: Postcode
    city: Text
    municipality_code: MunicipalityCode

    def child(self) -> Child:
        return Child(
            given_names=self.given_names,
            family_name_prefix=self.family_name_prefix,
            family_name=self.family_name,
            birth_date=self.birth_date,
            gender=self.gender,
            address=Address(
                street=self.street,
                house_number=self.house_number,
                house_letter=self.house_letter,
                house_number_suffix=self.house_number_suffix,
                postcode=self.postcode,
                city=self.city,
                municipality_code=self.municipality_code,
            ),
        )


class CorrectionForm(ChildFields):
    reference: str


CORRECTION_MESSAGES = {
    "given_names": "Vul de voornamen in (ten hoogste 200 tekens).",
    "family_name_prefix": "Een tussenvoegsel heeft ten hoogste 40 tekens.",
    "family_name": "Vul de achternaam in (ten hoogste 200 tekens).",
    "birth_date": "Vul een bestaande geboortedatum in.",
    "gender": "Kies het geslacht.",
    "street": "Vul de straat in.",
    "house_number": "Vul een huisnummer in: een getal van 1 tot en met 99999.",
    "house_letter": "Een huisletter is één letter.",
    "house_number_suffix": "Een toevoeging heeft 1 tot 4 letters of cijfers.",
    "postcode": "Vul een postcode in zoals 1234 AB.",
    "city": "Vul de woonplaats in.",
    "municipality_code": "Vul de viercijferige CBS-code van een bestaande gemeente in, zoals 0344.",
}
NOTHING_CHANGED = "U hebt niets gewijzigd. Pas een gegeven aan, of ga terug naar het overzicht."
TOO_OLD = "Met deze geboortedatum is het kind 23 jaar of ouder. Verwijder dan de meldingen in plaats van te corrigeren."


class ErasureForm(_Form):
    reference: str
    reason: Literal["objection", "deceased"]


ERASURE_MESSAGES = {"reason": "Kies waarom de meldingen worden verwijderd."}
