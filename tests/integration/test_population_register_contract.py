"""The population register port, held against the in-memory fake and against the Haal Centraal adapter
talking to the local stand-in over loopback HTTP; and the stand-in held against the spec's schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chalicelib.adapters.brp.haal_centraal import BrpEndpoint, HaalCentraalPopulationRegister
from chalicelib.domain.population import (
    MAX_FOUND,
    NameSearch,
    RegisteredAddress,
    RegisteredPerson,
    RegisterUnavailable,
    RegisterUse,
    TooManyFound,
)
from local.brp_stand_in import BrpStandIn
from tests import builders
from tests.fake_population import (
    ALEXANDER,
    ESTRELLA,
    GERRIT,
    JAN,
    MIRIK,
    PAOLO,
    PERSONAS,
    WILMA,
    ZOEY,
    InMemoryPopulationRegister,
)

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "brp_personen_v2_response.schema.json").read_text())
NEW_HOME = RegisteredAddress(postcode="3512JE", house_number=7, house_letter="B")


def adapter_for(stand_in: BrpStandIn, sleeps: list[float] | None = None) -> HaalCentraalPopulationRegister:
    endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, stand_in.client_secret)
    recorded = [] if sleeps is None else sleeps
    return HaalCentraalPopulationRegister(lambda: endpoint, timeout=2.0, sleep=recorded.append)


@pytest.fixture
def stand_in() -> Iterator[BrpStandIn]:
    server = BrpStandIn(port=0)
    server.start()
    yield server
    server.stop()


class PopulationRegisterContract:
    @pytest.fixture
    def register(self) -> Any:
        raise NotImplementedError

    def move(self, bsn: str, address: RegisteredAddress, municipality_code: str) -> None:
        raise NotImplementedError

    def record_death(self, bsn: str, on: date) -> None:
        raise NotImplementedError

    def add_namesake(self, bsn: str, prefix: str | None, family_name: str, born: date) -> None:
        raise NotImplementedError

    def test_the_search_finds_a_child_by_family_name_without_prefix_and_birth_date(self, register: Any) -> None:
        assert register.search(NameSearch("Braber", date(2018, 11, 14))) == [ZOEY]
        assert register.search(NameSearch("BRABER", date(2018, 11, 14))) == [ZOEY]
        assert register.search(NameSearch("Bräber", date(2018, 11, 14))) == []  # a diacritic asked counts
        assert register.search(NameSearch("Braber", date(2018, 11, 15))) == []
        assert register.search(NameSearch("den Braber", date(2018, 11, 14))) == []  # the prefix is not the name

    def test_the_search_finds_the_deceased_too(self, register: Any) -> None:
        assert register.search(NameSearch("Staart", date(2015, 1, 1))) == [JAN]

    def test_the_search_finds_every_namesake_born_that_day(self, register: Any) -> None:
        self.add_namesake(builders.bsn(8), "van", "Braber", date(2018, 11, 14))
        assert sorted(register.search(NameSearch("braber", date(2018, 11, 14)))) == sorted([ZOEY, builders.bsn(8)])

    def test_the_search_refuses_to_hand_out_more_than_ten(self, register: Any) -> None:
        for n in range(MAX_FOUND):
            self.add_namesake(builders.bsn(200 + n), None, "Braber", date(2018, 11, 14))
        with pytest.raises(TooManyFound):
            register.search(NameSearch("Braber", date(2018, 11, 14)))

    def test_a_child_comes_back_with_name_birth_date_address_and_parents(self, register: Any) -> None:
        found = register.persons([ZOEY, ALEXANDER], RegisterUse.VERIFY)
        assert found.keys() == {ZOEY, ALEXANDER}
        zoey = found[ZOEY]
        assert (zoey.family_name_prefix, zoey.family_name, zoey.birth_date) == ("den", "Braber", date(2018, 11, 14))
        assert zoey.address == RegisteredAddress(postcode="1014AW", house_number=14, house_letter="H")
        assert zoey.municipality_code == "0363"
        assert set(zoey.parent_bsns) == set(found[ALEXANDER].parent_bsns) == {WILMA, GERRIT}
        assert not zoey.deceased

    def test_half_siblings_share_one_parent(self, register: Any) -> None:
        found = register.persons([PAOLO, MIRIK], RegisterUse.VERIFY)
        assert set(found[PAOLO].parent_bsns) & set(found[MIRIK].parent_bsns) == {ESTRELLA}
        assert found[MIRIK].address == RegisteredAddress(postcode="2512EW", house_number=3, house_number_suffix="bis")

    def test_an_unknown_bsn_is_simply_absent(self, register: Any) -> None:
        assert register.persons([builders.bsn(7), ZOEY], RegisterUse.VERIFY).keys() == {ZOEY}

    def test_the_follow_up_asks_no_name_or_parents_but_sees_a_death(self, register: Any) -> None:
        found = register.persons([ZOEY, JAN], RegisterUse.FOLLOW)
        assert found[ZOEY].family_name is None and found[ZOEY].parent_bsns == () and found[ZOEY].birth_date is None
        assert found[ZOEY].municipality_code == "0363"
        assert found[JAN].deceased and found[JAN].died_on == date(2026, 6, 1)

    def test_a_deceased_child_is_known_as_such_when_verifying(self, register: Any) -> None:
        assert register.persons([JAN], RegisterUse.VERIFY)[JAN].deceased

    def test_more_than_twenty_bsns_are_asked_in_batches_of_twenty(self, register: Any) -> None:
        asked = [builders.bsn(n) for n in range(100, 125)] + [ZOEY, ZOEY]
        before = register.requests
        assert register.persons(asked, RegisterUse.FOLLOW).keys() == {ZOEY}
        assert register.requests - before == 2

    def test_a_move_is_seen_on_the_next_question(self, register: Any) -> None:
        self.move(ALEXANDER, NEW_HOME, "0344")
        moved = register.persons([ALEXANDER], RegisterUse.FOLLOW)[ALEXANDER]
        assert (moved.address, moved.municipality_code) == (NEW_HOME, "0344")

    def test_a_recorded_death_is_seen_on_the_next_question(self, register: Any) -> None:
        self.record_death(ZOEY, date(2026, 11, 30))
        died = register.persons([ZOEY], RegisterUse.FOLLOW)[ZOEY]
        assert died.deceased and died.died_on == date(2026, 11, 30)


class TestInMemoryPopulationRegister(PopulationRegisterContract):
    @pytest.fixture
    def register(self) -> InMemoryPopulationRegister:
        self.fake = InMemoryPopulationRegister()
        return self.fake

    def move(self, bsn: str, address: RegisteredAddress, municipality_code: str) -> None:
        self.fake.move(bsn, address, municipality_code)

    def record_death(self, bsn: str, on: date) -> None:
        self.fake.record_death(bsn, on)

    def add_namesake(self, bsn: str, prefix: str | None, family_name: str, born: date) -> None:
        self.fake.add(RegisteredPerson(bsn=bsn, family_name_prefix=prefix, family_name=family_name, birth_date=born))


class TestHaalCentraalAgainstTheStandIn(PopulationRegisterContract):
    @pytest.fixture
    def register(self, stand_in: BrpStandIn) -> HaalCentraalPopulationRegister:
        self.stand_in = stand_in
        return adapter_for(stand_in)

    def move(self, bsn: str, address: RegisteredAddress, municipality_code: str) -> None:
        self.stand_in.move(
            bsn, address.postcode, address.house_number, municipality_code, huisletter=address.house_letter
        )

    def record_death(self, bsn: str, on: date) -> None:
        self.stand_in.record_death(bsn, on.isoformat())

    def add_namesake(self, bsn: str, prefix: str | None, family_name: str, born: date) -> None:
        self.stand_in.add(namesake(bsn, prefix, family_name, born))


def namesake(bsn: str, prefix: str | None, family_name: str, born: date) -> dict[str, Any]:
    """A persona in the stand-in's shape: someone else with the child's family name and birth date."""
    name = {"geslachtsnaam": family_name} | ({"voorvoegsel": prefix} if prefix else {})
    day = {"type": "Datum", "datum": born.isoformat(), "langFormaat": born.isoformat()}
    return {"burgerservicenummer": bsn, "naam": name, "geboorte": {"datum": day}}


def test_the_fake_knows_the_same_personas_as_the_stand_in(stand_in: BrpStandIn) -> None:
    real = adapter_for(stand_in).persons(list(PERSONAS), RegisterUse.VERIFY)
    fake = InMemoryPopulationRegister().persons(list(PERSONAS), RegisterUse.VERIFY)
    assert real == fake


@pytest.mark.parametrize("use", list(RegisterUse))
def test_the_stand_in_answers_validate_against_the_spec(stand_in: BrpStandIn, use: RegisterUse) -> None:
    adapter_for(stand_in).persons([*PERSONAS, builders.bsn(3)], use)
    (answer,) = stand_in.answers
    jsonschema.validate(answer, SCHEMA)
    defs = SCHEMA["$defs"]
    assert len(answer["personen"]) == len(PERSONAS)
    for person in answer["personen"]:
        # The discriminated subtypes, which the schema alone cannot pick: a domestic address, full dates.
        jsonschema.validate(person["verblijfplaats"], {"$defs": defs, "$ref": "#/$defs/Adres"})
        for part in ("geboorte", "overlijden"):
            if part in person:
                jsonschema.validate(person[part]["datum"], {"$defs": defs, "$ref": "#/$defs/VolledigeDatum"})
    assert all(("naam" in person) == (use is RegisterUse.VERIFY) for person in answer["personen"])


def test_the_stand_in_search_answers_validate_against_the_spec(stand_in: BrpStandIn) -> None:
    register = adapter_for(stand_in)
    assert register.search(NameSearch("Staart", date(2015, 1, 1))) == [JAN]
    assert register.search(NameSearch("Braber", date(2018, 11, 14))) == [ZOEY]
    assert register.search(NameSearch("Nergens", date(2018, 11, 14))) == []
    search = {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/ZoekMetGeslachtsnaamEnGeboortedatumResponse"}
    for answer in stand_in.answers:
        jsonschema.validate(answer, search)
        # Only the BSN was asked; what comes unasked (a death's opschortingBijhouding) is all there is else.
        assert all(set(person) <= {"burgerservicenummer", "opschortingBijhouding"} for person in answer["personen"])
    assert stand_in.answers[0]["personen"][0]["opschortingBijhouding"]["reden"]["code"] == "O"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"type": "ZoekMetGeslachtsnaamEnGeboortedatum", "personen": [{"burgerservicenummer": 1}]}, search
        )


def test_the_stand_in_leaves_the_deceased_out_unless_asked(stand_in: BrpStandIn) -> None:
    register = adapter_for(stand_in)
    body = {
        "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
        "geslachtsnaam": "staa*",
        "geboortedatum": "2015-01-01",
        "fields": ["burgerservicenummer"],
    }
    assert register._post_personen(body) == {"type": "ZoekMetGeslachtsnaamEnGeboortedatum", "personen": []}
    assert (
        register._post_personen(body | {"inclusiefOverledenPersonen": True})["personen"][0]["burgerservicenummer"]
        == JAN
    )
    with pytest.raises(RegisterUnavailable, match="paramsValidation"):
        register._post_personen(body | {"geslachtsnaam": "st*"})  # a wildcard after at least three letters


def test_the_schema_refuses_an_answer_off_the_spec() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"type": "RaadpleegMetBurgerservicenummer", "personen": [{"burgerservicenummer": "12"}]}, SCHEMA
        )


def test_a_503_or_429_is_tried_again_after_a_growing_pause(stand_in: BrpStandIn) -> None:
    sleeps: list[float] = []
    stand_in.fail_next(503)
    stand_in.fail_next(429)
    assert adapter_for(stand_in, sleeps).persons([ZOEY], RegisterUse.VERIFY).keys() == {ZOEY}
    assert sleeps == [0.5, 1.0]


def test_a_register_that_keeps_failing_is_unavailable_and_says_no_bsn(stand_in: BrpStandIn) -> None:
    stand_in.fail_next(503, count=3)
    with pytest.raises(RegisterUnavailable) as raised:
        adapter_for(stand_in).persons([ZOEY], RegisterUse.VERIFY)
    assert ZOEY not in str(raised.value) and "503" in str(raised.value)


def test_a_refusal_is_not_tried_again(stand_in: BrpStandIn) -> None:
    sleeps: list[float] = []
    stand_in.fail_next(403)
    with pytest.raises(RegisterUnavailable):
        adapter_for(stand_in, sleeps).persons([ZOEY], RegisterUse.VERIFY)
    assert sleeps == [] and stand_in.personen_requests == 1


def test_the_token_is_fetched_once_and_kept(stand_in: BrpStandIn) -> None:
    register = adapter_for(stand_in)
    register.persons([ZOEY], RegisterUse.VERIFY)
    register.persons([ALEXANDER], RegisterUse.VERIFY)
    assert len(stand_in._tokens) == 1


def test_wrong_credentials_make_the_register_unavailable(stand_in: BrpStandIn) -> None:
    endpoint = BrpEndpoint(stand_in.url, stand_in.token_url, stand_in.client_id, "wrong")
    with pytest.raises(RegisterUnavailable):
        HaalCentraalPopulationRegister(lambda: endpoint).persons([ZOEY], RegisterUse.VERIFY)


def test_an_unreachable_register_is_unavailable() -> None:
    server = BrpStandIn(port=0)
    endpoint = BrpEndpoint(server.url, server.token_url, server.client_id, server.client_secret)
    server.stop()
    with pytest.raises(RegisterUnavailable):
        HaalCentraalPopulationRegister(lambda: endpoint, timeout=0.5, sleep=lambda _: None).persons(
            [ZOEY], RegisterUse.VERIFY
        )


def test_the_stand_in_refuses_a_field_outside_the_authorisation(stand_in: BrpStandIn) -> None:
    _, token = stand_in.issue_token(
        {"grant_type": "client_credentials", "client_id": stand_in.client_id, "client_secret": stand_in.client_secret}
    )
    body = {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [ZOEY], "fields": ["nationaliteiten"]}
    status, problem = stand_in.personen(f"Bearer {token['access_token']}", body)
    assert (status, problem["code"]) == (403, "unauthorizedField")
    status, problem = stand_in.personen(f"Bearer {token['access_token']}", {**body, "burgerservicenummer": [ZOEY] * 21})
    assert status == 400 and problem["invalidParams"][0]["name"] == "burgerservicenummer"
    assert stand_in.personen("Bearer nope", body)[0] == 401


def test_the_register_is_asked_over_tls_only_except_the_stand_in_on_loopback() -> None:
    endpoint = BrpEndpoint("http://brp.example.nl", "http://brp.example.nl/token", "id", "secret")
    with pytest.raises(RegisterUnavailable, match="https"):
        HaalCentraalPopulationRegister(lambda: endpoint).persons([ZOEY], RegisterUse.VERIFY)
