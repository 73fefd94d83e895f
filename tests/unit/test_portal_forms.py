"""The portal's new-signal form: the same command as ``POST /v1/signals``, Dutch messages, no echo."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.console import views
from chalicelib.console.portal_forms import (
    CLOSE_MESSAGES,
    NEW_SIGNAL_MESSAGES,
    CloseForm,
    NewSignalForm,
    inform_advice,
    refusals,
)
from chalicelib.domain.errors import FieldError
from chalicelib.domain.model import InformParty
from chalicelib.schemas.signals import SignalIn, new_signal
from tests import builders

BSN = builders.bsn(7)


def _fields(**overrides: str) -> dict[str, str]:
    """The form as a browser sends it: every value a string."""
    return {
        "csrf": "token",
        "submission": "a" * 32,
        "bsn": BSN,
        "given_names": "Sanne",
        "family_name_prefix": "de",
        "family_name": "Vries",
        "birth_date": "2014-05-01",
        "gender": "V",
        "street": "Dorpsstraat",
        "house_number": "12",
        "house_letter": "a",
        "house_number_suffix": "bis",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "municipality_code": "0344",
        "family_informed": "ja",
        "end_date": "",
        "case_reference": "JGZ-2026-0042",
        "name": "P. Jansen",
        "function": "Jeugdverpleegkundige",
        "phone": "+31 30 123 4567",
        "email": "p.jansen@ggd.example.nl",
    } | overrides


def _api_body() -> dict[str, Any]:
    return builders.signal_body(child=builders.child(bsn=BSN), end_date=None)


def test_the_form_gives_the_very_command_the_api_gives_for_the_same_signal() -> None:
    form = views.validate(_fields(), NewSignalForm, NEW_SIGNAL_MESSAGES)

    assert form.command() == new_signal(SignalIn.model_validate(_api_body()))


def test_the_same_signal_by_api_and_by_hand_has_the_same_fingerprint_so_a_replay_is_recognised() -> None:
    form = views.validate(_fields(), NewSignalForm, NEW_SIGNAL_MESSAGES)

    assert form.command().body_fingerprint_source == SignalIn.model_validate(_api_body()).model_dump(mode="json")


def test_blank_optional_fields_are_absent_and_a_bsn_may_be_typed_in_groups() -> None:
    fields = _fields(bsn=f"{BSN[:4]} {BSN[4:6]}.{BSN[6:]}", family_name_prefix=" ", house_letter="", case_reference="")
    command = views.validate(fields, NewSignalForm, NEW_SIGNAL_MESSAGES).command()

    assert command.bsn == BSN
    assert command.child.family_name_prefix is None
    assert command.child.address.house_letter is None
    assert command.case_reference is None
    assert command.family_informed is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("bsn", "123456789"),
        ("birth_date", "2014-02-30"),
        ("house_number", "0"),
        ("postcode", "35"),
        ("family_informed", ""),
        ("email", "geen-adres"),
        ("submission", ""),
    ],
)
def test_a_wrong_field_gets_its_dutch_message_without_the_input(name: str, value: str) -> None:
    with pytest.raises(views.FormInvalid) as failed:
        views.validate(_fields(**{name: value}), NewSignalForm, NEW_SIGNAL_MESSAGES)

    assert failed.value.errors == {name: NEW_SIGNAL_MESSAGES[name]}
    assert value not in NEW_SIGNAL_MESSAGES[name] or not value


def test_the_registers_refusals_are_shown_next_to_the_field_they_name() -> None:
    shown = refusals([FieldError("child.family_name", "differs"), FieldError("end_date", "in the past")])

    assert set(shown) == {"family_name", "end_date"}
    assert "BRP" in shown["family_name"]


def test_a_refusal_of_an_unknown_field_goes_to_the_summary() -> None:
    assert set(refusals([FieldError("child.somewhere", "no")])) == {"formulier"}


def test_closing_needs_a_reason() -> None:
    with pytest.raises(views.FormInvalid) as failed:
        views.validate({"csrf": "token"}, CloseForm, CLOSE_MESSAGES)

    assert failed.value.errors == {"reason": CLOSE_MESSAGES["reason"]}


@pytest.mark.parametrize(
    ("parties", "advice"),
    [
        ((InformParty.PARENTS,), "de ouders (of voogd)"),
        ((InformParty.PARENTS, InformParty.CHILD), "de ouders (of voogd) en het kind zelf"),
        ((InformParty.CHILD,), "het kind zelf"),
    ],
)
def test_the_advice_names_whom_the_age_rule_gives(parties: tuple[InformParty, ...], advice: str) -> None:
    assert inform_advice(parties) == advice
