"""Token hashes in the registry table: the authorizer's one read, issuing, revoking, suspending."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import iso_instant, parse_instant
from chalicelib.adapters.dynamodb.table import Item, Write, deserialise, serialise
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.ports_registry import MAX_ACTIVE_TOKENS, USE_RESOLUTION, TokenGrant

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef
from chalicelib.adapters.dynamodb.registry_table import ACTIVE, REVOKED, SUSPENDED, TOKEN_WRITE_ATTEMPTS, RegistryTable


class TokenRegistry(RegistryTable):
    def token_by_hash(self, token_hash: str) -> TokenGrant | None:
        """The one read the authorizer makes per request: the token item carries the principal."""
        item = self._get(keys.token_key(token_hash))
        if item is None:
            return None
        organisation = None
        if item.get("org_id"):
            organisation = Organisation(
                id=item["org_id"],
                name=item["org_name"],
                sector=item["org_sector"],
                region=item["org_region"],
                oin=item.get("org_oin"),
            )
        principal = Principal(
            client_id=item["client_id"],
            kind=PrincipalKind(item["kind"]),
            organisation=organisation,
            municipality_code=item.get("municipality_code"),
            region=item.get("region"),
        )
        return _grant(item, token_hash, principal)

    def put_token(self, grant: TokenGrant, created_at: datetime) -> None:
        """Store a token (its item, its id pointer and its owner's pointer) in one transaction.

        An organisation's token is stored only while the organisation is active and holds fewer
        than :data:`MAX_ACTIVE_TOKENS` active tokens, checked in that same transaction.
        """
        principal = grant.principal
        organisation = principal.organisation
        owner = keys.token_owner(principal)
        token_item: Item = {
            **keys.token_key(grant.token_hash),
            "item_type": "token",
            "token_id": grant.token_id,
            "client_id": principal.client_id,
            "kind": principal.kind.value,
            "status": ACTIVE if grant.active else SUSPENDED,
            "owner": owner,
            "created_at": iso_instant(created_at),
        }
        if grant.label is not None:
            token_item["label"] = grant.label
        if organisation is not None:
            token_item |= {
                "org_id": organisation.id,
                "org_name": organisation.name,
                "org_sector": organisation.sector,
                "org_region": organisation.region,
            }
            if organisation.oin is not None:
                token_item["org_oin"] = organisation.oin
        if principal.municipality_code is not None:
            token_item["municipality_code"] = principal.municipality_code
        if principal.region is not None:
            token_item["region"] = principal.region
        puts = [
            self._new_item(token_item),
            self._new_item(keys.token_id_key(grant.token_id) | {"token_hash": grant.token_hash}),
            self._new_item(keys.owned_token_key(owner, grant.token_id) | {"token_hash": grant.token_hash}),
        ]
        if organisation is None:
            self._transact(puts, "token")
            return
        for _ in range(TOKEN_WRITE_ATTEMPTS):
            item, active = self._organisation_tokens(organisation.id)
            if item["status"] != ACTIVE:
                raise InvalidInput.single("organisation", "the organisation is suspended")
            if len(active) >= MAX_ACTIVE_TOKENS:
                raise InvalidInput.single(
                    "organisation", f"the organisation holds {MAX_ACTIVE_TOKENS} active tokens; revoke one first"
                )
            issued = _tokens_issued(item)
            update: TransactWriteItemTypeDef = {
                "Update": {
                    "TableName": self._table,
                    "Key": serialise(keys.organisation_key(organisation.id)),
                    "UpdateExpression": "SET tokens_issued = :next",
                    "ConditionExpression": f"#status = :active AND {_issued_unchanged(issued)}",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":active": {"S": ACTIVE},
                        ":issued": {"N": str(issued)},
                        ":next": {"N": str(issued + 1)},
                    },
                }
            }
            if self._transact_if_unchanged([Write(update), *puts]):
                return
        raise Conflict("the organisation's tokens changed meanwhile; try again")

    def revoke_token(self, token_id: str) -> None:
        pointer = self._get(keys.token_id_key(token_id))
        if pointer is None:
            raise NotFound(f"no token {token_id}")
        self._set_status(keys.token_key(pointer["token_hash"]), REVOKED)

    def record_use(self, token_hash: str, at: datetime) -> None:
        """One conditional ``UpdateItem``, refused while the stored use is under an hour old."""
        update = self._registry.update(
            keys.token_key(token_hash),
            "SET last_used = :at",
            "attribute_exists(pk) AND (attribute_not_exists(last_used) OR last_used < :stale)",
            {":at": iso_instant(at), ":stale": iso_instant(at - USE_RESOLUTION)},
        )
        # Refused: used within the hour already (or meanwhile by another instance), or unknown.
        with suppress(Conflict):
            self._registry.write(update)

    def tokens_of(self, organisation_id: str) -> list[TokenGrant]:
        """The owner's pointers, then their token items; the principal is the organisation's."""
        hashes = self._owner_token_hashes(keys.organisation_key(organisation_id)["pk"])
        grants = [self.token_by_hash(token_hash) for token_hash in hashes]
        found = [grant for grant in grants if grant is not None]
        return sorted(
            found,
            key=lambda grant: (grant.created_at or datetime.min.replace(tzinfo=UTC), grant.token_id),
            reverse=True,
        )

    def _owner_token_hashes(self, owner: str) -> list[str]:
        pointers = self._registry.query(
            "pk = :pk AND begins_with(sk, :prefix)", {":pk": owner, ":prefix": keys.TOKEN_PREFIX}, ConsistentRead=True
        )
        return [pointer["token_hash"] for pointer in pointers]

    def _organisation_tokens(self, organisation_id: str) -> tuple[Item, list[str]]:
        """The organisation item and the hashes of its active tokens, read consistently."""
        key = keys.organisation_key(organisation_id)
        item = self._get(key)
        if item is None:
            raise NotFound(f"no organisation {organisation_id}")
        hashes = self._owner_token_hashes(key["pk"])
        active: list[str] = []
        for start in range(0, len(hashes), 100):  # BatchGetItem reads up to 100 keys per call
            wanted: Any = [serialise(keys.token_key(h)) for h in hashes[start : start + 100]]
            while wanted:
                response = self._client.batch_get_item(
                    RequestItems={
                        self._table: {
                            "Keys": wanted,
                            "ConsistentRead": True,
                            "ProjectionExpression": "pk, #status",
                            "ExpressionAttributeNames": {"#status": "status"},
                        }
                    }
                )
                unprocessed = response.get("UnprocessedKeys", {})
                wanted = unprocessed[self._table]["Keys"] if self._table in unprocessed else []
                for raw in response["Responses"].get(self._table, []):
                    token = deserialise(raw)
                    if token["status"] == ACTIVE:
                        active.append(keys.token_hash_of(token["pk"]))
        return item, sorted(active)

    # Organisations and municipalities -----------------------------------------------------------

    def suspend_organisation(self, organisation_id: str) -> int:
        """Suspend the organisation and every active token it holds, in one transaction.

        Returns how many tokens stopped. The authorizer reads only the token, so no token of a
        suspended organisation may stay active: the transaction stops the organisation with the
        tokens it read, on condition that no token was issued since (``tokens_issued``) and that
        each is still active; issuing checks the organisation in its own transaction.
        """
        for _ in range(TOKEN_WRITE_ATTEMPTS):
            item, active = self._organisation_tokens(organisation_id)
            issued = _tokens_issued(item)
            actions: list[TransactWriteItemTypeDef] = [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": serialise(keys.organisation_key(organisation_id)),
                        "UpdateExpression": "SET #status = :suspended",
                        "ConditionExpression": _issued_unchanged(issued),
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":suspended": {"S": SUSPENDED}, ":issued": {"N": str(issued)}},
                    }
                }
            ]
            actions += [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": serialise(keys.token_key(token_hash)),
                        "UpdateExpression": "SET #status = :suspended",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":suspended": {"S": SUSPENDED}, ":active": {"S": ACTIVE}},
                    }
                }
                for token_hash in active
            ]
            if self._transact_if_unchanged([Write(action) for action in actions]):
                return len(active)
        raise Conflict("the organisation's tokens changed meanwhile; try again")


def _grant(item: Item, token_hash: str, principal: Principal) -> TokenGrant:
    last_used = item.get("last_used")
    return TokenGrant(
        token_id=item["token_id"],
        token_hash=token_hash,
        principal=principal,
        active=item["status"] == ACTIVE,
        label=item.get("label"),
        created_at=parse_instant(item["created_at"]) if item.get("created_at") else None,
        last_used=parse_instant(last_used) if last_used else None,
    )


def _issued_unchanged(issued: int) -> str:
    """The organisation item exists and no token was issued since it showed ``issued``."""
    if issued:
        return "tokens_issued = :issued"
    # Organisations stored before ``tokens_issued`` existed have none; the first token sets it.
    return "attribute_exists(pk) AND (attribute_not_exists(tokens_issued) OR tokens_issued = :issued)"


def _tokens_issued(organisation: Item) -> int:
    return int(organisation.get("tokens_issued", 0))
