"""A signal's check against the population register (BRP), as the API and the portal show it: the
status only, every state the register can give in Dutch, nothing without the register."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from chalicelib.console import portal_signals, views
from chalicelib.domain import wording
from chalicelib.domain.matching import SignalWithMatches
from chalicelib.domain.model import SignalStatus, Verification
from chalicelib.presenters import signal_out
from chalicelib.schemas import SignalOut
from tests import builders

TODAY = date(2026, 11, 28)


def test_the_contract_lists_every_verification_the_index_stores() -> None:
    field = SignalOut.model_fields["verification"]

    assert set(get_args(field.annotation)) == {state.value for state in Verification}
    assert field.description is not None
    for state in Verification:
        assert f"`{state.value}`" in field.description


@pytest.mark.parametrize("state", list(Verification))
def test_a_signal_out_carries_its_verification(state: Verification) -> None:
    read = SignalWithMatches.of(builders.domain_signal(verification=state))

    shown = signal_out(read, SignalStatus.ACTIVE, TODAY).model_dump(mode="json")

    assert shown["verification"] == state.value


def test_a_signal_stored_without_the_register_reads_not_checked() -> None:
    shown = signal_out(SignalWithMatches.of(builders.domain_signal()), SignalStatus.ACTIVE, TODAY)

    assert shown.verification == "not_checked"


def test_every_state_the_register_gives_has_dutch_words_and_advice() -> None:
    checked = set(Verification) - {Verification.NOT_CHECKED}

    assert set(wording.VERIFICATIONS) == checked
    assert set(wording.VERIFICATION_ADVICE) == checked
    assert all(words.strip() for words in [*wording.VERIFICATIONS.values(), *wording.VERIFICATION_ADVICE.values()])


def test_a_mismatch_says_what_to_do_without_a_value_from_the_register() -> None:
    advice = wording.VERIFICATION_ADVICE[Verification.MISMATCHED]

    assert "onterecht" in advice and "nieuwe melding" in advice
    assert "BSN" in advice and "achternaam" in advice and "geboortedatum" in advice
    assert "vanzelf" in wording.VERIFICATION_ADVICE[Verification.PENDING]


# The portal's pages, rendered as the routes render them.


def _signal_page(state: Verification) -> str:
    read = SignalWithMatches.of(builders.domain_signal(verification=state))
    view = portal_signals.signal_view(read, SignalStatus.ACTIVE)
    return str(views.page("portal_melding.html", {"title": "Melding", "signal": view}).body)


def _list_page(*states: Verification) -> str:
    rows = [
        portal_signals.list_row(SignalWithMatches.of(builders.domain_signal(seed, verification=state)), None)
        for seed, state in enumerate(states, 1)
    ]
    context = {"title": "Mijn meldingen", "rows": rows, "whole": False, "toggle": True}
    return str(views.page("portal_meldingen.html", context).body)


def test_without_the_register_the_portal_says_nothing_about_it() -> None:
    assert "BRP" not in _signal_page(Verification.NOT_CHECKED)
    assert "BRP" not in _list_page(Verification.NOT_CHECKED, Verification.NOT_CHECKED)


def test_a_mismatched_signal_page_warns_with_a_heading_and_says_what_to_do() -> None:
    page = _signal_page(Verification.MISMATCHED)

    warning = page[page.index('<div class="utrecht-alert utrecht-alert--warning" id="brp-controle">') :]
    assert warning.index("Let op: deze melding klopt niet met de BRP") < warning.index("</div>")
    assert "onterecht" in warning[: warning.index("</div>")]
    assert "<strong>Klopt niet met de BRP</strong>" in page


def test_a_pending_signal_page_informs_and_a_verified_one_only_states_it() -> None:
    pending = _signal_page(Verification.PENDING)
    verified = _signal_page(Verification.VERIFIED)

    assert '<div class="utrecht-alert utrecht-alert--info" id="brp-controle">' in pending
    assert "vanzelf" in pending
    assert "brp-controle" not in verified and "Gecontroleerd in de BRP" in verified


def test_the_list_shows_each_check_and_marks_a_mismatch_in_words() -> None:
    page = _list_page(Verification.VERIFIED, Verification.PENDING, Verification.MISMATCHED, Verification.NOT_CHECKED)

    assert "Controle in de BRP</th>" in page
    assert "Gecontroleerd in de BRP" in page and "Nog niet gecontroleerd in de BRP" in page
    assert "<strong>Klopt niet met de BRP</strong>" in page
    assert '<td class="utrecht-table__cell">\u2013</td>' in page  # signalled before the register was on
