"""Whose signals "Mijn meldingen" lists: the person's own, by the professional's e-mail address."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.console.portal_signals import handled_by
from chalicelib.domain.matching import SignalWithMatches
from tests import builders


def read(seed: int, email: str) -> SignalWithMatches:
    signal = builders.domain_signal(seed=seed)
    return SignalWithMatches(signal=replace(signal, professional=replace(signal.professional, email=email)))


def test_my_signals_are_those_on_my_address_however_it_is_written() -> None:
    mine, colleagues = read(1, "P.Jansen@ggd.example.nl"), read(2, "k.smit@ggd.example.nl")

    assert handled_by([mine, colleagues], " p.jansen@GGD.example.nl ") == [mine]


def test_without_an_address_on_the_account_nothing_is_mine() -> None:
    assert handled_by([read(1, "p.jansen@ggd.example.nl")], None) == []
