"""An organisation's administrator and its API tokens, on fakes: only their own organisation's,
only as ``org_admin``, the label normalised, the cap on active tokens kept, shown once and stored
as a hash, logged under the person; the authorizer records a use at most once an hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.bootstrap import new_id
from chalicelib.console.api_tokens import OrganisationTokenService
from chalicelib.domain.errors import InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.domain.people import Person, Role
from chalicelib.ports_registry import MAX_ACTIVE_TOKENS
from chalicelib.services import admin, auth
from chalicelib.services.audit import Audit
from local.clock import FixedClock
from tests.fakes import InMemoryLogbook, InMemoryRegistry


class World:
    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.registry = InMemoryRegistry()
        self.logbook = InMemoryLogbook()
        self.service = OrganisationTokenService(self.registry, self.logbook, Audit(clock, new_id), clock)
        self.ggd, self.ops_token = admin.create_organisation(self.registry, "GGD", "jgz", "utrecht", clock.now())
        self.other, _ = admin.create_organisation(self.registry, "Buurtteam", "wijkteam", "amsterdam", clock.now())

    def as_(self, organisation: Organisation, *roles: Role) -> Principal:
        person = Person("sub-els", "els", "Els de Wit", frozenset(roles or {Role.ORG_ADMIN}), None, organisation.id)
        return Principal(
            client_id=organisation.id, kind=PrincipalKind.ORGANISATION, organisation=organisation, person=person
        )

    def logged(self, action: Action) -> list[tuple[str | None, str | None, str | None]]:
        return [(e.person_name, e.organisation_id, e.detail) for e in self.logbook.entries if e.action is action]


@pytest.fixture
def world(clock: FixedClock) -> World:
    return World(clock)


def test_an_org_admin_issues_a_labelled_token_that_works_and_is_stored_as_a_hash(world: World) -> None:
    world.clock.set(world.clock.now() + timedelta(minutes=1))  # newest first: after the ops token
    issued = world.service.issue(world.as_(world.ggd), "  Zorg\u00a0dossier ")

    assert auth.authenticate(world.registry, f"Bearer {issued.token}").organisation == world.ggd
    [new, old] = world.service.tokens(world.as_(world.ggd))
    assert (new.token_id, new.label, new.active, new.created_at) == (
        issued.token_id,
        "Zorg dossier",
        True,
        world.clock.now(),
    )
    assert new.token_hash == auth.hash_token(issued.token) and issued.token not in repr(new)
    assert old.token_id == world.ops_token.token_id and old.label is None
    assert world.logged(Action.TOKEN_ISSUED) == [("Els de Wit", world.ggd.id, f"{issued.token_id}: Zorg dossier")]


@pytest.mark.parametrize("label", ["", "   ", "x" * 61, "a\u0000b"])
def test_a_label_must_be_visible_text_of_at_most_60_characters(world: World, label: str) -> None:
    with pytest.raises(InvalidInput):
        world.service.issue(world.as_(world.ggd), label)
    assert len(world.service.tokens(world.as_(world.ggd))) == 1


def test_the_cap_on_active_tokens_holds_and_revoking_one_makes_room(world: World) -> None:
    admin_of_ggd = world.as_(world.ggd)
    for number in range(MAX_ACTIVE_TOKENS - 1):
        world.service.issue(admin_of_ggd, f"Systeem {number}")
    with pytest.raises(InvalidInput):
        world.service.issue(admin_of_ggd, "Een te veel")
    world.service.revoke(admin_of_ggd, world.ops_token.token_id)
    world.service.issue(admin_of_ggd, "Nu past het")


def test_a_revoked_token_answers_401_and_the_revocation_is_logged(world: World) -> None:
    issued = world.service.issue(world.as_(world.ggd), "Dossier")
    world.service.revoke(world.as_(world.ggd), issued.token_id)
    with pytest.raises(Unauthenticated):
        auth.authenticate(world.registry, f"Bearer {issued.token}")
    world.service.revoke(world.as_(world.ggd), issued.token_id)  # twice: nothing more happens
    assert world.logged(Action.TOKEN_REVOKED) == [("Els de Wit", world.ggd.id, issued.token_id)]


def test_another_organisations_token_is_not_found(world: World) -> None:
    theirs = world.service.issue(world.as_(world.other), "Hun systeem")
    with pytest.raises(NotFound):
        world.service.revoke(world.as_(world.ggd), theirs.token_id)
    assert auth.authenticate(world.registry, f"Bearer {theirs.token}").organisation == world.other
    assert theirs.token_id not in [grant.token_id for grant in world.service.tokens(world.as_(world.ggd))]


def test_a_professional_manages_no_tokens(world: World) -> None:
    professional = world.as_(world.ggd, Role.PROFESSIONAL)
    with pytest.raises(NotFound):
        world.service.tokens(professional)
    with pytest.raises(NotFound):
        world.service.issue(professional, "Dossier")
    with pytest.raises(NotFound):
        world.service.revoke(professional, world.ops_token.token_id)
    assert auth.authenticate(world.registry, f"Bearer {world.ops_token.token}").organisation == world.ggd


def test_the_authorizer_writes_a_use_at_most_once_an_hour(world: World) -> None:
    """A thousand requests over ten hours cost ten writes: one per token per hour, never per request."""
    start = world.clock.now()
    for second in range(0, 10 * 3600, 36):
        auth.authenticate(world.registry, f"Bearer {world.ops_token.token}", start + timedelta(seconds=second))
    assert world.registry.use_writes == 10
    [grant] = world.service.tokens(world.as_(world.ggd))
    assert grant.last_used is not None and start + timedelta(hours=9) <= grant.last_used < start + timedelta(hours=10)
