"""The population register (BRP) in the domain and the signal use case: verification of a new signal's
child, the registered address and the parents' pseudonyms, the family match; on in-memory fakes."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.adapters.brp import personen
from chalicelib.bootstrap import new_id
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ids import MonotonicUlids
from chalicelib.domain.matching import MatchKind, find_matches
from chalicelib.domain.model import Verification
from chalicelib.domain.population import (
    BIRTH_DATE_FIELD,
    BSN_FIELD,
    DIFFERS,
    FAMILY_NAME_FIELD,
    RegisteredPerson,
    RegisterUse,
    disagreements,
)
from chalicelib.services.audit import Audit
from chalicelib.services.mail import KIND_LABELS
from chalicelib.services.matching import MatchService
from chalicelib.services.signals import SignalService
from local.clock import FixedClock
from tests import builders
from tests.fake_population import (
    ALEXANDER,
    GERRIT,
    JAN,
    MIRIK,
    PAOLO,
    PERSONAS,
    WILMA,
    ZOEY,
    InMemoryPopulationRegister,
)
from tests.fakes import (
    InMemoryLogbook,
    InMemoryMatchStore,
    InMemoryNotificationLedger,
    InMemoryRegistry,
    InMemorySignalStore,
    RecordingMailer,
)

START = builders.START
KEYS = builders.pseudonymiser()
GGD = builders.organisation_principal(builders.organisation())
BUURTTEAM = builders.organisation_principal(
    builders.organisation(id="org_buurtteam", name="Buurtteam Oost", sector="wijkteam")
)


def child(bsn: str = ZOEY, **overrides: Any) -> dict[str, Any]:
    """What a professional types for a persona: the register's data, in the professional's hand."""
    person = PERSONAS[bsn]
    assert person.birth_date is not None and person.family_name is not None
    values = {
        "bsn": bsn,
        "given_names": "Zoey",
        "family_name_prefix": person.family_name_prefix,
        "family_name": person.family_name,
        "birth_date": person.birth_date.isoformat(),
        "gender": "V",
        "address": builders.address(municipality_code="0363"),
    }
    return builders.child(**values) | overrides


def typed(**overrides: Any) -> Any:
    return builders.new_signal(child=child(**overrides)).child


# Comparing as people type


@pytest.mark.parametrize(
    ("prefix", "family_name"),
    [("den", "Braber"), (None, "den Braber"), ("Den", "BRABER"), (None, "DenBraber"), ("dén", "Bräber")],
)
def test_the_family_name_agrees_whatever_the_case_diacritics_or_where_the_prefix_was_typed(
    prefix: str | None, family_name: str
) -> None:
    assert disagreements(typed(family_name_prefix=prefix, family_name=family_name), PERSONAS[ZOEY]) == []


def test_another_family_name_or_birth_date_is_named_without_what_the_register_holds() -> None:
    errors = disagreements(typed(family_name="Jansen", birth_date="2018-11-15"), PERSONAS[ZOEY])
    assert [(e.field, e.message) for e in errors] == [(FAMILY_NAME_FIELD, DIFFERS), (BIRTH_DATE_FIELD, DIFFERS)]
    assert not any("Braber" in e.message or "2018" in e.message for e in errors)


def test_an_unknown_or_deceased_child_is_refused_on_the_bsn() -> None:
    assert [e.field for e in disagreements(typed(), None)] == [BSN_FIELD]
    assert [e.field for e in disagreements(typed(bsn=JAN), PERSONAS[JAN])] == [BSN_FIELD]


def test_a_partly_unknown_birth_date_agrees_with_no_typed_date() -> None:
    answer = {
        "type": personen.QUERY_TYPE,
        "personen": [{"burgerservicenummer": ZOEY, "geboorte": {"datum": {"type": "JaarDatum", "jaar": 2018}}}],
    }
    [person] = personen.persons(answer)
    assert person.birth_date is None
    assert [e.field for e in disagreements(typed(), person) if e.field == BIRTH_DATE_FIELD] == [BIRTH_DATE_FIELD]


def test_each_use_asks_a_fixed_minimal_field_list_in_batches_of_at_most_twenty() -> None:
    assert "ouders.burgerservicenummer" in personen.FIELDS[RegisterUse.VERIFY]
    assert "naam.geslachtsnaam" not in personen.FIELDS[RegisterUse.FOLLOW]
    assert not any(
        field.startswith(("naam.voornamen", "partners", "kinderen")) for f in personen.FIELDS.values() for field in f
    )
    assert [len(batch) for batch in personen.batches([builders.bsn(n) for n in range(41)])] == [20, 20, 1]
    with pytest.raises(ValueError):
        personen.query([ZOEY] * 21, RegisterUse.VERIFY)


# The signal use case


@pytest.fixture
def register() -> InMemoryPopulationRegister:
    return InMemoryPopulationRegister()


@pytest.fixture
def store() -> InMemorySignalStore:
    return InMemorySignalStore(InMemoryLogbook())


def service(store: InMemorySignalStore, register: InMemoryPopulationRegister | None) -> SignalService:
    return SignalService(
        store, InMemoryLogbook(), builders.pseudonymiser, Audit(FixedClock(START), new_id), register=register
    )


def test_a_verified_signal_is_keyed_on_the_registered_address_and_holds_the_parents_pseudonyms(
    store: InMemorySignalStore, register: InMemoryPopulationRegister
) -> None:
    signal = service(store, register).register(GGD, builders.new_signal(child=child()), None).signal
    assert signal.verification is Verification.VERIFIED
    assert signal.address_pseudonym == KEYS.address_parts("1014AW", 14, "H", None) != KEYS.address(signal.child.address)
    assert set(signal.parent_pseudonyms) == {KEYS.child(WILMA), KEYS.child(GERRIT)}
    assert WILMA not in repr(signal) and GERRIT not in repr(signal)
    assert register.requests == 1


def test_a_signal_the_register_contradicts_is_refused_and_not_stored(
    store: InMemorySignalStore, register: InMemoryPopulationRegister
) -> None:
    with pytest.raises(InvalidInput) as refused:
        service(store, register).register(GGD, builders.new_signal(child=child(family_name="Jansen")), None)
    assert [e.field for e in refused.value.errors] == [FAMILY_NAME_FIELD]
    assert store.signals == {}


def test_an_unreachable_register_loses_no_signal(
    store: InMemorySignalStore, register: InMemoryPopulationRegister
) -> None:
    register.unavailable = True
    signal = service(store, register).register(GGD, builders.new_signal(child=child(family_name="Jansen")), None).signal
    assert signal.verification is Verification.PENDING
    assert signal.parent_pseudonyms == ()
    assert signal.address_pseudonym == KEYS.address(signal.child.address)
    assert signal.id in store.signals


def test_without_the_register_nothing_is_checked(store: InMemorySignalStore) -> None:
    request = builders.new_signal(child=builders.child(bsn=builders.bsn(5)))
    signal = service(store, None).register(GGD, request, None).signal
    assert (signal.verification, signal.parent_pseudonyms) == (Verification.NOT_CHECKED, ())


# The family match


def sibling_signal(bsn: str, org: Any, parents: tuple[str, ...], created_at: Any = START, **overrides: Any) -> Any:
    return builders.domain_signal(
        seed=int(bsn) % 1000,
        org=org,
        created_at=created_at,
        child_pseudonym=KEYS.child(bsn),
        parent_pseudonyms=tuple(KEYS.child(p) for p in parents),
        **overrides,
    )


def test_children_sharing_a_parent_match_as_same_family() -> None:
    zoey = sibling_signal(ZOEY, GGD.organisation, (WILMA, GERRIT))
    alexander = sibling_signal(ALEXANDER, BUURTTEAM.organisation, (WILMA, GERRIT), START + timedelta(hours=1))
    found = find_matches(alexander, [alexander], [], False, date(2026, 11, 28), same_parent=[zoey])
    assert [(f.kind, f.signal.id) for f in found] == [(MatchKind.PARENT, zoey.id)]


def test_the_family_match_wins_over_the_address_match_and_needs_a_parent_in_common() -> None:
    zoey = sibling_signal(ZOEY, GGD.organisation, (WILMA, GERRIT))
    stranger = sibling_signal(PAOLO, GGD.organisation, ("999997610",))
    alexander = sibling_signal(ALEXANDER, BUURTTEAM.organisation, (WILMA,), START + timedelta(hours=1))
    found = find_matches(alexander, [], [zoey], False, date(2026, 11, 28), same_parent=[zoey, stranger])
    assert [(f.kind, f.signal.id) for f in found] == [(MatchKind.PARENT, zoey.id)]


def test_the_mail_says_same_family_and_never_names_the_parent() -> None:
    assert KIND_LABELS[MatchKind.PARENT] == "zelfde gezin (ouder)"
    logbook = InMemoryLogbook()
    ledger = InMemoryNotificationLedger(logbook)
    store = InMemoryMatchStore(logbook, ledger)
    registry = InMemoryRegistry()
    mailer = RecordingMailer()
    ids = MonotonicUlids()
    audit = Audit(FixedClock(START + timedelta(hours=2)), lambda at: ids.next(at, os.urandom(10)))
    half_brother = sibling_signal(PAOLO, GGD.organisation, ("999997610",))
    mirik = sibling_signal(MIRIK, BUURTTEAM.organisation, ("999997610",), START + timedelta(hours=1))
    store.put(half_brother)
    store.put(mirik)
    outcome = MatchService(store, registry, ledger, mailer, audit).process(mirik)
    assert (outcome.matches, outcome.sent) == (1, 2)
    for message in mailer.sent:
        assert "zelfde gezin (ouder)" in message.text and "zelfde gezin (ouder)" in message.html
        assert "Estrella" not in message.text and "999997610" not in message.text
        assert KEYS.child("999997610").value not in message.text + message.html


def test_a_registered_person_never_shows_its_bsn_in_a_refusal() -> None:
    person = RegisteredPerson(bsn=ZOEY, family_name="Braber", birth_date=date(2018, 11, 14))
    with pytest.raises(InvalidInput) as refused:
        raise InvalidInput(disagreements(typed(family_name="X"), person))
    assert ZOEY not in str(refused.value)
