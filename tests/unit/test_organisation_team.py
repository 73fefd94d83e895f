"""An organisation's administrator (``org_admin``) and their colleagues, on fakes: only their own
organisation, only ``professional`` or ``org_admin``, a professional manages nobody, and every
invitation and disabling is logged under the administrator."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.console.ports import Invitation
from chalicelib.console.team import NewColleague, TeamService
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.domain.people import Person, Role
from chalicelib.services.audit import Audit
from local.clock import FixedClock
from tests.fakes import InMemoryIdentityProvider, InMemoryLogbook, RecordingMailer

CONSOLE = "https://verwijsindex.example.nl/console/inloggen"
GGD = Organisation(id="org_ggd", name="GGD Regio Utrecht", sector="jgz", region="utrecht")
ELS = Person("sub-els", "els", "Els de Wit", frozenset({Role.ORG_ADMIN}), organisation_id=GGD.id)
PIM = Person("sub-pim", "pim", "Pim Jansen", frozenset({Role.PROFESSIONAL}), organisation_id=GGD.id)


def _as(person: Person) -> Principal:
    return Principal(client_id=GGD.id, kind=PrincipalKind.ORGANISATION, organisation=GGD, person=person)


class World:
    def __init__(self, clock: FixedClock) -> None:
        self.identity = InMemoryIdentityProvider(clock.now)
        self.mailer = RecordingMailer()
        self.logbook = InMemoryLogbook()
        self.team = TeamService(self.identity, self.mailer, self.logbook, Audit(clock, new_id))
        for person in (ELS, PIM):
            invitation = Invitation(
                person.username,
                f"{person.username}@ggd.example.nl",
                person.display_name,
                person.roles,
                organisation_id=GGD.id,
            )
            self.identity.invite(invitation, "t")
        self.identity.invite(
            Invitation("bo", "bo@bt.example.nl", "Bo", frozenset({Role.PROFESSIONAL}), organisation_id="org_bt"), "t"
        )
        self.identity.invite(
            Invitation("ria", "ria@utrecht.example.nl", "Ria", frozenset({Role.REGIEVOERDER}), "0344"), "t"
        )

    def logged(self, action: Action) -> list[tuple[str | None, str | None, str | None]]:
        return [(e.person_name, e.organisation_id, e.detail) for e in self.logbook.entries if e.action is action]


@pytest.fixture
def world(clock: FixedClock) -> World:
    return World(clock)


def test_an_org_admin_sees_only_their_organisations_people(world: World) -> None:
    assert [a.person.username for a in world.team.colleagues(_as(ELS))] == ["els", "pim"]


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.ORG_ADMIN])
def test_an_org_admin_invites_into_their_own_organisation(world: World, role: Role) -> None:
    world.team.invite(_as(ELS), NewColleague("Sam Vos", "Sam@GGD.example.nl", role), CONSOLE)

    account = world.identity.account("sam@ggd.example.nl")
    assert account is not None and account.person.organisation_id == GGD.id
    assert account.person.municipality_code is None and account.person.roles == {role}
    [mail] = world.mailer.sent
    assert mail.to == "Sam@GGD.example.nl" and CONSOLE in mail.text
    assert world.logged(Action.PERSON_INVITED) == [("Els de Wit", GGD.id, f"sam@ggd.example.nl: {role}")]


@pytest.mark.parametrize("role", [Role.REGIEVOERDER, Role.PRIVACY_OFFICER, Role.MUNICIPAL_ADMIN, Role.ADMIN])
def test_an_org_admin_gives_no_municipal_or_system_role(world: World, role: Role) -> None:
    with pytest.raises(InvalidInput):
        world.team.invite(_as(ELS), NewColleague("X", "x@ggd.example.nl", role), CONSOLE)
    assert world.identity.account("x@ggd.example.nl") is None and world.mailer.sent == []


def test_a_professional_manages_no_colleagues(world: World) -> None:
    with pytest.raises(NotFound):
        world.team.colleagues(_as(PIM))
    with pytest.raises(NotFound):
        world.team.invite(_as(PIM), NewColleague("X", "x@ggd.example.nl", Role.PROFESSIONAL), CONSOLE)
    with pytest.raises(NotFound):
        world.team.disable(_as(PIM), "els")
    assert world.mailer.sent == [] and world.identity.account("els") is not None


def test_an_org_admin_disables_a_colleague_logged_under_them(world: World) -> None:
    world.team.disable(_as(ELS), "pim")
    account = world.identity.account("pim")
    assert account is not None and not account.enabled
    assert world.logged(Action.PERSON_DISABLED) == [("Els de Wit", GGD.id, "pim")]


@pytest.mark.parametrize("username", ["bo", "ria", "niemand"])
def test_someone_of_another_organisation_or_a_municipality_is_not_found(world: World, username: str) -> None:
    with pytest.raises(NotFound):
        world.team.disable(_as(ELS), username)
    account = world.identity.account(username)
    assert account is None or account.enabled
    assert world.logged(Action.PERSON_DISABLED) == []


def test_an_org_admin_cannot_disable_themselves(world: World) -> None:
    with pytest.raises(InvalidInput):
        world.team.disable(_as(ELS), "els")
