"""The professionals' answers to a match, written where each reader finds them.

An answer is read in three places: with the regievoerder's record (``GET /v1/matches``, the
reminders), with the answering side's own match record and with the other side's (each signal
comes back with its matches in one Query). One transaction writes all three with the log line,
each on condition that the side's answer is still the version read, so the copies never disagree
and of two answers given at once the second is computed again from the first.
"""

from __future__ import annotations

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.logbook import DynamoDBLogbook
from chalicelib.adapters.dynamodb.match_items import answer_to_map, item_to_municipal_match
from chalicelib.adapters.dynamodb.table import Item, Table
from chalicelib.domain.answers import MatchAnswer
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.logbook import LogEntry
from chalicelib.domain.matching import MunicipalMatch

ANSWER_CHANGED = "the answer was changed meanwhile; retry"


def _refused(record: Item | None) -> Exception:
    return Conflict(ANSWER_CHANGED) if record else NotFound("no such match")


def _unchanged(path: str, read: MatchAnswer | None) -> str:
    """The condition that the answer at ``path`` is still the one read."""
    if read is None:
        return f"attribute_not_exists({path})"
    return f"{path}.version = :read"


class DynamoDBMatchAnswers:
    def __init__(self, table: Table, logbook: DynamoDBLogbook) -> None:
        self._table = table
        self._logbook = logbook

    def find(self, match_id: str) -> MunicipalMatch | None:
        """The by-id index names the regievoerder's record; that record is then read strongly
        consistently, so a page shown right after an answer shows it."""
        for item in self._table.query("signal_id = :id", {":id": match_id}, IndexName=keys.BY_ID):
            # The index holds keys only: the regievoerder's record is the one under a municipality.
            if keys.is_municipal_match_key(item["pk"], item["sk"]):
                stored = self._table.get({"pk": item["pk"], "sk": item["sk"]})
                return item_to_municipal_match(stored) if stored else None
        return None

    def record_answer(self, match: MunicipalMatch, side: int, answer: MatchAnswer, log: LogEntry) -> None:
        own, other = match.sides[side], match.sides[1 - side]
        read = own.answer
        values: Item = {":answer": answer_to_map(answer), ":own": own.signal_id}
        if read is not None:
            values[":read"] = read.version
        on_record = f"sides[{side}]"
        writes = [
            self._table.update(
                keys.municipal_match_key(match.municipality_code, match.id),
                f"SET {on_record}.answer = :answer",
                f"{on_record}.sid = :own AND {_unchanged(on_record + '.answer', read)}",
                values,
                refused=_refused,
            ),
            self._table.update(
                keys.match_key(own.child_pseudonym, own.signal_id, match.id),
                "SET answer = :answer",
                f"owner_id = :own AND {_unchanged('answer', read)}",
                values,
                refused=_refused,
            ),
            self._table.update(
                keys.match_key(other.child_pseudonym, other.signal_id, match.id),
                "SET other_answer = :answer",
                f"other_signal_id = :own AND {_unchanged('other_answer', read)}",
                values,
                refused=_refused,
            ),
            self._logbook.put(log),
        ]
        self._table.transact(writes, busy=ANSWER_CHANGED)
