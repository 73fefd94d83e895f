"""Test data builders: valid by default, overridden where a test cares."""

from __future__ import annotations

import copy
import random
from datetime import date
from typing import Any


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
    """A birth date that makes the child ``age`` today (born a month after that birthday...)."""
    return (
        date(today.year - age - 1, today.month, 1).isoformat()
        if today.month > 1
        else date(today.year - age - 1, 6, 1).isoformat()
    )
