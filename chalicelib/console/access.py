"""Who may open a console page, and who they are to the services behind it.

Every page for signed-in people starts with :func:`signed_in`; every call into a service passes
:func:`principal_of` the person, so the service checks its own authorisation (a municipality sees
its own children, an organisation its own signals) and the logbook names the person.
"""

from __future__ import annotations

from chalice.app import Request

from chalicelib.console import views
from chalicelib.console.ports import ConsoleSession
from chalicelib.console.wiring import console
from chalicelib.domain.model import Principal, PrincipalKind
from chalicelib.domain.people import Person, Role


class NotPermitted(Exception):
    """The person is signed in but their role does not give them this page."""


def signed_in(request: Request, *roles: Role) -> tuple[ConsoleSession, Person]:
    """The session and person behind ``request``; with ``roles``, the person must hold one of them."""
    session = console().sign_in.signed_in(views.cookie_of(request))
    person = session.person
    assert person is not None, "a signed-in session names its person"
    if roles and not person.roles & set(roles):
        raise NotPermitted("role")
    return session, person


def principal_of(person: Person) -> Principal:
    """The person as the services know callers: their municipality or organisation, with them in it.

    An organisation that was suspended, or is unknown, gives its people no access.
    """
    registry = console().root.registry
    if person.municipality_code:
        municipality = registry.get_municipality(person.municipality_code)
        if municipality is None:
            raise NotPermitted("unknown municipality")
        return Principal(
            client_id=f"gm{person.municipality_code}",
            kind=PrincipalKind.MUNICIPALITY,
            municipality_code=person.municipality_code,
            region=str(municipality["region"]),
            person=person,
        )
    if person.organisation_id:
        organisation = registry.get_organisation(person.organisation_id)
        if organisation is None or registry.organisation_suspended(organisation.id):
            raise NotPermitted("unknown or suspended organisation")
        return Principal(
            client_id=organisation.id, kind=PrincipalKind.ORGANISATION, organisation=organisation, person=person
        )
    return Principal(client_id=f"admin_{person.id}", kind=PrincipalKind.ADMIN, person=person)
