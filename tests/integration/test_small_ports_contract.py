"""Contracts of the small ports, each held against its test double and its real adapter on moto:
the mailer, the pseudonym key and the clock."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.clock import SystemClock
from chalicelib.ports import EmailMessage
from local.clock import FixedClock
from tests import builders
from tests.fakes import RecordingMailer


def message(to: str) -> EmailMessage:
    return EmailMessage(to=to, subject="Verwijsindex: test", text="Tekst", html="<p>Tekst</p>")


class MailerContract:
    @pytest.fixture
    def mailer(self) -> Any:
        raise NotImplementedError

    def test_each_accepted_mail_gets_a_message_id_of_its_own(self, mailer: Any) -> None:
        ids = [mailer.send(message(f"p{n}@ggd.example.nl")) for n in range(3)]
        assert all(ids) and len(set(ids)) == 3


class TestRecordingMailer(MailerContract):
    @pytest.fixture
    def mailer(self) -> RecordingMailer:
        return RecordingMailer()


class TestSesMailer(MailerContract):
    @pytest.fixture
    def mailer(self, container: bootstrap.Container) -> Any:
        return container.mailer


class PseudonymKeyContract:
    @pytest.fixture
    def provider(self) -> Any:
        raise NotImplementedError

    def test_the_key_is_loaded_once_and_gives_stable_versioned_pseudonyms(self, provider: Any) -> None:
        pseudonymiser = provider()
        assert provider() is pseudonymiser
        first = pseudonymiser.child(builders.bsn(1))
        assert first == provider().child(builders.bsn(1)) != pseudonymiser.child(builders.bsn(2))
        assert first.key_version == "1"
        assert builders.bsn(1) not in repr(first)


class TestBuildersPseudonymiser(PseudonymKeyContract):
    @pytest.fixture
    def provider(self) -> Any:
        pseudonymiser = builders.pseudonymiser()
        return lambda: pseudonymiser


class TestSsmPseudonymKey(PseudonymKeyContract):
    @pytest.fixture
    def provider(self, container: bootstrap.Container) -> Any:
        return container.pseudonymiser

    def test_it_is_the_key_the_tests_give_the_builders(self, provider: Any) -> None:
        assert provider().child(builders.bsn(1)) == builders.pseudonymiser().child(builders.bsn(1))


@pytest.mark.parametrize("clock", [SystemClock(), FixedClock(builders.START)], ids=["system", "fixed"])
def test_a_clock_tells_an_aware_instant_in_utc(clock: Any) -> None:
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert now.tzinfo is not None and now.astimezone(UTC) == now
