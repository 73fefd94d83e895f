"""What a report needs of the signals, from an index that projects nothing about the child."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.reports import SignalFacts


class DynamoDBReportSignals:
    def __init__(self, table: Table) -> None:
        self._table = table

    def signal_facts(self, municipality_code: str, start: datetime, end: datetime) -> list[SignalFacts]:
        """Sector and informing of the signals created in [start, end) for children living in the
        municipality: the by-municipality index projects only these two attributes."""
        found = self._table.query(
            "muni = :code AND created_sort BETWEEN :start AND :end",
            {":code": municipality_code, ":start": keys.iso_instant(start), ":end": keys.iso_instant(end)},
            IndexName=keys.BY_MUNICIPALITY,
        )
        return [SignalFacts(sector=item["org_sector"], family_informed=bool(item["family_informed"])) for item in found]
