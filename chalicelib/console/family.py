"""The family's requests in the console: look a child up, show the overview, correct, erase.

The BSN is typed once, in the look-up form's POST body; from then on the session knows the child
by pseudonym only (``ChildLookups``), so no later page, link or redirect needs the BSN. Each form
about the child carries the look-up's random reference back, so a form opened for one child never
acts on another looked up since in a second tab.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from chalicelib.console.ports import ChildLookups, ConsoleSession, LookedUpChild
from chalicelib.domain.model import Child, Principal
from chalicelib.domain.wording import GENDERS
from chalicelib.ports import Clock
from chalicelib.services.family_document import FamilyDocument, address_line, family_document, municipality_name
from chalicelib.services.family_document import day as dutch_day
from chalicelib.services.subjects import ChildCorrection, Erased, Rectified, SubjectRecord, SubjectService

# No longer than a session lives at most (``signin.ABSOLUTE_TIMEOUT``).
LOOKUP_LIFETIME = timedelta(hours=10)


class NoChildLookedUp(Exception):
    """This session has not looked a child up (or the look-up ended with an erasure)."""


class OtherChild(Exception):
    """The form was opened for a child this session no longer has looked up."""


class NothingChanged(Exception):
    """The correction form came back with the values it was opened with."""


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Corrected:
    result: Rectified
    changes: list[Change]


# The child's fields as the correction form and its result page name them, in the form's order.
FIELD_LABELS = {
    "given_names": "Voornamen",
    "family_name_prefix": "Tussenvoegsel",
    "family_name": "Achternaam",
    "birth_date": "Geboortedatum",
    "gender": "Geslacht",
    "address": "Adres",
}


def _shown(name: str, child: Child) -> str:
    if name == "address":
        return f"{address_line(child)} (gemeente {municipality_name(child.address.municipality_code)})"
    if name == "birth_date":
        return dutch_day(child.birth_date)
    if name == "gender":
        return GENDERS[child.gender.value]
    value: Any = getattr(child, name)
    return str(value) if value else "(geen)"


def correction_between(current: Child, wanted: Child) -> tuple[ChildCorrection, list[Change]]:
    """The correction that turns ``current`` into ``wanted``: only the fields that differ."""
    changed = [field.name for field in fields(Child) if getattr(current, field.name) != getattr(wanted, field.name)]
    if not changed:
        raise NothingChanged("nothing to correct")
    values: dict[str, Any] = {name: getattr(wanted, name) for name in changed}
    clear_prefix = "family_name_prefix" in changed and wanted.family_name_prefix is None
    if clear_prefix:
        values.pop("family_name_prefix")
    correction = ChildCorrection(**values, clear_family_name_prefix=clear_prefix)
    order = list(FIELD_LABELS)
    changes = [
        Change(FIELD_LABELS[name], _shown(name, current), _shown(name, wanted))
        for name in sorted(changed, key=order.index)
    ]
    return correction, changes


def new_reference() -> str:
    return secrets.token_urlsafe(16)


class FamilyRequests:
    def __init__(
        self,
        subjects: SubjectService,
        lookups: ChildLookups,
        clock: Clock,
        organisation_name: Callable[[str], str | None],
        reference: Callable[[], str] = new_reference,
    ) -> None:
        self._subjects = subjects
        self._lookups = lookups
        self._clock = clock
        self._organisation_name = organisation_name
        self._reference = reference

    def look_up(self, session: ConsoleSession, principal: Principal, bsn: str) -> None:
        """Keep the child in the session; ``NothingStored`` when nothing this municipality may see is."""
        pseudonym = self._subjects.look_up(principal, bsn)
        child = LookedUpChild(self._reference(), pseudonym)
        self._lookups.put(session.key, child, session.created_at + LOOKUP_LIFETIME)

    def looked_up(self, session: ConsoleSession, reference: str | None = None) -> LookedUpChild:
        """The session's child; with ``reference``, the child the form was opened for."""
        child = self._lookups.get(session.key, self._clock.now())
        if child is None:
            raise NoChildLookedUp("no child looked up")
        if reference is not None and not secrets.compare_digest(child.reference, reference):
            raise OtherChild("the form was opened for another child")
        return child

    def overview(self, session: ConsoleSession, principal: Principal) -> tuple[LookedUpChild, FamilyDocument]:
        """The family's document; viewing it is logged under the person's name."""
        child = self.looked_up(session)
        record = self._subjects.access(principal, child.pseudonym)
        code = principal.municipality_code or ""
        return child, family_document(record, code, self._organisation_name)

    def record(self, session: ConsoleSession, principal: Principal) -> tuple[LookedUpChild, SubjectRecord]:
        child = self.looked_up(session)
        return child, self._subjects.record(principal, child.pseudonym)

    def correct(self, session: ConsoleSession, principal: Principal, reference: str, wanted: Child) -> Corrected:
        child = self.looked_up(session, reference)
        current = self._subjects.record(principal, child.pseudonym).child
        correction, changes = correction_between(current, wanted)
        return Corrected(self._subjects.rectify(principal, child.pseudonym, correction), changes)

    def erase(self, session: ConsoleSession, principal: Principal, reference: str, reason: str) -> Erased:
        """Erase every signal of the child; the session forgets the child."""
        child = self.looked_up(session, reference)
        erased = self._subjects.erase(principal, child.pseudonym, reason)
        self._lookups.delete(session.key)
        return erased
