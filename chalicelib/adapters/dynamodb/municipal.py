"""The regievoerder's match records: a partition per municipality in the signals table."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook
from chalicelib.adapters.dynamodb.match_items import item_to_municipal_match, reminder_due_key
from chalicelib.adapters.dynamodb.table import Item, Table, again_when_busy
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import FollowUp, MunicipalMatch
from chalicelib.ports import WRITE_ATTEMPTS

MATCH_CHANGED = "the match was changed meanwhile; retry"


class _OtherSideChanged(Exception):
    def __init__(self, record: Item | None) -> None:
        super().__init__("the other side's reminder changed")
        self.record = record


class DynamoDBMunicipalMatches:
    """Each writer sets only the attributes it changes, with a condition on what it read of the
    others: the follow-up (status, note) and the reminders (``reminded``, and the due-index keys,
    which depend on both) never overwrite each other, and the professionals on the sides are
    refreshed by ``DynamoDBMatchStore``, version by version."""

    def __init__(self, table: Table, logbook: DynamoDBLogbook) -> None:
        self._table = table
        self._logbook = logbook

    def for_municipality(self, municipality_code: str, since: date | None) -> list[MunicipalMatch]:
        values: Item = {":pk": keys.municipal_matches_pk(municipality_code), ":prefix": keys.MATCH_PREFIX}
        extra = {}
        if since is not None:
            extra["FilterExpression"] = "since >= :since"
            values[":since"] = since.isoformat()
        found = self._table.query("pk = :pk AND begins_with(sk, :prefix)", values, **extra)
        return sorted(
            (item_to_municipal_match(item) for item in found), key=lambda match: (match.since, match.id), reverse=True
        )

    def get(self, municipality_code: str, match_id: str) -> MunicipalMatch | None:
        item = self._table.get(keys.municipal_match_key(municipality_code, match_id))
        return item_to_municipal_match(item) if item else None

    def record_follow_up(
        self, match: MunicipalMatch, status: FollowUp, note_code: str | None, at: datetime, log: LogEntry
    ) -> None:
        """Set the follow-up; ``Conflict`` when a reminder was recorded since ``match`` was read."""
        sets = ["follow_up = :status", "follow_up_at = :at"]
        removes: list[str] = []
        values: Item = {":status": status.value, ":at": keys.iso_instant(at)}
        if note_code is not None:
            sets.append("note_code = :note")
            values[":note"] = note_code
        else:
            removes.append("note_code")
        condition = "attribute_exists(pk)"
        if status is FollowUp.OPEN and not all(match.reminded):
            # Back in the job's index while a reminder is still due, which depends on the flags read.
            sets += ["due_shard = :shard", "due_key = :due"]
            values |= {
                ":shard": keys.REMINDER_SHARD,
                ":due": reminder_due_key(match),
                ":first": match.reminded[0],
                ":second": match.reminded[1],
            }
            condition = "reminded[0] = :first AND reminded[1] = :second"
        else:
            removes += ["due_shard", "due_key"]
        update = self._table.update(
            keys.municipal_match_key(match.municipality_code, match.id),
            "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            condition,
            values,
            refused=lambda record: Conflict(MATCH_CHANGED) if record else NotFound("no such match"),
        )
        self._table.transact([update, self._logbook.put(log)], busy=MATCH_CHANGED)

    def due_reminders(self, today: date) -> list[MunicipalMatch]:
        found = self._table.query(
            "due_shard = :shard AND due_key < :upper",
            {":shard": keys.REMINDER_SHARD, ":upper": keys.due_after(today)},
            IndexName=keys.BY_DUE,
        )
        return [item_to_municipal_match(item) for item in self._table.fetch(found)]

    def mark_reminded(self, match: MunicipalMatch, side: int) -> None:
        """Record that one side's professional was reminded; the last one leaves the job's index.

        Sets only this side's flag, on condition that the other one is still as read; when it is
        not, the write is made again with the flag as it is now.
        """
        other = 1 - side
        other_reminded = match.reminded[other]
        for _ in range(WRITE_ATTEMPTS):
            mark = self._table.update(
                keys.municipal_match_key(match.municipality_code, match.id),
                f"SET reminded[{side}] = :yes" + (" REMOVE due_shard, due_key" if other_reminded else ""),
                f"reminded[{other}] = :other",
                {":yes": True, ":other": other_reminded},
                refused=_OtherSideChanged,
            )
            try:
                again_when_busy(partial(self._table.write, mark))
            except _OtherSideChanged as changed:
                if changed.record is None:
                    return  # deleted with one of its signals: nobody to remind any more
                other_reminded = bool(changed.record["reminded"][other])
                continue
            return
        raise Conflict(MATCH_CHANGED)
