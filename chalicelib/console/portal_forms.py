"""The portal's signal forms: a new signal by hand, closing one, handing one over.

A new signal is checked field by field for the Dutch messages, then becomes the very body
``POST /v1/signals`` takes (:class:`SignalIn`) and the command :func:`new_signal` makes of it: one set
of rules, two doors. The BSN lives in the POST body only; no message repeats an input.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from chalicelib.console.forms import _Form
from chalicelib.console.request_forms import ChildFields, Optional, _digits_only
from chalicelib.domain.errors import FieldError
from chalicelib.domain.model import InformParty, Professional
from chalicelib.schemas.fields import (
    Bsn,
    Email,
    FreeText,
    IsoDate,
    Phone,
    Text,
)
from chalicelib.schemas.signals import ProfessionalIn, SignalIn, new_signal
from chalicelib.services.signals import NewSignal

IdempotencyKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class ProfessionalForm(_Form):
    name: Text
    function: Text
    phone: Phone
    email: Email

    def professional(self) -> Professional:
        fields = {"name": self.name, "function": self.function, "email": self.email, "phone": self.phone}
        return ProfessionalIn.model_validate(fields).to_domain()


class NewSignalForm(ProfessionalForm, ChildFields):
    submission: IdempotencyKey
    bsn: Annotated[Bsn, BeforeValidator(_digits_only)]
    family_informed: Literal["ja", "nee"]
    end_date: Annotated[IsoDate | None, Optional] = None
    case_reference: Annotated[Annotated[str, FreeText(100)] | None, Optional] = None

    def body(self) -> SignalIn:
        """The form as the API's body, validated by the API's own model."""
        address = {
            "street": self.street,
            "house_number": self.house_number,
            "house_letter": self.house_letter,
            "house_number_suffix": self.house_number_suffix,
            "postcode": self.postcode,
            "city": self.city,
            "municipality_code": self.municipality_code,
        }
        child = {
            "bsn": self.bsn,
            "given_names": self.given_names,
            "family_name_prefix": self.family_name_prefix,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "gender": self.gender.value,
            "address": address,
        }
        professional = {"name": self.name, "function": self.function, "email": self.email, "phone": self.phone}
        return SignalIn.model_validate(
            {
                "child": child,
                "professional": professional,
                "case_reference": self.case_reference,
                "end_date": self.end_date.isoformat() if self.end_date else None,
                "family_informed": self.family_informed == "ja",
            }
        )

    def command(self) -> NewSignal:
        return new_signal(self.body())


PROFESSIONAL_MESSAGES = {
    "name": "Vul de naam in (ten hoogste 200 tekens).",
    "function": "Vul de functie in (ten hoogste 200 tekens).",
    "phone": "Vul een telefoonnummer in, zoals 030 123 4567.",
    "email": "Vul een e-mailadres in, zoals naam@organisatie.nl.",
}
NEW_SIGNAL_MESSAGES = PROFESSIONAL_MESSAGES | {
    "submission": "Dit formulier is onvolledig. Open de pagina opnieuw.",
    "bsn": "Vul een geldig burgerservicenummer in: 9 cijfers die de elfproef doorstaan.",
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
    "family_informed": "Kies of de ouders of het kind over de melding zijn geïnformeerd.",
    "end_date": "Vul een bestaande datum in, of laat het veld leeg.",
    "case_reference": "Een kenmerk heeft ten hoogste 100 tekens.",
}
# What the service refuses, by the field it names, said in Dutch; the input is never repeated.
REFUSED = {
    "child.bsn": ("bsn", "Dit burgerservicenummer staat niet (of niet als levend persoon) in de BRP."),
    "child.family_name": ("family_name", "De achternaam wijkt af van wat de BRP over dit kind heeft."),
    "child.birth_date": ("birth_date", "De geboortedatum klopt niet met de BRP, of het kind is 23 of ouder."),
    "end_date": ("end_date", "Kies een einddatum na vandaag, binnen 2 jaar en voor de 23e verjaardag."),
}
ELSEWHERE = ("formulier", "De melding kon niet worden opgeslagen. Controleer de gegevens.")
DUPLICATE = (
    "Uw organisatie heeft al een actieve melding over dit kind. Bekijk die onder Mijn meldingen "
    "of draag haar over aan een collega."
)


def refusals(errors: list[FieldError]) -> dict[str, str]:
    """The service's refusals next to the form's fields."""
    shown: dict[str, str] = {}
    for error in errors:
        name, message = REFUSED.get(error.field, ELSEWHERE)
        shown.setdefault(name, message)
    return shown


class CloseForm(_Form):
    reason: Literal["risk_resolved", "unjustified"]


CLOSE_MESSAGES = {"reason": "Kies waarom u de melding afsluit."}
CLOSE_REASONS = (
    ("risk_resolved", "Het risico is weggenomen (de melding wordt gearchiveerd)"),
    ("unjustified", "De melding was onterecht (de melding wordt direct verwijderd)"),
)
INFORM_LABELS = {InformParty.PARENTS: "de ouders (of voogd)", InformParty.CHILD: "het kind zelf"}


def inform_advice(parties: tuple[InformParty, ...]) -> str:
    """Who the professional must tell of the signal, from the rule the signal was stored with."""
    return " en ".join(INFORM_LABELS[party] for party in parties)
