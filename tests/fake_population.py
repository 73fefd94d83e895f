"""An in-memory population register, and the RvIG test personas as the domain sees them.

``PERSONAS`` holds the same people as the stand-in's fixture (``local/brp_personas.json``); the
contract suite (``tests/integration/test_population_register_contract.py``) holds the fake and the
Haal Centraal adapter against the stand-in to the same answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from chalicelib.domain.population import (
    MAX_BATCH,
    MAX_FOUND,
    NameSearch,
    RegisteredAddress,
    RegisteredPerson,
    RegisterUnavailable,
    RegisterUse,
    TooManyFound,
)
from chalicelib.domain.recheck import Recheck

ZOEY = "999995807"
ALEXANDER = "999995832"
WILMA = "999993112"
GERRIT = "999994542"
PAOLO = "999990408"
MIRIK = "999992089"
ESTRELLA = "999997610"
JAN = "999992077"

_SCHAKELSTRAAT = RegisteredAddress(postcode="1014AW", house_number=14, house_letter="H")
_LAAN = RegisteredAddress(postcode="2517AK", house_number=12)


def _person(bsn: str, prefix: str | None, name: str, born: str, **rest: object) -> RegisteredPerson:
    return RegisteredPerson(
        bsn=bsn, family_name_prefix=prefix, family_name=name, birth_date=date.fromisoformat(born), **rest
    )  # type: ignore[arg-type]


PERSONAS: dict[str, RegisteredPerson] = {
    p.bsn: p
    for p in (
        _person(
            ZOEY,
            "den",
            "Braber",
            "2018-11-14",
            address=_SCHAKELSTRAAT,
            municipality_code="0363",
            parent_bsns=(WILMA, GERRIT),
        ),
        _person(
            ALEXANDER,
            "den",
            "Braber",
            "2009-05-29",
            address=_SCHAKELSTRAAT,
            municipality_code="0363",
            parent_bsns=(WILMA, GERRIT),
        ),
        _person(WILMA, "van", "Zon", "1970-04-07", address=_SCHAKELSTRAAT, municipality_code="0363"),
        _person(GERRIT, "den", "Braber", "1968-03-18", address=_SCHAKELSTRAAT, municipality_code="0363"),
        _person(PAOLO, "de", "Jager", "2009-01-01", address=_LAAN, municipality_code="0518", parent_bsns=(ESTRELLA,)),
        _person(
            MIRIK,
            "de",
            "Jager",
            "2010-01-01",
            address=RegisteredAddress(postcode="2512EW", house_number=3, house_number_suffix="bis"),
            municipality_code="0518",
            parent_bsns=(ESTRELLA,),
        ),
        _person(ESTRELLA, "de", "Jager", "1994-01-01", address=_LAAN, municipality_code="0518"),
        _person(
            JAN,
            None,
            "Staart",
            "2015-01-01",
            address=RegisteredAddress(postcode="3511AX", house_number=100),
            municipality_code="0344",
            deceased=True,
            died_on=date(2026, 6, 1),
        ),
    )
}


def _same_name(registered: str, asked: str) -> bool:
    """The search's rule: case does not count, diacritics only when the search has some."""
    plain = unicodedata.normalize("NFKD", asked)
    if not any(unicodedata.combining(c) for c in plain):
        registered = "".join(c for c in unicodedata.normalize("NFKD", registered) if not unicodedata.combining(c))
    return registered.casefold() == asked.casefold()


def as_asked(person: RegisteredPerson, use: RegisterUse) -> RegisteredPerson:
    """What the register answers for ``use``: only the fields that use asks (see adapters/brp/personen.py)."""
    if use is RegisterUse.VERIFY:
        return replace(person, died_on=None)
    return RegisteredPerson(
        bsn=person.bsn,
        address=person.address,
        municipality_code=person.municipality_code,
        deceased=person.deceased,
        died_on=person.died_on,
    )


class InMemoryPopulationRegister:
    """The register as a dictionary; ``requests`` counts the requests of at most ``MAX_BATCH`` BSNs."""

    def __init__(self, persons: dict[str, RegisteredPerson] | None = None, today: date | None = None) -> None:
        self.persons_by_bsn = dict(PERSONAS if persons is None else persons)
        self.requests = 0
        self.searches = 0
        self.unavailable = False
        # The BRP Update API's side: who is followed until when, and which changes happened when.
        self.today = today or date.today()
        self.followed: dict[str, date] = {}
        self.following_since: dict[str, date] = {}
        self.changes: list[tuple[str, date]] = []
        self.update_requests = 0

    def subscribe(self, bsn: str, until: date) -> None:
        self._update_request()
        if self.followed.get(bsn, date.min) < self.today:
            self.following_since[bsn] = self.today  # placed anew, or reopened after it ended
        self.followed[bsn] = until

    def changed_since(self, since: date) -> list[str]:
        self._update_request()
        found = [b for b, on in self.changes if on >= since and self._followed_on(b, on)]
        return list(dict.fromkeys(found))

    def _followed_on(self, bsn: str, changed_on: date) -> bool:
        until = self.followed.get(bsn, date.min)
        return self.following_since.get(bsn, date.max) <= changed_on <= until and self.today <= until

    def _update_request(self) -> None:
        if self.unavailable:
            raise RegisterUnavailable("the BRP Update API did not answer (fake)")
        self.update_requests += 1

    def persons(self, bsns: Sequence[str], use: RegisterUse) -> dict[str, RegisteredPerson]:
        if self.unavailable:
            raise RegisterUnavailable("the BRP did not answer (fake)")
        unique = list(dict.fromkeys(bsns))
        self.requests += -(-len(unique) // MAX_BATCH)
        return {bsn: as_asked(self.persons_by_bsn[bsn], use) for bsn in unique if bsn in self.persons_by_bsn}

    def search(self, query: NameSearch) -> list[str]:
        """As the API: the family name without its prefix, case and diacritics not counting, the
        deceased included; more than ``MAX_FOUND`` is refused."""
        if self.unavailable:
            raise RegisterUnavailable("the BRP did not answer (fake)")
        self.requests += 1
        self.searches += 1
        found = [
            person.bsn
            for person in self.persons_by_bsn.values()
            if person.family_name is not None
            and _same_name(person.family_name, query.family_name)
            and person.birth_date == query.birth_date
        ]
        if len(found) > MAX_FOUND:
            raise TooManyFound("too many (fake)")
        return found

    def add(self, person: RegisteredPerson) -> None:
        self.persons_by_bsn[person.bsn] = person

    def move(self, bsn: str, address: RegisteredAddress, municipality_code: str) -> None:
        self.persons_by_bsn[bsn] = replace(
            self.persons_by_bsn[bsn], address=address, municipality_code=municipality_code
        )
        self.changes.append((bsn, self.today))

    def record_death(self, bsn: str, on: date) -> None:
        self.persons_by_bsn[bsn] = replace(self.persons_by_bsn[bsn], deceased=True, died_on=on)
        self.changes.append((bsn, self.today))


class InMemoryFollowCursor:
    """The nightly follow-up's day; ``advance`` moves it only from the day the caller read."""

    def __init__(self, day: date | None = None) -> None:
        self.day = day

    def last_run(self) -> date | None:
        return self.day

    def advance(self, previous: date | None, to: date) -> bool:
        if self.day != previous:
            return False
        self.day = to
        return True


class InMemoryRecheckQueue:
    """The rechecks sent, in order; ``take`` hands them to the consumer as SQS would (at least once)."""

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[Recheck] = []
        self.refuse = refuse

    def send(self, recheck: Recheck) -> None:
        if self.refuse:
            raise ConnectionError("queue refused")
        self.sent.append(recheck)

    def take(self) -> list[Recheck]:
        taken, self.sent = self.sent, []
        return taken
