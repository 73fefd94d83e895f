"""A hand-over tells the new professional by mail, exactly once, on in-memory fakes."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Professional, Signal
from chalicelib.services.audit import Audit
from chalicelib.services.hand_over_mail import HandOverMail
from chalicelib.services.signals import SignalService
from local.clock import FixedClock
from tests import builders
from tests.fakes import InMemoryLogbook, InMemoryNotificationLedger, InMemorySignalStore, MailRefused, RecordingMailer

GGD = builders.organisation_principal()
PORTAL = "https://verwijsindex.example.nl/console/"
COLLEAGUE = Professional("Q. de Boer", "Wijkverpleegkundige", "q.deboer@ggd.example.nl", "+31 30 765 4321")


class Scene:
    def __init__(self, portal_url: str | None = PORTAL) -> None:
        self.logbook = InMemoryLogbook()
        self.store = InMemorySignalStore(self.logbook)
        self.ledger = InMemoryNotificationLedger(self.logbook)
        self.mailer = RecordingMailer()
        audit = Audit(FixedClock(builders.START), new_id)
        mail = HandOverMail(self.ledger, self.mailer, audit, portal_url=portal_url)
        self.service = SignalService(self.store, self.logbook, builders.pseudonymiser, audit, hand_over_mail=mail)

    def signal(self) -> Signal:
        return self.service.register(GGD, builders.new_signal(), None).signal


@pytest.fixture
def scene() -> Scene:
    return Scene()


def test_new_professional_gets_one_mail_naming_signal_case_organisation_and_predecessor(scene: Scene) -> None:
    signal = scene.signal()
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    assert [message.to for message in scene.mailer.sent] == [COLLEAGUE.email]
    mail = scene.mailer.sent[0]
    assert mail.subject == "Verwijsindex: een collega heeft een melding aan u overgedragen"
    for part in (mail.text, mail.html):
        assert "Q. de Boer" in part
        assert signal.id in part
        assert "JGZ-2026-0042" in part
        assert "GGD Regio Utrecht" in part
        assert "P. Jansen" in part
        assert f"{PORTAL}portaal/meldingen/{signal.id}" in part


def test_hand_over_mail_carries_no_child_data_or_bsn(scene: Scene) -> None:
    signal = scene.signal()
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    mail = scene.mailer.sent[0]
    for forbidden in (builders.bsn(1), "Sanne", "Vries", "2014", "3511", "Dorpsstraat"):
        assert forbidden not in mail.text
        assert forbidden not in mail.html


def test_hand_over_to_the_same_address_sends_nothing(scene: Scene) -> None:
    signal = scene.signal()
    same = Professional("P. Jansen-de Wit", "Teamleider", "P.Jansen@GGD.example.nl ", "+31 30 000 0000")
    scene.service.hand_over(GGD, signal.id, same)
    assert scene.mailer.sent == []


def test_a_retried_hand_over_sends_nothing_more(scene: Scene) -> None:
    signal = scene.signal()
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    assert len(scene.mailer.to(COLLEAGUE.email)) == 1


def test_the_mail_of_one_hand_over_goes_once_through_the_ledger(scene: Scene) -> None:
    signal = scene.signal()
    handed = scene.service.hand_over(GGD, signal.id, COLLEAGUE).signal
    mail = HandOverMail(scene.ledger, scene.mailer, Audit(FixedClock(builders.START), new_id), portal_url=PORTAL)
    mail.tell(GGD, signal.professional, handed)
    assert len(scene.mailer.sent) == 1
    sent = [entry for entry in scene.logbook.entries if entry.action is Action.NOTIFICATION_SENT]
    assert [(entry.signal_id, entry.detail) for entry in sent] == [(signal.id, "handed_over")]


def test_handing_back_tells_the_first_professional_again(scene: Scene) -> None:
    signal = scene.signal()
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    scene.service.hand_over(GGD, signal.id, signal.professional)
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    assert [message.to for message in scene.mailer.sent] == [
        COLLEAGUE.email,
        signal.professional.email,
        COLLEAGUE.email,
    ]


def test_a_refused_mail_releases_its_claim(scene: Scene) -> None:
    signal = scene.signal()
    scene.mailer.fail_for(COLLEAGUE.email)
    with pytest.raises(MailRefused):
        scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    assert scene.mailer.sent == []
    assert all(record.status != "sending" for record in scene.ledger.records.values())


def test_without_a_portal_address_the_mail_has_no_link() -> None:
    scene = Scene(portal_url=None)
    signal = scene.signal()
    scene.service.hand_over(GGD, signal.id, COLLEAGUE)
    assert "portaal" not in scene.mailer.sent[0].text
    assert "href" not in scene.mailer.sent[0].html
