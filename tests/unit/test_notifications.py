"""The e-mails a new signal causes (``notifications.plan``) and the archived owner's notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain import notifications
from chalicelib.domain.matching import Found, MatchKind, find_matches, match_id
from chalicelib.domain.model import Professional, Signal, SignalStatus
from chalicelib.domain.notifications import Audience, Notification
from tests import builders

START = builders.START
TODAY = date(2026, 11, 28)
HOUR = timedelta(hours=1)
REGIE = "regie@utrecht.example.nl"
GGD = builders.organisation()
BUURTTEAM = builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam", region="amsterdam")
SCHOOL = builders.organisation(id="org_linde", name="De Linde", sector="onderwijs")
VEILIG_THUIS = builders.organisation(id="org_vt", name="Veilig Thuis Utrecht", sector="veilig_thuis")
JANSEN = Professional("P. Jansen", "Jeugdverpleegkundige", "p.jansen@ggd.example.nl", "+31 30 123 4567")
BAKKER = Professional("A. Bakker", "Buurtwerker", "a.bakker@buurtteam.example.nl", "+31 20 555 0101")
DE_WIT = Professional("M. de Wit", "Intern begeleider", "m.dewit@linde.example.nl", "+31 30 222 3333")
SMIT = Professional("K. Smit", "Casemanager", "k.smit@veiligthuis.example.nl", "+31 30 444 5555")


def signal(seed: int, org: Any, professional: Professional, created_at: datetime = START, **overrides: Any) -> Signal:
    return builders.domain_signal(seed=seed, org=org, created_at=created_at, professional=professional, **overrides)


def by_audience(planned: list[Notification], audience: Audience) -> list[Notification]:
    return [notification for notification in planned if notification.audience is audience]


class Scene:
    """A new signal of the Buurtteam matching an active and an archived signal for the same
    child, and an active signal for a sibling at the same address."""

    def __init__(self) -> None:
        self.same_child = signal(1, GGD, JANSEN, case_reference="JGZ-1")
        self.archived = signal(
            1,
            VEILIG_THUIS,
            SMIT,
            START - 400 * 24 * HOUR,
            active_until=TODAY - timedelta(days=2),
            case_reference="VT-9",
        )
        self.sibling = signal(2, SCHOOL, DE_WIT, START + HOUR, case_reference="LINDE-3")
        self.new = signal(1, BUURTTEAM, BAKKER, START + 2 * HOUR, case_reference="BT-7")
        self.found = find_matches(self.new, [self.same_child, self.archived, self.new], [self.sibling], False, TODAY)

    def plan(self, regievoerder: str | None = None) -> list[Notification]:
        return notifications.plan(self.new, self.found, regievoerder)


def test_scene_has_an_active_and_an_archived_child_match_and_an_address_match() -> None:
    scene = Scene()
    assert [(item.signal.id, item.kind, item.status) for item in scene.found] == [
        (scene.archived.id, MatchKind.CHILD, SignalStatus.ARCHIVED),
        (scene.same_child.id, MatchKind.CHILD, SignalStatus.ACTIVE),
        (scene.sibling.id, MatchKind.ADDRESS, SignalStatus.ACTIVE),
    ]


def test_no_match_means_no_mail() -> None:
    new = signal(1, BUURTTEAM, BAKKER)

    assert notifications.plan(new, [], REGIE) == []


def test_new_signals_professional_gets_one_overview_of_every_party() -> None:
    scene = Scene()

    [own] = by_audience(scene.plan(), Audience.NEW_SIGNAL_OWNER)

    assert own.to == BAKKER.email
    assert own.recipient_name == BAKKER.name
    assert (own.own_signal_id, own.own_case_reference) == (scene.new.id, "BT-7")
    assert own.child.value == scene.new.child_pseudonym.value
    assert [(p.organisation, p.professional, p.status, p.kind, p.signal_created_at) for p in own.parties] == [
        (VEILIG_THUIS, SMIT, SignalStatus.ARCHIVED, MatchKind.CHILD, scene.archived.created_at),
        (GGD, JANSEN, SignalStatus.ACTIVE, MatchKind.CHILD, scene.same_child.created_at),
        (SCHOOL, DE_WIT, SignalStatus.ACTIVE, MatchKind.ADDRESS, scene.sibling.created_at),
    ]
    assert own.match_ids == tuple(
        match_id(scene.new.id, other.id) for other in (scene.archived, scene.same_child, scene.sibling)
    )


def test_each_active_matched_signals_professional_gets_one_mail_about_the_new_signal() -> None:
    scene = Scene()

    matched = by_audience(scene.plan(), Audience.MATCHED_OWNER)

    assert sorted(notification.to for notification in matched) == sorted([JANSEN.email, DE_WIT.email])
    for notification, other, kind in ((matched[0], scene.same_child, "child"), (matched[1], scene.sibling, "address")):
        assert notification.to == other.professional.email
        assert notification.recipient_name == other.professional.name
        assert (notification.own_signal_id, notification.own_case_reference) == (other.id, other.case_reference)
        assert notification.child.value == other.child_pseudonym.value
        assert notification.filed_under_signal_id == scene.new.id
        assert [(p.organisation, p.professional, p.status, p.kind.value) for p in notification.parties] == [
            (BUURTTEAM, BAKKER, SignalStatus.ACTIVE, kind)
        ]
        assert notification.match_ids == (match_id(scene.new.id, other.id),)


def test_address_match_mail_is_filed_under_the_recipients_own_child() -> None:
    scene = Scene()

    [about_sibling] = [n for n in scene.plan() if n.own_signal_id == scene.sibling.id]

    assert about_sibling.child.value == scene.sibling.child_pseudonym.value
    assert about_sibling.child.value != scene.new.child_pseudonym.value
    assert about_sibling.child.key_version == scene.sibling.child_pseudonym.key_version


def test_owner_of_an_archived_signal_gets_no_mail() -> None:
    scene = Scene()

    assert SMIT.email not in [notification.to for notification in scene.plan(REGIE)]


def test_only_archived_matches_mean_only_the_new_signals_professional_is_told() -> None:
    scene = Scene()
    archived_only = [item for item in scene.found if item.status is SignalStatus.ARCHIVED]

    planned = notifications.plan(scene.new, archived_only, None)

    assert [(n.audience, n.to) for n in planned] == [(Audience.NEW_SIGNAL_OWNER, BAKKER.email)]


def test_no_regievoerder_mail_without_an_address() -> None:
    assert by_audience(Scene().plan(None), Audience.REGIEVOERDER) == []
    assert by_audience(Scene().plan(""), Audience.REGIEVOERDER) == []


def test_regievoerder_gets_one_notice_naming_every_organisation_and_match() -> None:
    scene = Scene()

    [notice] = by_audience(scene.plan(REGIE), Audience.REGIEVOERDER)

    assert notice.to == REGIE
    assert notice.recipient_name is None
    assert notice.municipality_code == "0344"
    assert (notice.own_signal_id, notice.own_case_reference) == (None, None)
    assert [p.organisation for p in notice.parties] == [BUURTTEAM, VEILIG_THUIS, GGD, SCHOOL]
    assert notice.parties[0].status is SignalStatus.ACTIVE
    assert set(notice.match_ids) == {
        match_id(scene.new.id, other.id) for other in (scene.archived, scene.same_child, scene.sibling)
    }
    assert notice.child.value == scene.new.child_pseudonym.value


def test_every_recipient_of_one_new_signal_has_its_own_key() -> None:
    scene = Scene()

    planned = scene.plan(REGIE)

    assert len(planned) == 4
    keys = [notification.key for notification in planned]
    assert len(set(keys)) == len(keys)
    assert {notification.filed_under_signal_id for notification in planned} == {scene.new.id}
    assert {notification.filed_under_child_pseudonym for notification in planned} == {scene.new.child_pseudonym.value}


def test_the_plan_is_the_same_on_every_redelivery() -> None:
    scene = Scene()

    first = scene.plan(REGIE)
    again = notifications.plan(
        scene.new, find_matches(scene.new, [scene.same_child, scene.archived], [scene.sibling], False, TODAY), REGIE
    )

    assert again == first


def test_overview_is_planned_before_the_mails_to_matched_professionals() -> None:
    new = signal(1, BUURTTEAM, BAKKER, START + HOUR)
    other = signal(1, GGD, JANSEN)

    planned = notifications.plan(new, [Found(MatchKind.CHILD, other, SignalStatus.ACTIVE)], None)

    assert [(n.audience, n.to) for n in planned] == [
        (Audience.NEW_SIGNAL_OWNER, BAKKER.email),
        (Audience.MATCHED_OWNER, JANSEN.email),
    ]


# The archived owner's notice


def test_archived_notice_goes_to_the_signals_own_professional_once() -> None:
    archived = signal(1, GGD, JANSEN, case_reference="JGZ-1", delete_after=date(2033, 11, 28))

    notice = notifications.archived_notice(archived)

    assert notice.audience is Audience.ARCHIVED_OWNER
    assert (notice.to, notice.recipient_name) == (JANSEN.email, JANSEN.name)
    assert (notice.own_signal_id, notice.own_case_reference) == (archived.id, "JGZ-1")
    assert notice.archived_until == date(2033, 11, 28)
    assert notice.parties == ()
    assert notice.match_ids == ()
    assert notice.key == "archived"
    assert notice.filed_under_signal_id == archived.id
    assert notice.child.value == notice.filed_under_child_pseudonym == archived.child_pseudonym.value
