"""Signals and their active-signal guards as items of the signals table, and back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import iso_instant, parse_instant
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


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def signal_to_item(signal: Signal) -> Item:
    child = signal.child
    address = child.address
    return drop_none(
        {
            **keys.signal_key(signal.child_pseudonym.value, signal.id),
            "item_type": keys.SIGNAL,
            # The by-id index: a signal with the match records shown with it.
            "signal_id": signal.id,
            "child_key_version": signal.child_pseudonym.key_version,
            # The by-address index: the signals of other children at the same address.
            "address_pseudonym": signal.address_pseudonym.value,
            "address_key_version": signal.address_pseudonym.key_version,
            # org_id is the by-organisation index (with created_sort): an organisation's list, newest first.
            **organisation_to(signal.organisation),
            # The by-municipality index (with created_sort): the reports' counts.
            "municipality_code": address.municipality_code,
            "child": drop_none(
                {
                    "given_names": child.given_names,
                    "family_name_prefix": child.family_name_prefix,
                    "family_name": child.family_name,
                    "birth_date": child.birth_date.isoformat(),
                    "gender": child.gender.value,
                    "address": drop_none(
                        {
                            "street": address.street,
                            "house_number": address.house_number,
                            "house_letter": address.house_letter,
                            "house_number_suffix": address.house_number_suffix,
                            "postcode": address.postcode,
                            "city": address.city,
                            "municipality_code": address.municipality_code,
                        }
                    ),
                }
            ),
            "professional": professional_to_map(signal.professional),
            "case_reference": signal.case_reference,
            "created_at": iso_instant(signal.created_at),
            "created_sort": keys.created_sort(signal.created_at, signal.id),
            "active_until": signal.active_until.isoformat(),
            "delete_after": signal.delete_after.isoformat(),
            "archived_on": signal.archived_on.isoformat() if signal.archived_on else None,
            "close_reason": signal.close_reason.value if signal.close_reason else None,
            "family_informed": signal.family_informed,
            "inform": [party.value for party in signal.inform],
            "ttl": expiry_epoch(signal.delete_after),
            "idempotency_key": signal.idempotency_key,
            # The by-due index: spread over a few partitions, sorted by the day the job acts on it.
            "due_shard": keys.due_shard(signal.id),
            "due_key": keys.due_key(next_due(signal), signal.id),
            # Absent until the first change, so items written before versions existed are version 0.
            "version": signal.version or None,
            # Absent without the population register (BRP): not checked, no parents known.
            "verification": None if signal.verification is Verification.NOT_CHECKED else signal.verification.value,
            "parent_pseudonyms": [parent.value for parent in signal.parent_pseudonyms] or None,
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


def item_to_signal(item: Item) -> Signal:
    child = item["child"]
    address = child["address"]
    return Signal(
        id=item["signal_id"],
        child_pseudonym=Pseudonym(keys.child_of(item["pk"]), item["child_key_version"]),
        address_pseudonym=Pseudonym(item["address_pseudonym"], item["address_key_version"]),
        child=Child(
            given_names=child["given_names"],
            family_name_prefix=child.get("family_name_prefix"),
            family_name=child["family_name"],
            birth_date=date.fromisoformat(child["birth_date"]),
            gender=Gender(child["gender"]),
            address=Address(
                street=address["street"],
                house_number=int(address["house_number"]),
                house_letter=address.get("house_letter"),
                house_number_suffix=address.get("house_number_suffix"),
                postcode=address["postcode"],
                city=address["city"],
                municipality_code=address["municipality_code"],
            ),
        ),
        organisation=organisation_from(item),
        professional=professional_from_map(item["professional"]),
        created_at=parse_instant(item["created_at"]),
        active_until=date.fromisoformat(item["active_until"]),
        delete_after=date.fromisoformat(item["delete_after"]),
        family_informed=bool(item["family_informed"]),
        inform=tuple(InformParty(party) for party in item["inform"]),
        case_reference=item.get("case_reference"),
        archived_on=date.fromisoformat(item["archived_on"]) if item.get("archived_on") else None,
        close_reason=CloseReason(item["close_reason"]) if item.get("close_reason") else None,
        idempotency_key=item.get("idempotency_key"),
        version=int(item.get("version", 0)),
        verification=Verification(item.get("verification", Verification.NOT_CHECKED)),
        parent_pseudonyms=tuple(Pseudonym(p, item["child_key_version"]) for p in item.get("parent_pseudonyms", [])),
    )


def guard_to_item(signal: Signal) -> Item:
    """In the by-id index too (it carries the signal id): readers of that index skip it by type."""
    return {
        **keys.guard_key(signal.child_pseudonym.value, signal.organisation.id),
        "item_type": keys.ACTIVE_GUARD,
        "signal_id": signal.id,
        "active_until": signal.active_until.isoformat(),
        "ttl": expiry_epoch(signal.delete_after),
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
    return Professional(name=value["name"], function=value["function"], email=value["email"], phone=value["phone"])


def professional_to_map(professional: Professional) -> Item:
    return {
        "name": professional.name,
        "function": professional.function,
        "email": professional.email,
        "phone": professional.phone,
    }
