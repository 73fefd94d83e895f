"""A hand-over through the API tells the new professional once, in the outbox of moto's SES."""

from __future__ import annotations

from tests import builders

SUCCESSOR = builders.professional(
    name="M. de Boer", function="Jeugdarts", email="m.deboer@ggd.example.nl", phone="030 765 4321"
)


def test_new_professional_gets_one_mail_about_the_hand_over(api, org_token, outbox):
    signal = api.create_signal(org_token)

    api.hand_over(org_token, signal["id"], SUCCESSOR).ok()
    api.hand_over(org_token, signal["id"], SUCCESSOR).ok()  # the same hand-over again

    mails = [mail for mail in outbox() if mail["to"] == SUCCESSOR["email"]]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["subject"] == "Verwijsindex: een collega heeft een melding aan u overgedragen"
    assert signal["id"] in mail["text"]
    assert "JGZ-2026-0042" in mail["text"]
    assert "P. Jansen" in mail["text"]
    for child_data in (builders.bsn(1), "Sanne", "Vries", "Dorpsstraat"):
        assert child_data not in mail["raw"]


def test_hand_over_to_the_same_address_sends_no_mail(api, org_token, outbox):
    signal = api.create_signal(org_token)

    api.hand_over(org_token, signal["id"], builders.professional(name="P. Jansen-de Wit")).ok()

    assert outbox() == []
