"""Test data builders: valid by default, overridden where a test cares."""

from __future__ import annotations

import copy
import os
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.model import (
    Address,
    Child,
    Gender,
    Organisation,
    Principal,
    PrincipalKind,
    Professional,
    Signal,
)
from chalicelib.domain.pseudonyms import Pseudonymiser
from chalicelib.services.signals import NewSignal


def bsn(seed: int) -> str:
    """A deterministic nine-digit number that passes the eleven-test."""
    rng = random.Random(seed)
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def address(**overrides: Any) -> dict[str, Any]:
    return {
        "street": "Dorpsstraat",
        "house_number": 12,
        "house_letter": "a",
        "house_number_suffix": "bis",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "municipality_code": "0344",
    } | overrides


def child(**overrides: Any) -> dict[str, Any]:
    return {
        "bsn": bsn(1),
        "given_names": "Sanne",
        "family_name_prefix": "de",
        "family_name": "Vries",
        "birth_date": "2014-05-01",
        "gender": "V",
        "address": address(),
    } | overrides


def professional(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "P. Jansen",
        "function": "Jeugdverpleegkundige",
        "email": "p.jansen@ggd.example.nl",
        "phone": "+31 30 123 4567",
    } | overrides


def signal_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "child": child(),
        "professional": professional(),
        "case_reference": "JGZ-2026-0042",
        "family_informed": True,
    }
    body.update(copy.deepcopy(overrides))
    return body


def birth_date_for_age(age: int, today: date) -> str:
    """A birth date that makes the child ``age`` today: the birthday was a month ago."""
    from chalicelib.domain.lifecycle import add_years

    return (add_years(today, -age) - timedelta(days=30)).isoformat()


# Domain objects, for tests below the HTTP layer.

PSEUDONYM_KEY = bytes(range(32))
START = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def pseudonymiser(key: bytes = PSEUDONYM_KEY, key_version: str = "1") -> Pseudonymiser:
    return Pseudonymiser(key, key_version)


def organisation(**overrides: Any) -> Organisation:
    values: dict[str, Any] = {"id": "org_ggd", "name": "GGD Regio Utrecht", "sector": "jgz", "region": "utrecht"}
    return Organisation(**(values | overrides))


def organisation_principal(org: Organisation | None = None) -> Principal:
    org = org or organisation()
    return Principal(client_id=org.id, kind=PrincipalKind.ORGANISATION, organisation=org)


def municipality_principal(code: str = "0344", region: str = "utrecht") -> Principal:
    return Principal(client_id=f"gm{code}", kind=PrincipalKind.MUNICIPALITY, municipality_code=code, region=region)


def new_signal(**overrides: Any) -> NewSignal:
    """A validated request, as the route hands it to the service (through the real schema)."""
    from chalicelib import schemas

    return schemas.new_signal(schemas.SignalIn.model_validate(signal_body(**overrides)))


def domain_signal(
    seed: int = 1,
    org: Organisation | None = None,
    created_at: datetime = START,
    active_until: date | None = None,
    delete_after: date | None = None,
    birth_date: date = date(2014, 5, 1),
    **overrides: Any,
) -> Signal:
    """A stored signal for the child ``bsn(seed)``, registered at ``created_at``."""
    from chalicelib.domain import lifecycle
    from chalicelib.domain.clock import dutch_date
    from chalicelib.domain.ids import ulid

    today = dutch_date(created_at)
    active_until = active_until or lifecycle.active_until(today, birth_date, None)
    keys = pseudonymiser()
    child_data = Child(
        given_names="Sanne",
        family_name_prefix="de",
        family_name="Vries",
        birth_date=birth_date,
        gender=Gender.FEMALE,
        address=Address(
            street="Dorpsstraat",
            house_number=12,
            house_letter="a",
            house_number_suffix="bis",
            postcode="3511AB",
            city="Utrecht",
            municipality_code="0344",
        ),
    )
    values: dict[str, Any] = {
        "id": ulid(created_at, os.urandom(10)),
        "child_pseudonym": keys.child(bsn(seed)),
        "address_pseudonym": keys.address(child_data.address),
        "child": child_data,
        "organisation": org or organisation(),
        "professional": Professional(**professional()),
        "created_at": created_at,
        "active_until": active_until,
        "delete_after": delete_after or lifecycle.delete_after(active_until, birth_date),
        "family_informed": True,
        "inform": lifecycle.who_to_inform(birth_date, today),
        "case_reference": "JGZ-2026-0042",
    }
    return Signal(**(values | overrides))
