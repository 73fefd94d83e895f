"""A municipal administrator's colleagues on fakes: only their own municipality, only municipal
roles, and every invitation and disabling logged under the administrator."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.console.ports import Invitation
from chalicelib.console.team import NewColleague, TeamService
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Principal, PrincipalKind
from chalicelib.domain.people import Person, Role
from chalicelib.services.audit import Audit
from local.clock import FixedClock
from tests.fakes import InMemoryIdentityProvider, InMemoryLogbook, RecordingMailer

CONSOLE = "https://verwijsindex.example.nl/console/inloggen"
BAS = Person("sub-bas", "bas", "Bas Smit", frozenset({Role.MUNICIPAL_ADMIN}), "0344")


def _as(person: Person) -> Principal:
    return Principal(
        client_id=f"gm{person.municipality_code}",
        kind=PrincipalKind.MUNICIPALITY,
        municipality_code=person.municipality_code,
        region="utrecht",
        person=person,
    )


class World:
    def __init__(self, clock: FixedClock) -> None:
        self.identity = InMemoryIdentityProvider(clock.now)
        self.mailer = RecordingMailer()
        self.logbook = InMemoryLogbook()
        self.team = TeamService(self.identity, self.mailer, self.logbook, Audit(clock, new_id))
        self.identity.invite(Invitation("bas", "bas@utrecht.example.nl", "Bas Smit", BAS.roles, "0344"), "t")
        self.identity.invite(
            Invitation("olga", "olga@amsterdam.example.nl", "Olga", frozenset({Role.REGIEVOERDER}), "0363"), "t"
        )

    def logged(self, action: Action) -> list[tuple[str | None, str | None, str | None]]:
        return [(e.person_name, e.municipality_code, e.detail) for e in self.logbook.entries if e.action is action]


@pytest.fixture
def world(clock: FixedClock) -> World:
    return World(clock)


def test_an_admin_invites_into_their_own_municipality_by_e_mail(world: World) -> None:
    world.team.invite(_as(BAS), NewColleague("Ria Vermeer", "Ria@Utrecht.example.nl", Role.REGIEVOERDER), CONSOLE)

    account = world.identity.account("ria@utrecht.example.nl")
    assert account is not None and account.person.municipality_code == "0344"
    assert account.person.roles == {Role.REGIEVOERDER}
    [mail] = world.mailer.sent
    assert mail.to == "Ria@Utrecht.example.nl" and CONSOLE in mail.text
    assert world.logged(Action.PERSON_INVITED) == [("Bas Smit", "0344", "ria@utrecht.example.nl: regievoerder")]
    assert [a.person.username for a in world.team.colleagues(_as(BAS))] == ["bas", "ria@utrecht.example.nl"]


def test_an_admin_gives_no_role_outside_the_municipal_ones(world: World) -> None:
    for role in (Role.ADMIN, Role.PROFESSIONAL, Role.ORG_ADMIN):
        with pytest.raises(InvalidInput):
            world.team.invite(_as(BAS), NewColleague("X", "x@utrecht.example.nl", role), CONSOLE)
    assert world.identity.account("x@utrecht.example.nl") is None and world.mailer.sent == []


def test_a_second_invitation_for_the_same_address_is_refused_before_any_mail(world: World) -> None:
    colleague = NewColleague("Ria Vermeer", "ria@utrecht.example.nl", Role.REGIEVOERDER)
    world.team.invite(_as(BAS), colleague, CONSOLE)
    with pytest.raises(Conflict):
        world.team.invite(_as(BAS), colleague, CONSOLE)
    assert len(world.mailer.sent) == 1


def test_disabling_someone_of_another_municipality_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.team.disable(_as(BAS), "olga")
    with pytest.raises(NotFound):
        world.team.disable(_as(BAS), "niemand")
    account = world.identity.account("olga")
    assert account is not None and account.enabled
    assert world.logged(Action.PERSON_DISABLED) == []


def test_an_admin_disables_a_colleague_and_it_is_logged(world: World) -> None:
    world.team.invite(_as(BAS), NewColleague("Ria Vermeer", "ria@utrecht.example.nl", Role.REGIEVOERDER), CONSOLE)
    world.team.disable(_as(BAS), "ria@utrecht.example.nl")
    account = world.identity.account("ria@utrecht.example.nl")
    assert account is not None and not account.enabled
    assert world.logged(Action.PERSON_DISABLED) == [("Bas Smit", "0344", "ria@utrecht.example.nl")]


def test_an_admin_cannot_disable_themselves(world: World) -> None:
    with pytest.raises(InvalidInput):
        world.team.disable(_as(BAS), "bas")


def test_only_a_municipal_admin_manages_colleagues(world: World) -> None:
    ria = Person("sub-ria", "ria", "Ria", frozenset({Role.REGIEVOERDER}), "0344")
    with pytest.raises(NotFound):
        world.team.colleagues(_as(ria))
    with pytest.raises(NotFound):
        world.team.invite(_as(ria), NewColleague("X", "x@utrecht.example.nl", Role.REGIEVOERDER), CONSOLE)
