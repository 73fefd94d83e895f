"""Match records (one per side) and the regievoerder's records as items of the signals table, and back."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.items import (
    drop_none,
    expiry_epoch,
    organisation_from,
    organisation_to,
    professional_from_map,
    professional_to_map,
)
from chalicelib.adapters.dynamodb.keys import iso_instant, parse_instant
from chalicelib.adapters.dynamodb.table import Item
from chalicelib.domain.answers import Answer, MatchAnswer
from chalicelib.domain.matching import FollowUp, Match, MatchedParty, MatchKind, MatchSide, MunicipalMatch
from chalicelib.domain.model import Organisation


def answer_to_map(answer: MatchAnswer | None) -> Item | None:
    if answer is None:
        return None
    return {"answer": answer.answer.value, "answered_at": iso_instant(answer.at), "version": answer.version}


def map_to_answer(value: Item | None) -> MatchAnswer | None:
    if not value:
        return None
    return MatchAnswer(
        answer=Answer(value["answer"]), at=parse_instant(value["answered_at"]), version=int(value["version"])
    )


def match_to_item(match: Match) -> Item:
    other = match.other
    return drop_none(
        {
            **keys.match_key(match.owner_child_pseudonym, match.signal_id, match.id),
            "item_type": keys.MATCH,
            # The owner's id, not as ``signal_id``: a match record has no place in the by-id index.
            "owner_id": match.signal_id,
            "kind": match.kind.value,
            "since": iso_instant(match.since),
            "owner_delete_after": match.owner_delete_after.isoformat(),
            "other_signal_id": other.signal_id,
            "other_pk": keys.child_pk(other.child_pseudonym),
            **organisation_to(other.organisation, "other_"),
            "other_pro": professional_to_map(other.professional),
            "other_created_at": iso_instant(other.created_at),
            "other_active_until": other.active_until.isoformat(),
            "other_delete_after": other.delete_after.isoformat(),
            "other_archived_on": other.archived_on.isoformat() if other.archived_on else None,
            "other_version": other.version,
            "ttl": expiry_epoch(min(match.owner_delete_after, other.delete_after)),
            # Not "municipality_code": that attribute would put the record in the reports' index.
            "follow_up_municipality": match.municipality_code,
            # In the by-organisation index right after the signal it is shown with.
            "org_id": match.owner_organisation_id,
            "created_sort": (
                keys.match_created_sort(match.owner_created_at, match.signal_id, match.id)
                if match.owner_created_at
                else None
            ),
            "answer": answer_to_map(match.answer),
            "other_answer": answer_to_map(match.other_answer),
        }
    )


def item_to_match(item: Item) -> Match:
    return Match(
        id=item["sk"].rsplit("#", 1)[1],
        kind=MatchKind(item["kind"]),
        since=parse_instant(item["since"]),
        signal_id=item["owner_id"],
        owner_child_pseudonym=keys.child_of(item["pk"]),
        owner_delete_after=date.fromisoformat(item["owner_delete_after"]),
        other=MatchedParty(
            signal_id=item["other_signal_id"],
            child_pseudonym=keys.child_of(item["other_pk"]),
            organisation=organisation_from(item, "other_"),
            professional=professional_from_map(item["other_pro"]),
            created_at=parse_instant(item["other_created_at"]),
            active_until=date.fromisoformat(item["other_active_until"]),
            delete_after=date.fromisoformat(item["other_delete_after"]),
            archived_on=date.fromisoformat(item["other_archived_on"]) if item.get("other_archived_on") else None,
            version=int(item.get("other_version", 0)),
        ),
        municipality_code=item.get("follow_up_municipality"),
        owner_organisation_id=item.get("org_id"),
        owner_created_at=keys.created_of(item["created_sort"]) if item.get("created_sort") else None,
        answer=map_to_answer(item.get("answer")),
        other_answer=map_to_answer(item.get("other_answer")),
    )


def _side_to_map(side: MatchSide, first: MatchSide | None = None) -> Item:
    """A side as a map; the second side of a match about one child leaves out the child's
    pseudonym, which the first side holds already (nothing stored twice)."""
    organisation = side.organisation
    same_child = first is not None and (first.child_pseudonym, first.key_version) == (
        side.child_pseudonym,
        side.key_version,
    )
    return drop_none(
        {
            "sid": side.signal_id,
            "c": None if same_child else side.child_pseudonym,
            "kv": None if same_child else side.key_version,
            "org": [organisation.id, organisation.name, organisation.sector, organisation.region],
            "pro": professional_to_map(side.professional),
            "ref": side.case_reference,
            "at": iso_instant(side.signal_created_at),
            "del": side.delete_after.isoformat(),
            "ver": side.version,
            "answer": answer_to_map(side.answer),
        }
    )


def _map_to_side(value: Item, first: Item | None = None) -> MatchSide:
    org = value["org"]
    child = value if "c" in value else first
    assert child is not None, "the first side always holds its child's pseudonym"
    return MatchSide(
        signal_id=value["sid"],
        child_pseudonym=child["c"],
        key_version=child["kv"],
        organisation=Organisation(*org),
        professional=professional_from_map(value["pro"]),
        case_reference=value.get("ref"),
        signal_created_at=parse_instant(value["at"]),
        delete_after=date.fromisoformat(value["del"]),
        version=int(value.get("ver", 0)),
        answer=map_to_answer(value.get("answer")),
    )


def reminder_due_key(match: MunicipalMatch) -> str:
    return keys.due_key(match.reminder_due())


def municipal_match_to_item(match: MunicipalMatch) -> Item:
    item = drop_none(
        {
            **keys.municipal_match_key(match.municipality_code, match.id),
            # The match id and the municipality are in the key; nothing puts it in by-municipality.
            "item_type": keys.MUNICIPAL_MATCH,
            # In the by-id index under the match's id, so the portal finds a match from its link.
            "signal_id": match.id,
            "kind": match.kind.value,
            "since": iso_instant(match.since),
            "sides": [_side_to_map(match.sides[0]), _side_to_map(match.sides[1], match.sides[0])],
            # Absent while open, as most records stay.
            "follow_up": None if match.follow_up is FollowUp.OPEN else match.follow_up.value,
            "follow_up_at": iso_instant(match.follow_up_at) if match.follow_up_at else None,
            "note_code": match.note_code,
            "reminded": list(match.reminded),
            "ttl": expiry_epoch(min(side.delete_after for side in match.sides)),
        }
    )
    if match.follow_up is FollowUp.OPEN and not all(match.reminded):
        # In the by-due index, in a shard of its own, until every side was reminded.
        item["due_shard"] = keys.REMINDER_SHARD
        item["due_key"] = reminder_due_key(match)
    return item


def item_to_municipal_match(item: Item) -> MunicipalMatch:
    first, second = item["sides"]
    sides = [_map_to_side(first), _map_to_side(second, first)]
    reminded = [bool(flag) for flag in item.get("reminded", [False, False])]
    return MunicipalMatch(
        id=item["sk"].removeprefix(keys.MATCH_PREFIX),
        municipality_code=keys.municipality_of(item["pk"]),
        kind=MatchKind(item["kind"]),
        since=parse_instant(item["since"]),
        sides=(sides[0], sides[1]),
        follow_up=FollowUp(item.get("follow_up", "open")),
        follow_up_at=parse_instant(item["follow_up_at"]) if item.get("follow_up_at") else None,
        note_code=item.get("note_code"),
        reminded=(reminded[0], reminded[1]),
    )
