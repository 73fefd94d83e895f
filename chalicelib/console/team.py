"""A municipal administrator's colleagues: list, invite and disable, within their own municipality.

The administrator's municipality is the only one they can invite into or disable in; roles come
from the municipal ones only. An account of another municipality is answered as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.console import invitations
from chalicelib.console.ports import Account, IdentityProvider, Invitation
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.logbook import Action
from chalicelib.domain.model import Principal
from chalicelib.domain.people import Role
from chalicelib.ports import Logbook, Mailer
from chalicelib.services.audit import Audit


@dataclass(frozen=True)
class NewColleague:
    display_name: str
    email: str
    role: Role


def _municipality(principal: Principal) -> str:
    if principal.person is None or not principal.municipality_code or not principal.person.has(Role.MUNICIPAL_ADMIN):
        raise NotFound("no colleagues to manage")
    return principal.municipality_code


class TeamService:
    def __init__(self, identity: IdentityProvider, mailer: Mailer, logbook: Logbook, audit: Audit) -> None:
        self._identity = identity
        self._mailer = mailer
        self._logbook = logbook
        self._audit = audit

    def colleagues(self, principal: Principal) -> list[Account]:
        return self._identity.people_of(_municipality(principal))

    def invite(self, principal: Principal, colleague: NewColleague, console_url: str) -> None:
        """Invite into the administrator's own municipality; the e-mail address is the username.

        A role outside the municipal ones is refused by the invitation's own rule
        (``people.affiliation_problem``): a municipality's people hold municipal roles only.
        """
        code = _municipality(principal)
        username = colleague.email.lower()
        invitation = Invitation(username, colleague.email, colleague.display_name, frozenset({colleague.role}), code)
        invitations.invite(self._identity, self._mailer, invitation, console_url)
        self._logbook.append(
            self._audit.by(principal, self._audit.now(), Action.PERSON_INVITED, detail=f"{username}: {colleague.role}")
        )

    def disable(self, principal: Principal, username: str) -> Account:
        code = _municipality(principal)
        account = self._identity.account(username)
        if account is None or account.person.municipality_code != code:
            raise NotFound("no such colleague")
        if principal.person is not None and account.person.id == principal.person.id:
            raise InvalidInput.single("username", "an administrator cannot disable themselves")
        self._identity.disable(username)
        self._logbook.append(self._audit.by(principal, self._audit.now(), Action.PERSON_DISABLED, detail=username))
        return account
