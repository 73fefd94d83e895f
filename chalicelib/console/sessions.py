"""Console sessions in DynamoDB, as items of the table that already holds short-lived records.

The idempotency table holds records that live hours, keyed by one string, expired by TTL on
``expires_at``, KMS-encrypted and on purpose without backups: sessions are the same kind of
record, so they live there under ``session#<key>`` instead of in a table of their own. Reads
check the expiry themselves; TTL deletes late.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.console.ports import Challenge, ChallengeKind, ConsoleSession
from chalicelib.domain.people import Person, Role

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PREFIX = "session#"


def _text(value: str | None) -> dict[str, Any]:
    return {"S": value} if value else {"NULL": True}


def _read(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name, {})
    return value.get("S") if isinstance(value, dict) else None


def session_to_item(session: ConsoleSession, expires_at: datetime) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": {"S": PREFIX + session.key},
        "expires_at": {"N": str(int(expires_at.timestamp()))},
        "csrf_token": {"S": session.csrf_token},
        "created_at": {"S": session.created_at.isoformat()},
        "last_seen": {"S": session.last_seen.isoformat()},
        "refresh_token": _text(session.refresh_token),
        "totp_secret": _text(session.totp_secret),
    }
    person = session.person
    if person is not None:
        item["person"] = {
            "M": {
                "id": {"S": person.id},
                "username": {"S": person.username},
                "display_name": {"S": person.display_name},
                "roles": {"L": [{"S": role.value} for role in sorted(person.roles)]},
                "municipality_code": _text(person.municipality_code),
                "organisation_id": _text(person.organisation_id),
            }
        }
    challenge = session.challenge
    if challenge is not None:
        item["challenge"] = {
            "M": {
                "kind": {"S": challenge.kind.value},
                "username": {"S": challenge.username},
                "handle": {"S": challenge.handle},
            }
        }
    return item


def item_to_session(item: dict[str, Any]) -> ConsoleSession:
    person = None
    if "person" in item:
        fields = item["person"]["M"]
        person = Person(
            id=fields["id"]["S"],
            username=fields["username"]["S"],
            display_name=fields["display_name"]["S"],
            roles=frozenset(Role(role["S"]) for role in fields["roles"]["L"]),
            municipality_code=_read(fields, "municipality_code"),
            organisation_id=_read(fields, "organisation_id"),
        )
    challenge = None
    if "challenge" in item:
        fields = item["challenge"]["M"]
        challenge = Challenge(ChallengeKind(fields["kind"]["S"]), fields["username"]["S"], fields["handle"]["S"])
    return ConsoleSession(
        key=item["pk"]["S"].removeprefix(PREFIX),
        csrf_token=item["csrf_token"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]).astimezone(UTC),
        last_seen=datetime.fromisoformat(item["last_seen"]["S"]).astimezone(UTC),
        person=person,
        refresh_token=_read(item, "refresh_token"),
        challenge=challenge,
        totp_secret=_read(item, "totp_secret"),
    )


class DynamoDBSessionStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, session: ConsoleSession, expires_at: datetime) -> None:
        self._client.put_item(TableName=self._table, Item=session_to_item(session, expires_at))

    def get(self, key: str) -> ConsoleSession | None:
        item = self._client.get_item(TableName=self._table, Key={"pk": {"S": PREFIX + key}}, ConsistentRead=True).get(
            "Item"
        )
        return item_to_session(item) if item else None

    def delete(self, key: str) -> None:
        self._client.delete_item(TableName=self._table, Key={"pk": {"S": PREFIX + key}})
