"""Every key shape, key prefix, item type and index name of the tables: the table design in one place.

``docs/architecture.md`` tells it as a table: each item type with its keys and the indexes it lands
in (and why), and each access pattern with the one request that serves it. The indexes are sparse:
an item is in an index only when it carries that index's key attributes, so which attributes an
item type carries decides where it can be found.

Attribute names are stored with every item and index entry, and an item's write units count them.
The names that no index, filter, condition or update expression uses, and that are read only by
``items.py`` and ``match_items.py``, are short:

==========================  ==============================================================
stored                      meaning
==========================  ==============================================================
``addr``                    the address pseudonym (key of by-address)
``muni``                    the municipality the child lives in (key of by-municipality)
``ckv``, ``akv``            key version of the child's and of the address pseudonym
``child``                   the child: ``gn`` given names, ``pre`` family-name prefix, ``fn``
                            family name, ``bd`` birth date, ``g`` gender, ``a`` address (``st``
                            street, ``nr`` house number, ``hl`` house letter, ``hs`` house-number
                            suffix, ``pc`` postcode, ``city``); the municipality is ``muni``
``pro``, ``other_pro``      a professional: ``n`` name, ``f`` function, ``e`` e-mail, ``t`` phone
``ref``                     the organisation's case reference
``reason``                  why a signal was closed early
``idem``                    the ``Idempotency-Key`` the signal was created with
``rechecked``               when a recheck verified a signal accepted while the register was down
``held_by``                 the id of the signal an active-signal guard belongs to
``owner_id``                the id of the signal a match record is shown with
``sides`` (a list of maps)  the regievoerder's record of each signal: ``sid`` its id, ``c`` the
                            child's pseudonym, ``kv`` key version, ``org`` (a list: id, name, sector,
                            region), ``pro``, ``ref``, ``at`` created, ``del`` delete after,
                            ``ver`` version
==========================  ==============================================================

Nothing is stored twice: a signal's creation instant is the start of ``created_sort`` and its
last day (``delete_after``) the day before its ``ttl``; a match record's id ends its sort key; the
regievoerder's record takes its municipality and match id from its keys, and its follow-up is
absent while open.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.model import Principal, PrincipalKind

Key = dict[str, str]

# Indexes of the signals table.
BY_ID = "by-id"
BY_ORGANISATION = "by-organisation"
BY_ADDRESS = "by-address"
BY_DUE = "by-due"
BY_MUNICIPALITY = "by-municipality"
BY_PARENT = "by-parent"

# The attribute ``item_type`` of each item type of the signals table.
SIGNAL = "signal"
ACTIVE_GUARD = "active_guard"
MATCH = "match"
NOTIFICATION = "notification"
MUNICIPAL_MATCH = "municipal_match"
PARENT_LINK = "parent_link"

CHILD_PREFIX = "CHILD#"
SIGNAL_PREFIX = "SIGNAL#"
GUARD_PREFIX = "ACTIVE#"
MATCH_PREFIX = "MATCH#"
NOTIFY_PREFIX = "NOTIFY#"
MUNICIPALITY_PREFIX = "MUNI#"
CLIENT_PREFIX = "CLIENT#"
DUE_PREFIX = "DUE#"
PARENT_PREFIX = "PARENT#"
# Signals spread over a few partitions of the due index, so no one partition takes every write.
DUE_SHARDS = 4
REMINDER_SHARD = "REMIND"

# The registry table.
ORGANISATION_PREFIX = "ORG#"
ADMIN_PREFIX = "ADMIN#"
TOKEN_PREFIX = "TOKEN#"  # noqa: S105 (a key prefix, not a secret)
TOKEN_ID_PREFIX = "TOKENID#"  # noqa: S105 (a key prefix, not a secret)
EXCLUDED_PREFIX = "EXCLUDED#"
# The day the nightly BRP follow-up last asked the Update API from (adapters/dynamodb/follow_cursor.py).
FOLLOW_CURSOR = {"pk": "BRPFOLLOW", "sk": "CURSOR"}


def iso_instant(instant: datetime) -> str:
    """An instant as stored and sorted: UTC, whole seconds."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# The signals table: a child's partition holds its signals, their guards, match records and mails.


def child_pk(child_pseudonym: str) -> str:
    return CHILD_PREFIX + child_pseudonym


def child_of(pk: str) -> str:
    return pk.removeprefix(CHILD_PREFIX)


def signal_key(child_pseudonym: str, signal_id: str) -> Key:
    return {"pk": child_pk(child_pseudonym), "sk": SIGNAL_PREFIX + signal_id}


def guard_key(child_pseudonym: str, organisation_id: str) -> Key:
    """The one-active-signal-per-organisation-per-child guard, beside the child's signals."""
    return {"pk": child_pk(child_pseudonym), "sk": GUARD_PREFIX + organisation_id}


def parent_link_key(child_pseudonym: str, signal_id: str, parent_pseudonym: str) -> Key:
    """A signal's link to one parent (the family match), beside the signal, deleted with it."""
    return {"pk": child_pk(child_pseudonym), "sk": f"{PARENT_PREFIX}{signal_id}#{parent_pseudonym}"}


def signal_of_parent_link(sk: str) -> str:
    return sk.removeprefix(PARENT_PREFIX).split("#", 1)[0]


def match_key(owner_child_pseudonym: str, owner_signal_id: str, match_id: str) -> Key:
    """One side's record of a match, in the partition of the signal it is shown with."""
    return {"pk": child_pk(owner_child_pseudonym), "sk": f"{MATCH_PREFIX}{owner_signal_id}#{match_id}"}


def notification_key(child_pseudonym: str, signal_id: str, recipient_key: str) -> Key:
    """A mail's ledger entry, beside the signal it is filed under, so it goes with that signal."""
    return {"pk": child_pk(child_pseudonym), "sk": f"{notifications_of(signal_id)}{recipient_key}"}


def notifications_of(signal_id: str) -> str:
    """The sort-key prefix of every ledger entry filed under ``signal_id``."""
    return f"{NOTIFY_PREFIX}{signal_id}#"


def municipal_matches_pk(municipality_code: str) -> str:
    return MUNICIPALITY_PREFIX + municipality_code


def municipal_match_key(municipality_code: str, match_id: str) -> Key:
    """The regievoerder's record of a match, in a partition per municipality."""
    return {"pk": municipal_matches_pk(municipality_code), "sk": MATCH_PREFIX + match_id}


def created_sort(created_at: datetime, signal_id: str) -> str:
    """Sort key of the organisation, address and municipality indexes: creation instant, then id."""
    return f"{iso_instant(created_at)}#{signal_id}"


def match_created_sort(owner_created_at: datetime, owner_signal_id: str, match_id: str) -> str:
    """A match record's place in the organisation index: right after the signal it is shown with
    (newest first), so a page of signals carries their matches without a read per signal."""
    return f"{created_sort(owner_created_at, owner_signal_id)}#M{match_id}"


def created_of(created_sort_key: str) -> datetime:
    return parse_instant(created_sort_key.split("#", 1)[0])


def due_shard(signal_id: str) -> str:
    return f"{DUE_PREFIX}{zlib.crc32(signal_id.encode()) % DUE_SHARDS}"


def due_shards() -> list[str]:
    return [f"{DUE_PREFIX}{shard}" for shard in range(DUE_SHARDS)]


def due_key(day: date) -> str:
    """Sort key of the due index: the first day the lifecycle job acts on the item. An index key
    need not be unique, and the job reads whole days, so the day alone will do."""
    return day.isoformat()


def due_after(day: date) -> str:
    """The bound every due key of ``day`` and before sorts below."""
    return (day + timedelta(days=1)).isoformat()


# The logbook and idempotency tables.


def log_key(child_pseudonym: str | None, client_id: str, at: datetime, entry_id: str) -> Key:
    """A child's entries share its partition (an access request reads one); the rest go by client."""
    pk = child_pk(child_pseudonym) if child_pseudonym else CLIENT_PREFIX + client_id
    return {"pk": pk, "sk": f"{iso_instant(at)}#{entry_id}"}


def idempotency_key(organisation_id: str, key: str) -> Key:
    return {"pk": f"{organisation_id}#{key}"}


# The registry table.


def organisation_key(organisation_id: str) -> Key:
    return {"pk": ORGANISATION_PREFIX + organisation_id, "sk": "ORG"}


def municipality_key(code: str) -> Key:
    return {"pk": MUNICIPALITY_PREFIX + code, "sk": "MUNI"}


def is_municipal_match_key(pk: str, sk: str) -> bool:
    """Whether a key (as a keys-only index returns it) is that of a regievoerder's record."""
    return pk.startswith(MUNICIPALITY_PREFIX) and sk.startswith(MATCH_PREFIX)


def municipality_of(pk: str) -> str:
    return pk.removeprefix(MUNICIPALITY_PREFIX)


def token_key(token_hash: str) -> Key:
    """The token item, found by the hash of the token: the one read of the authorizer."""
    return {"pk": TOKEN_PREFIX + token_hash, "sk": "TOKEN"}


def token_hash_of(pk: str) -> str:
    return pk.removeprefix(TOKEN_PREFIX)


def token_id_key(token_id: str) -> Key:
    """A pointer from the token's public id to its hash, for revoking it."""
    return {"pk": TOKEN_ID_PREFIX + token_id, "sk": "TOKENID"}


def token_owner(principal: Principal) -> str:
    """The partition of whoever holds a token: an organisation, a municipality, an administrator."""
    if principal.kind is PrincipalKind.ORGANISATION and principal.organisation is not None:
        return ORGANISATION_PREFIX + principal.organisation.id
    if principal.kind is PrincipalKind.MUNICIPALITY and principal.municipality_code is not None:
        return MUNICIPALITY_PREFIX + principal.municipality_code
    return ADMIN_PREFIX + principal.client_id


def owned_token_key(owner: str, token_id: str) -> Key:
    """A pointer from the owner's partition to a token it holds, for suspending them all."""
    return {"pk": owner, "sk": TOKEN_PREFIX + token_id}


def excluded_address_key(address_pseudonym: str) -> Key:
    return {"pk": EXCLUDED_PREFIX + address_pseudonym, "sk": "EXCLUDED"}
