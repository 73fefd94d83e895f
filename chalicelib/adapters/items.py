"""Translation between domain objects and DynamoDB items, so ``Decimal`` and item shapes stay here."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import AMSTERDAM
from chalicelib.domain.lifecycle import next_due
from chalicelib.domain.logbook import Action, LogEntry
from chalicelib.domain.matching import FollowUp, Match, MatchedParty, MatchKind, MatchSide, MunicipalMatch
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
)
from chalicelib.domain.notifications import Notification

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

Item = dict[str, Any]

SIGNAL_PREFIX = "SIGNAL#"
GUARD_PREFIX = "ACTIVE#"
CHILD_PREFIX = "CHILD#"


def iso_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def expiry_epoch(last_day: date) -> int:
    """TTL value: the first moment after ``last_day`` ends in the Netherlands."""
    start_of_next_day = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=AMSTERDAM)
    return int(start_of_next_day.timestamp())


def signal_key(child_pseudonym: str, signal_id: str) -> Item:
    return {"pk": CHILD_PREFIX + child_pseudonym, "sk": SIGNAL_PREFIX + signal_id}


def guard_key(child_pseudonym: str, organisation_id: str) -> Item:
    return {"pk": CHILD_PREFIX + child_pseudonym, "sk": GUARD_PREFIX + organisation_id}


def created_sort(signal: Signal) -> str:
    """Sort key of the organisation and address indexes: creation instant, then id (unique)."""
    return f"{iso_instant(signal.created_at)}#{signal.id}"


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def signal_to_item(signal: Signal) -> Item:
    child = signal.child
    address = child.address
    return _drop_none(
        {
            **signal_key(signal.child_pseudonym.value, signal.id),
            "item_type": "signal",
            "signal_id": signal.id,
            "child_key_version": signal.child_pseudonym.key_version,
            "address_pseudonym": signal.address_pseudonym.value,
            "address_key_version": signal.address_pseudonym.key_version,
            "org_id": signal.organisation.id,
            "org_name": signal.organisation.name,
            "org_sector": signal.organisation.sector,
            "org_region": signal.organisation.region,
            "municipality_code": address.municipality_code,
            "child": _drop_none(
                {
                    "given_names": child.given_names,
                    "family_name_prefix": child.family_name_prefix,
                    "family_name": child.family_name,
                    "birth_date": child.birth_date.isoformat(),
                    "gender": child.gender.value,
                    "address": _drop_none(
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
            "created_sort": created_sort(signal),
            "active_until": signal.active_until.isoformat(),
            "delete_after": signal.delete_after.isoformat(),
            "archived_on": signal.archived_on.isoformat() if signal.archived_on else None,
            "close_reason": signal.close_reason.value if signal.close_reason else None,
            "family_informed": signal.family_informed,
            "inform": [party.value for party in signal.inform],
            "ttl": expiry_epoch(signal.delete_after),
            "idempotency_key": signal.idempotency_key,
            # The lifecycle job's index: spread over a few partitions, sorted by the day it is due.
            "due_shard": due_shard(signal.id),
            "due_key": f"{next_due(signal).isoformat()}#{signal.id}",
            # Absent until the first change, so items written before versions existed are version 0.
            "version": signal.version or None,
        }
    )


DUE_SHARDS = 4


def due_shard(signal_id: str) -> str:
    return f"DUE#{zlib.crc32(signal_id.encode()) % DUE_SHARDS}"


def professional_from_map(value: Item) -> Professional:
    return Professional(name=value["name"], function=value["function"], email=value["email"], phone=value["phone"])


def professional_to_map(professional: Professional) -> Item:
    return {
        "name": professional.name,
        "function": professional.function,
        "email": professional.email,
        "phone": professional.phone,
    }


def item_to_signal(item: Item) -> Signal:
    child = item["child"]
    address = child["address"]
    professional = item["professional"]
    return Signal(
        id=item["signal_id"],
        child_pseudonym=Pseudonym(item["pk"].removeprefix(CHILD_PREFIX), item["child_key_version"]),
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
        organisation=Organisation(
            id=item["org_id"], name=item["org_name"], sector=item["org_sector"], region=item["org_region"]
        ),
        professional=professional_from_map(professional),
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
    )


def guard_to_item(signal: Signal) -> Item:
    """The one-active-signal-per-organisation-per-child guard, stored beside the child's signals."""
    return {
        **guard_key(signal.child_pseudonym.value, signal.organisation.id),
        "item_type": "active_guard",
        "signal_id": signal.id,
        "active_until": signal.active_until.isoformat(),
        "ttl": expiry_epoch(signal.delete_after),
    }


def log_entry_to_item(entry: LogEntry) -> Item:
    subject = CHILD_PREFIX + entry.child_pseudonym if entry.child_pseudonym else f"CLIENT#{entry.client_id}"
    return _drop_none(
        {
            "pk": subject,
            "sk": f"{iso_instant(entry.at)}#{entry.id}",
            "entry_id": entry.id,
            "at": iso_instant(entry.at),
            "action": entry.action.value,
            "client_id": entry.client_id,
            "organisation_id": entry.organisation_id,
            "municipality_code": entry.municipality_code,
            "signal_id": entry.signal_id,
            "child_pseudonym": entry.child_pseudonym,
            "key_version": entry.key_version,
            "detail": entry.detail,
        }
    )


def item_to_log_entry(item: Item) -> LogEntry:
    return LogEntry(
        id=item["entry_id"],
        at=parse_instant(item["at"]),
        action=Action(item["action"]),
        client_id=item["client_id"],
        organisation_id=item.get("organisation_id"),
        municipality_code=item.get("municipality_code"),
        signal_id=item.get("signal_id"),
        child_pseudonym=item.get("child_pseudonym"),
        key_version=item.get("key_version"),
        detail=item.get("detail"),
    )


def serialise(item: Item) -> dict[str, AttributeValueTypeDef]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {key: serializer.serialize(_to_dynamo(value)) for key, value in item.items()}


def deserialise(item: Mapping[str, Any]) -> Item:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: _from_dynamo(deserializer.deserialize(value)) for key, value in item.items()}


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


MATCH_PREFIX = "MATCH#"
NOTIFY_PREFIX = "NOTIFY#"


def match_sort_key(owner_signal_id: str, match_id: str) -> str:
    return f"{MATCH_PREFIX}{owner_signal_id}#{match_id}"


def match_to_item(match: Match) -> Item:
    other = match.other
    return _drop_none(
        {
            "pk": CHILD_PREFIX + match.owner_child_pseudonym,
            "sk": match_sort_key(match.signal_id, match.id),
            "item_type": "match",
            # The owner's id, so the by-id index returns a signal together with its matches.
            "signal_id": match.signal_id,
            "match_id": match.id,
            "kind": match.kind.value,
            "since": iso_instant(match.since),
            "owner_delete_after": match.owner_delete_after.isoformat(),
            "other_signal_id": other.signal_id,
            "other_pk": CHILD_PREFIX + other.child_pseudonym,
            "other_org_id": other.organisation.id,
            "other_org_name": other.organisation.name,
            "other_org_sector": other.organisation.sector,
            "other_org_region": other.organisation.region,
            "other_professional": professional_to_map(other.professional),
            "other_created_at": iso_instant(other.created_at),
            "other_active_until": other.active_until.isoformat(),
            "other_delete_after": other.delete_after.isoformat(),
            "other_archived_on": other.archived_on.isoformat() if other.archived_on else None,
            "other_version": other.version,
            "ttl": expiry_epoch(min(match.owner_delete_after, other.delete_after)),
            # Not "municipality_code": that attribute would put the record in the reports' index.
            "follow_up_municipality": match.municipality_code,
            # In the by-organisation index right after its signal (newest first), so a page of
            # the organisation's signals carries their matches without a read per signal.
            "org_id": match.owner_organisation_id,
            "created_sort": (
                f"{iso_instant(match.owner_created_at)}#{match.signal_id}#M{match.id}"
                if match.owner_created_at
                else None
            ),
        }
    )


def item_to_match(item: Item) -> Match:
    professional = item["other_professional"]
    return Match(
        id=item["match_id"],
        kind=MatchKind(item["kind"]),
        since=parse_instant(item["since"]),
        signal_id=item["signal_id"],
        owner_child_pseudonym=item["pk"].removeprefix(CHILD_PREFIX),
        owner_delete_after=date.fromisoformat(item["owner_delete_after"]),
        other=MatchedParty(
            signal_id=item["other_signal_id"],
            child_pseudonym=item["other_pk"].removeprefix(CHILD_PREFIX),
            organisation=Organisation(
                id=item["other_org_id"],
                name=item["other_org_name"],
                sector=item["other_org_sector"],
                region=item["other_org_region"],
            ),
            professional=professional_from_map(professional),
            created_at=parse_instant(item["other_created_at"]),
            active_until=date.fromisoformat(item["other_active_until"]),
            delete_after=date.fromisoformat(item["other_delete_after"]),
            archived_on=date.fromisoformat(item["other_archived_on"]) if item.get("other_archived_on") else None,
            version=int(item.get("other_version", 0)),
        ),
        municipality_code=item.get("follow_up_municipality"),
        owner_organisation_id=item.get("org_id"),
        owner_created_at=parse_instant(item["created_sort"].split("#", 1)[0]) if item.get("created_sort") else None,
    )


def notification_sort_key(new_signal_id: str, recipient_key: str) -> str:
    return f"{NOTIFY_PREFIX}{new_signal_id}#{recipient_key}"


def notification_key(notification: Notification) -> Item:
    return {
        "pk": CHILD_PREFIX + notification.filed_under_child_pseudonym,
        "sk": notification_sort_key(notification.filed_under_signal_id, notification.key),
    }


def from_stream_image(image: Mapping[str, Any]) -> Item:
    """A stream image as powertools decodes it (numbers as ``Decimal``) in our plain form."""
    return {key: _from_dynamo(value) for key, value in image.items()}


REMINDER_SHARD = "REMIND"


def municipal_match_key(municipality_code: str, match_id: str) -> Item:
    return {"pk": f"MUNI#{municipality_code}", "sk": f"MATCH#{match_id}"}


def _side_to_map(side: MatchSide) -> Item:
    return _drop_none(
        {
            "signal_id": side.signal_id,
            "child_pseudonym": side.child_pseudonym,
            "key_version": side.key_version,
            "org_id": side.organisation.id,
            "org_name": side.organisation.name,
            "org_sector": side.organisation.sector,
            "org_region": side.organisation.region,
            "professional": professional_to_map(side.professional),
            "case_reference": side.case_reference,
            "signal_created_at": iso_instant(side.signal_created_at),
            "delete_after": side.delete_after.isoformat(),
            "version": side.version,
        }
    )


def _map_to_side(value: Item) -> MatchSide:
    professional = value["professional"]
    return MatchSide(
        signal_id=value["signal_id"],
        child_pseudonym=value["child_pseudonym"],
        key_version=value["key_version"],
        organisation=Organisation(
            id=value["org_id"], name=value["org_name"], sector=value["org_sector"], region=value["org_region"]
        ),
        professional=professional_from_map(professional),
        case_reference=value.get("case_reference"),
        signal_created_at=parse_instant(value["signal_created_at"]),
        delete_after=date.fromisoformat(value["delete_after"]),
        version=int(value.get("version", 0)),
    )


def municipal_match_to_item(match: MunicipalMatch) -> Item:
    item = _drop_none(
        {
            **municipal_match_key(match.municipality_code, match.id),
            "item_type": "municipal_match",
            "match_id": match.id,
            "municipality_code": match.municipality_code,
            "kind": match.kind.value,
            "since": iso_instant(match.since),
            "sides": [_side_to_map(side) for side in match.sides],
            "follow_up": match.follow_up.value,
            "follow_up_at": iso_instant(match.follow_up_at) if match.follow_up_at else None,
            "note_code": match.note_code,
            "reminded": list(match.reminded),
            "ttl": expiry_epoch(min(side.delete_after for side in match.sides)),
        }
    )
    if match.follow_up is FollowUp.OPEN and not all(match.reminded):
        item["due_shard"] = REMINDER_SHARD
        item["due_key"] = f"{match.reminder_due().isoformat()}#{match.id}"
    return item


def item_to_municipal_match(item: Item) -> MunicipalMatch:
    sides = [_map_to_side(side) for side in item["sides"]]
    reminded = [bool(flag) for flag in item.get("reminded", [False, False])]
    return MunicipalMatch(
        id=item["match_id"],
        municipality_code=item["municipality_code"],
        kind=MatchKind(item["kind"]),
        since=parse_instant(item["since"]),
        sides=(sides[0], sides[1]),
        follow_up=FollowUp(item.get("follow_up", "open")),
        follow_up_at=parse_instant(item["follow_up_at"]) if item.get("follow_up_at") else None,
        note_code=item.get("note_code"),
        reminded=(reminded[0], reminded[1]),
    )
