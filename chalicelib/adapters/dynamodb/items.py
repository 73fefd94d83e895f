"""Signals and their active-signal guards as items of the signals table, and back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Item
from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.lifecycle import next_due
from chalicelib.domain.model import (
    Address,
    Child,
    CloseReason,
    Gender,
    InformParty,
    Organisation,
    Professional,
    Pseudonym,
    Signal,
    Verification,
)


def expiry_epoch(last_day: date) -> int:
    """TTL value: the first moment after ``last_day`` ends in the Netherlands."""
    start_of_next_day = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=AMSTERDAM)
    return int(start_of_next_day.timestamp())


def last_day(expiry: int) -> date:
    """The last day of a TTL value written by :func:`expiry_epoch`."""
    return datetime.fromtimestamp(expiry, AMSTERDAM).date() - timedelta(days=1)


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def signal_to_item(signal: Signal) -> Item:
    """The signal as stored: short names for what no index, filter or update names (``keys.py``
    has the mapping), and nothing stored twice (``created_at`` is the start of ``created_sort``)."""
    return drop_none(
        {
            **keys.signal_key(signal.child_pseudonym.value, signal.id),
            "item_type": keys.SIGNAL,
            # The by-id index: where a signal is, by its id alone.
            "signal_id": signal.id,
            "ckv": signal.child_pseudonym.key_version,
            # The by-address index: the signals of other children at the same address.
            "addr": signal.address_pseudonym.value,
            "akv": signal.address_pseudonym.key_version,
            # org_id is the by-organisation index (with created_sort): an organisation's list, newest first.
            **organisation_to(signal.organisation),
            # The by-municipality index (with created_sort): the reports' counts.
            "muni": signal.child.address.municipality_code,
            "child": child_to_map(signal.child),
            "pro": professional_to_map(signal.professional),
            "ref": signal.case_reference,
            "created_sort": keys.created_sort(signal.created_at, signal.id),
            "active_until": signal.active_until.isoformat(),
            "archived_on": signal.archived_on.isoformat() if signal.archived_on else None,
            "reason": signal.close_reason.value if signal.close_reason else None,
            "family_informed": signal.family_informed,
            "inform": [party.value for party in signal.inform],
            # The last day (delete_after) is not stored apart: it is the day before the TTL instant.
            "ttl": expiry_epoch(signal.delete_after),
            "idem": signal.idempotency_key,
            # The by-due index: spread over a few partitions, sorted by the day the job acts on it.
            "due_shard": keys.due_shard(signal.id),
            "due_key": keys.due_key(next_due(signal)),
            # Absent until the first change, so items written before versions existed are version 0.
            "version": signal.version or None,
            # Absent without the population register (BRP): not checked, no parents known.
            "verification": None if signal.verification is Verification.NOT_CHECKED else signal.verification.value,
            "parent_pseudonyms": [parent.value for parent in signal.parent_pseudonyms] or None,
            "rechecked": keys.iso_instant(signal.rechecked_at) if signal.rechecked_at else None,
        }
    )


def parent_link_items(signal: Signal) -> list[Item]:
    """One per parent: the by-parent index (with created_sort) finds the signals of a parent's children."""
    return [
        {
            **keys.parent_link_key(signal.child_pseudonym.value, signal.id, parent.value),
            "item_type": keys.PARENT_LINK,
            "parent_pseudonym": parent.value,
            "created_sort": keys.created_sort(signal.created_at, signal.id),
            "ttl": expiry_epoch(signal.delete_after),
        }
        for parent in signal.parent_pseudonyms
    ]


def child_to_map(child: Child) -> Item:
    address = child.address
    return drop_none(
        {
            "gn": child.given_names,
            "pre": child.family_name_prefix,
            "fn": child.family_name,
            "bd": child.birth_date.isoformat(),
            "g": child.gender.value,
            "a": drop_none(
                {
                    "st": address.street,
                    "nr": address.house_number,
                    "hl": address.house_letter,
                    "hs": address.house_number_suffix,
                    "pc": address.postcode,
                    "city": address.city,
                }
            ),
        }
    )


def child_from_map(value: Item, municipality_code: str) -> Child:
    address = value["a"]
    return Child(
        given_names=value["gn"],
        family_name_prefix=value.get("pre"),
        family_name=value["fn"],
        birth_date=date.fromisoformat(value["bd"]),
        gender=Gender(value["g"]),
        address=Address(
            street=address["st"],
            house_number=int(address["nr"]),
            house_letter=address.get("hl"),
            house_number_suffix=address.get("hs"),
            postcode=address["pc"],
            city=address["city"],
            municipality_code=municipality_code,
        ),
    )


def item_to_signal(item: Item) -> Signal:
    created_sort = item["created_sort"]
    return Signal(
        id=item["signal_id"],
        child_pseudonym=Pseudonym(keys.child_of(item["pk"]), item["ckv"]),
        address_pseudonym=Pseudonym(item["addr"], item["akv"]),
        child=child_from_map(item["child"], item["muni"]),
        organisation=organisation_from(item),
        professional=professional_from_map(item["pro"]),
        created_at=keys.created_of(created_sort),
        active_until=date.fromisoformat(item["active_until"]),
        delete_after=last_day(int(item["ttl"])),
        family_informed=bool(item["family_informed"]),
        inform=tuple(InformParty(party) for party in item["inform"]),
        case_reference=item.get("ref"),
        archived_on=date.fromisoformat(item["archived_on"]) if item.get("archived_on") else None,
        close_reason=CloseReason(item["reason"]) if item.get("reason") else None,
        idempotency_key=item.get("idem"),
        version=int(item.get("version", 0)),
        verification=Verification(item.get("verification", Verification.NOT_CHECKED)),
        parent_pseudonyms=tuple(Pseudonym(p, item["ckv"]) for p in item.get("parent_pseudonyms", [])),
        rechecked_at=keys.parse_instant(item["rechecked"]) if item.get("rechecked") else None,
    )


def guard_to_item(signal: Signal) -> Item:
    """The holder's id is ``held_by``, not ``signal_id``: a guard has no place in the by-id index.

    It expires with the active period: a guard whose period is over may be taken over, so the
    nightly archive leaves it to the TTL, which deletes it without a write unit.
    """
    return {
        **keys.guard_key(signal.child_pseudonym.value, signal.organisation.id),
        "item_type": keys.ACTIVE_GUARD,
        "held_by": signal.id,
        "active_until": signal.active_until.isoformat(),
        "ttl": expiry_epoch(signal.active_until),
    }


def organisation_from(item: Item, prefix: str = "") -> Organisation:
    """The organisation stored flat in ``item``, its attributes named ``<prefix>org_…``."""
    return Organisation(
        id=item[f"{prefix}org_id"],
        name=item[f"{prefix}org_name"],
        sector=item[f"{prefix}org_sector"],
        region=item[f"{prefix}org_region"],
    )


def organisation_to(organisation: Organisation, prefix: str = "") -> Item:
    return {
        f"{prefix}org_id": organisation.id,
        f"{prefix}org_name": organisation.name,
        f"{prefix}org_sector": organisation.sector,
        f"{prefix}org_region": organisation.region,
    }


def professional_from_map(value: Item) -> Professional:
    return Professional(name=value["n"], function=value["f"], email=value["e"], phone=value["t"])


def professional_to_map(professional: Professional) -> Item:
    """Name, function, e-mail and telephone, as ``n``, ``f``, ``e`` and ``t``."""
    return {"n": professional.name, "f": professional.function, "e": professional.email, "t": professional.phone}
