"""An administrator's colleagues: list, invite and disable, within their own municipality or organisation.

A municipal administrator manages the people of their municipality, with the municipal roles; an
organisation's administrator (``org_admin``) the people of their organisation, as ``professional``
or ``org_admin``. Neither can invite into, list or disable in another municipality or
organisation: an account elsewhere is answered as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.console import invitations
from chalicelib.console.ports import Account, IdentityProvider, Invitation
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Principal
from chalicelib.domain.people import MUNICIPAL_ROLES, ORGANISATION_ROLES, Person, Role
from chalicelib.ports import Logbook, Mailer
from chalicelib.services.audit import Audit


@dataclass(frozen=True)
class NewColleague:
    display_name: str
    email: str
    role: Role


@dataclass(frozen=True)
class Team:
    """Whose people an administrator manages, and the roles they may give."""

    roles: frozenset[Role]
    municipality_code: str | None = None
    organisation_id: str | None = None

    def holds(self, person: Person) -> bool:
        if self.municipality_code is not None:
            return person.municipality_code == self.municipality_code
        return person.organisation_id == self.organisation_id


def team_of(principal: Principal) -> Team:
    """The team ``principal``'s person administers: their municipality's or their organisation's."""
    person = principal.person
    if person is not None and principal.municipality_code and person.has(Role.MUNICIPAL_ADMIN):
        return Team(MUNICIPAL_ROLES, municipality_code=principal.municipality_code)
    if person is not None and principal.organisation is not None and person.has(Role.ORG_ADMIN):
        return Team(ORGANISATION_ROLES, organisation_id=principal.organisation.id)
    raise NotFound("no colleagues to manage")


class TeamService:
    def __init__(self, identity: IdentityProvider, mailer: Mailer, logbook: Logbook, audit: Audit) -> None:
        self._identity = identity
        self._mailer = mailer
        self._logbook = logbook
        self._audit = audit

    def colleagues(self, principal: Principal) -> list[Account]:
        team = team_of(principal)
        if team.municipality_code is not None:
            return self._identity.people_of(team.municipality_code)
        assert team.organisation_id is not None
        return self._identity.people_of_organisation(team.organisation_id)

    def invite(self, principal: Principal, colleague: NewColleague, console_url: str) -> None:
        """Invite into the administrator's own team, with one of its roles; the e-mail address is the username.

        The invitation's own rule (``people.affiliation_problem``) refuses a role of the other kind
        too; the check here also keeps an organisation's administrator from making an ``admin``.
        """
        team = team_of(principal)
        if colleague.role not in team.roles:
            raise InvalidInput.single("roles", "not a role this administrator may give")
        username = colleague.email.lower()
        invitation = Invitation(
            username,
            colleague.email,
            colleague.display_name,
            frozenset({colleague.role}),
            team.municipality_code,
            team.organisation_id,
        )
        invitations.invite(self._identity, self._mailer, invitation, console_url)
        self._logbook.append(
            self._audit.by(principal, self._audit.now(), Action.PERSON_INVITED, detail=f"{username}: {colleague.role}")
        )

    def disable(self, principal: Principal, username: str) -> Account:
        team = team_of(principal)
        account = self._identity.account(username)
        if account is None or not team.holds(account.person):
            raise NotFound("no such colleague")
        if principal.person is not None and account.person.id == principal.person.id:
            raise InvalidInput.single("username", "an administrator cannot disable themselves")
        self._identity.disable(username)
        self._logbook.append(self._audit.by(principal, self._audit.now(), Action.PERSON_DISABLED, detail=username))
        return account
