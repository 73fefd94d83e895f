"""Rendering notifications into Dutch e-mails: what each recipient reads, and what no one reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import notifications
from chalicelib.domain.matching import find_matches, match_id
from chalicelib.domain.model import Address, Child, Gender, Professional, Signal
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.ports import EmailMessage
from chalicelib.services.mail import render
from tests import builders

START = builders.START
TODAY = date(2026, 11, 28)
HOUR = timedelta(hours=1)
REGIE = "regie@zeist.example.nl"
KEYS = builders.pseudonymiser()

GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam", region="amsterdam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs", region="utrechtse-heuvelrug")
VEILIG_THUIS = builders.organisation(id="org_vt", name="Veilig Thuis Utrecht", sector="veilig_thuis")
# Phone numbers are stored in E.164, as the API stores them; mails show them as dialled at home.
JANSEN = Professional("P. Jansen", "Jeugdverpleegkundige", "p.jansen@ggd.example.nl", "+31301234567")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31205550101")
DE_WIT = Professional("M. de Wit", "Intern begeleider", "m.dewit@linde.example.nl", "+31302223333")
SMIT = Professional("K. Smit", "Casemanager", "k.smit@veiligthuis.example.nl", "+31304445555")
SHOWN_PHONE = {
    JANSEN.phone: "030 123 4567",
    BAKKER.phone: "020 555 0101",
    DE_WIT.phone: "030 222 3333",
    SMIT.phone: "030 444 5555",
}

HOME = Address(
    street="Kastanjelaan",
    house_number=137,
    house_letter="b",
    house_number_suffix="2hg",
    postcode="3701XK",
    city="Zeist",
    municipality_code="0355",
)
FLEUR = Child(
    given_names="Fleur Anouk",
    family_name_prefix="van",
    family_name="Rijsbergen",
    birth_date=date(2013, 7, 19),
    gender=Gender.FEMALE,
    address=HOME,
)
DAAN = Child(
    given_names="Daan",
    family_name_prefix="van",
    family_name="Rijsbergen",
    birth_date=date(2016, 2, 3),
    gender=Gender.MALE,
    address=HOME,
)
FLEUR_BSN = builders.bsn(41)
DAAN_BSN = builders.bsn(42)

CHILD_DATA = [
    "Fleur",
    "Anouk",
    "Daan",
    "Rijsbergen",
    "Kastanjelaan",
    "3701XK",
    "3701 XK",
    "Zeist",
    "2hg",
    "19-07-2013",
    "2013-07-19",
    "19/07/2013",
    "19 juli 2013",
    "03-02-2016",
    "2016-02-03",
    "3 februari 2016",
    FLEUR_BSN,
    DAAN_BSN,
    KEYS.child(FLEUR_BSN).value,
    KEYS.child(FLEUR_BSN).value[:16],
    KEYS.child(DAAN_BSN).value,
    KEYS.child(DAAN_BSN).value[:16],
    KEYS.address(HOME).value,
    KEYS.address(HOME).value[:16],
]


def signal(
    child: Child, bsn: str, org: Any, professional: Professional, created_at: datetime, **overrides: Any
) -> Signal:
    return builders.domain_signal(
        org=org,
        created_at=created_at,
        professional=professional,
        birth_date=child.birth_date,
        child=child,
        child_pseudonym=KEYS.child(bsn),
        address_pseudonym=KEYS.address(child.address),
        **overrides,
    )


class Scene:
    """The Buurtteam signals Fleur: the GGD has an active and Veilig Thuis an archived signal for
    her, and her brother Daan's school has one at the same address."""

    def __init__(self, new_professional: Professional = BAKKER, matched_professional: Professional = JANSEN) -> None:
        self.archived = signal(
            FLEUR,
            FLEUR_BSN,
            VEILIG_THUIS,
            SMIT,
            datetime(2025, 10, 24, 9, 0, tzinfo=UTC),
            active_until=TODAY - timedelta(days=2),
            case_reference="VT-9",
        )
        # Late in the evening in the Netherlands: the mail shows the Dutch date, 29-11-2026.
        self.same_child = signal(
            FLEUR,
            FLEUR_BSN,
            GGD,
            matched_professional,
            datetime(2026, 11, 28, 23, 30, tzinfo=UTC),
            case_reference="JGZ-1",
        )
        self.sibling = signal(
            DAAN, DAAN_BSN, SCHOOL, DE_WIT, datetime(2026, 11, 30, 8, 0, tzinfo=UTC), case_reference=None
        )
        self.new = signal(
            FLEUR,
            FLEUR_BSN,
            BUURTTEAM,
            new_professional,
            datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
            case_reference="BT-7",
        )
        found = find_matches(self.new, [self.archived, self.same_child], [self.sibling], False, date(2026, 12, 1))
        assert len(found) == 3
        self.planned = notifications.plan(self.new, found, REGIE)

    def notification(self, audience: Audience, to: str | None = None) -> Notification:
        return next(n for n in self.planned if n.audience is audience and (to is None or n.to == to))

    def mail(self, audience: Audience, to: str | None = None) -> EmailMessage:
        return render(self.notification(audience, to))


def archived_mail() -> EmailMessage:
    expired = signal(
        FLEUR,
        FLEUR_BSN,
        GGD,
        JANSEN,
        START,
        active_until=date(2027, 1, 31),
        delete_after=date(2032, 1, 31),
        case_reference="JGZ-1",
    )
    return render(notifications.archived_notice(expired))


def every_mail() -> list[EmailMessage]:
    return [render(notification) for notification in Scene().planned] + [archived_mail()]


# Subject, parts and language


@pytest.mark.parametrize(
    ("audience", "subject"),
    [
        (Audience.NEW_SIGNAL_OWNER, "Verwijsindex: uw melding heeft een match"),
        (Audience.MATCHED_OWNER, "Verwijsindex: nieuwe match met uw melding"),
        (Audience.REGIEVOERDER, "Verwijsindex: nieuwe match in uw gemeente"),
    ],
)
def test_each_audience_gets_its_own_dutch_subject(audience: Audience, subject: str) -> None:
    mail = Scene().mail(audience)

    assert mail.subject == subject
    assert f"<title>{subject}</title>" in mail.html


def test_archived_owner_gets_the_archived_subject() -> None:
    assert archived_mail().subject == "Verwijsindex: uw melding is gearchiveerd"


def test_every_mail_has_plain_text_and_dutch_html() -> None:
    for mail in every_mail():
        assert mail.text.strip()
        assert "<" not in mail.text
        assert mail.html.startswith("<!doctype html>")
        assert '<html lang="nl">' in mail.html
        assert "Dit bericht bevat bewust geen gegevens over het kind." in mail.text


def test_mail_goes_to_the_notifications_recipient() -> None:
    scene = Scene()

    assert [render(n).to for n in scene.planned] == [n.to for n in scene.planned]
    assert scene.mail(Audience.MATCHED_OWNER, DE_WIT.email).text.startswith("Beste M. de Wit,")


# The recipient's own signal


def test_new_signals_professional_reads_their_own_signal_id_and_case_reference() -> None:
    scene = Scene()

    mail = scene.mail(Audience.NEW_SIGNAL_OWNER)

    for part in (mail.text, mail.html):
        assert scene.new.id in part
        assert "BT-7" in part
    assert f"Uw melding: {scene.new.id} (uw kenmerk: BT-7)" in mail.text


def test_matched_professional_reads_their_own_signal_not_the_new_one() -> None:
    scene = Scene()

    mail = scene.mail(Audience.MATCHED_OWNER, JANSEN.email)

    assert f"Uw melding: {scene.same_child.id} (uw kenmerk: JGZ-1)" in mail.text
    assert scene.same_child.id in mail.html
    assert "BT-7" not in mail.text + mail.html
    assert scene.new.id not in mail.text + mail.html


def test_signal_without_case_reference_shows_no_case_reference_line() -> None:
    scene = Scene()

    mail = scene.mail(Audience.MATCHED_OWNER, DE_WIT.email)

    assert f"Uw melding: {scene.sibling.id}\n" in mail.text
    assert "kenmerk:" not in mail.text


def test_match_ids_are_listed() -> None:
    scene = Scene()

    overview = scene.mail(Audience.NEW_SIGNAL_OWNER)
    matched = scene.mail(Audience.MATCHED_OWNER, JANSEN.email)

    for other in (scene.archived, scene.same_child, scene.sibling):
        assert match_id(scene.new.id, other.id) in overview.text
        assert match_id(scene.new.id, other.id) in overview.html
    assert f"Match-id: {match_id(scene.new.id, scene.same_child.id)}" in matched.text


# The parties


def party_block(text: str, organisation_name: str) -> str:
    """The lines of one numbered party in the plain-text mail."""
    start = text.index(f". {organisation_name} (")
    end = text.find("\n\n", start)
    return text[start:end]


def test_overview_shows_every_party_with_organisation_sector_contact_date_status_and_kind() -> None:
    mail = Scene().mail(Audience.NEW_SIGNAL_OWNER)

    expected = {
        "Veilig Thuis Utrecht": (
            "Veilig Thuis",
            "utrecht",
            SMIT,
            "24-10-2025",
            "gearchiveerd (historie)",
            "zelfde kind",
        ),
        "GGD Regio Utrecht": ("Jeugdgezondheidszorg", "utrecht", JANSEN, "29-11-2026", "actief", "zelfde kind"),
        "De Linde": ("Onderwijs", "utrechtse-heuvelrug", DE_WIT, "30-11-2026", "actief", "zelfde adres"),
    }
    for name, (sector, region, professional, day, status, kind) in expected.items():
        block = party_block(mail.text, name)
        assert f"{name} ({sector}, regio {region})" in block
        assert f"Soort match: {kind}" in block
        assert f"Status melding: {status}" in block
        assert f"Gemeld op: {day}" in block
        assert f"Professional: {professional.name}, {professional.function}" in block
        assert f"Telefoon: {SHOWN_PHONE[professional.phone]}" in block
        assert f"E-mail: {professional.email}" in block
        for value in (
            name,
            sector,
            region,
            professional.name,
            professional.function,
            SHOWN_PHONE[professional.phone],
            day,
            status,
            kind,
        ):
            assert f"<td>{value}</td>" in mail.html, value
        assert f'<a href="mailto:{professional.email}">{professional.email}</a>' in mail.html


def test_parties_are_listed_in_the_order_they_were_found() -> None:
    text = Scene().mail(Audience.NEW_SIGNAL_OWNER).text

    assert text.index("1. Veilig Thuis Utrecht") < text.index("2. GGD Regio Utrecht") < text.index("3. De Linde")


def test_matched_professional_reads_the_new_signals_professional() -> None:
    mail = Scene().mail(Audience.MATCHED_OWNER, DE_WIT.email)

    block = party_block(mail.text, "Buurtteam Oost")
    assert "Buurtteam Oost (Wijkteam / buurtteam, regio amsterdam)" in block
    assert "Soort match: zelfde adres" in block
    assert "Status melding: actief" in block
    assert "Gemeld op: 01-12-2026" in block
    assert f"Professional: {BAKKER.name}, {BAKKER.function}" in block
    assert f"Telefoon: {SHOWN_PHONE[BAKKER.phone]}" in block
    assert f"E-mail: {BAKKER.email}" in block
    assert "GGD Regio Utrecht" not in mail.text
    assert JANSEN.email not in mail.text + mail.html


def test_regievoerder_notice_names_organisations_but_no_professionals() -> None:
    scene = Scene()

    mail = scene.mail(Audience.REGIEVOERDER)

    assert mail.text.startswith("Beste regievoerder,")
    assert "CBS-code 0355" in mail.text
    for name in ("Buurtteam Oost", "Veilig Thuis Utrecht", "GGD Regio Utrecht", "De Linde"):
        assert name in mail.text
        assert f"<td>{name}</td>" in mail.html
    for professional in (BAKKER, JANSEN, DE_WIT, SMIT):
        shown = (professional.name, professional.function, SHOWN_PHONE[professional.phone], professional.email)
        for detail in (*shown, professional.phone):
            assert detail not in mail.text
            assert detail not in mail.html
    assert "Telefoon" not in mail.text + mail.html
    assert "mailto:" not in mail.html
    for other in (scene.archived, scene.same_child, scene.sibling):
        assert match_id(scene.new.id, other.id) in mail.text


# The archived owner's notice


def test_archived_notice_names_the_signal_and_the_last_day_it_is_kept() -> None:
    mail = archived_mail()

    assert mail.to == JANSEN.email
    assert mail.text.startswith(f"Beste {JANSEN.name},")
    for part in (mail.text, mail.html):
        assert "(uw kenmerk: JGZ-1)" in part
        assert "31-01-2032" in part


# Escaping


def test_html_escapes_a_professionals_name() -> None:
    hostile = Professional("<script>alert(1)</script> Jansen", "<b>Arts</b>", "x@ggd.example.nl", "06 <i>1</i>")
    scene = Scene(matched_professional=hostile)

    mail = scene.mail(Audience.NEW_SIGNAL_OWNER)

    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Jansen" in mail.html
    assert "<b>Arts</b>" not in mail.html
    assert "&lt;b&gt;Arts&lt;/b&gt;" in mail.html
    assert "<i>1</i>" not in mail.html
    # Plain text is not HTML: it shows the name as typed.
    assert "<script>alert(1)</script> Jansen" in mail.text


def test_html_escapes_the_recipients_own_name_and_case_reference() -> None:
    hostile = Professional('A. "Bakker" <img src=x onerror=alert(1)>', "Buurtwerker", "a@b.example.nl", "1")
    scene = Scene(new_professional=hostile)
    notification = scene.notification(Audience.NEW_SIGNAL_OWNER)

    mail = render(replace(notification, own_case_reference="<b>BT</b>"))

    assert "<img" not in mail.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in mail.html
    assert "<b>BT</b>" not in mail.html
    assert "&lt;b&gt;BT&lt;/b&gt;" in mail.html


# No child data


@pytest.mark.parametrize("forbidden", CHILD_DATA)
def test_no_mail_carries_any_data_about_the_child(forbidden: str) -> None:
    # Case-sensitive: upper-case ULIDs and lower-case hex ids could hold "DAAN" or "2hg" by chance.
    for mail in every_mail():
        assert forbidden not in mail.subject
        assert forbidden not in mail.text, mail.subject
        assert forbidden not in mail.html, mail.subject


def test_the_signals_behind_the_mails_hold_the_child_data_looked_for() -> None:
    scene = Scene()
    assert scene.new.child.given_names == "Fleur Anouk"
    assert scene.sibling.child.address.postcode == "3701XK"
    assert scene.new.child_pseudonym == KEYS.child(FLEUR_BSN)
    assert len(every_mail()) == 5
