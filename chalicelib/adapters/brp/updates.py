"""The BRP Update API (Haal Centraal "BRP update"): follow a person, and learn who changed.

``PUT {update_api}/volgindicaties/{bsn}`` with ``{"einddatum": ...}`` follows a person up to that
day, which the API defines as the first day it is no longer followed: following through ``until``
sends the day after (again: the new end date holds); ``GET {update_api}/wijzigingen?vanaf=YYYY-MM-DD``
answers ``{"_links": ..., "burgerservicenummers": [...]}`` (``application/hal+json``), the followed
persons whose data changed on or after that day while they were followed. The
BSN is in the path because the API puts it there: the request goes over TLS to the organisation's
gateway, and neither URL nor BSN reaches an exception message or a log line here.

Same token, retries, timeouts and error rules as ``/personen`` (``haal_centraal.py``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.adapters.brp.haal_centraal import HaalCentraalPopulationRegister
from chalicelib.domain.population import RegisterUnavailable

# GET /wijzigingen answers HAL; a gateway that holds to the spec may refuse an Accept without it.
HAL_JSON = "application/hal+json, application/json"


def _is_bsn(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()


class HaalCentraalRegisterUpdates(HaalCentraalPopulationRegister):
    """``RegisterUpdates`` (and ``PopulationRegister``) against the Haal Centraal gateway."""

    def subscribe(self, bsn: str, until: date) -> None:
        if not _is_bsn(bsn):
            raise ValueError("not a BSN")
        url = f"{self._endpoint().update_api}/volgindicaties/{bsn}"
        self._authorised("PUT", url, {"einddatum": (until + timedelta(days=1)).isoformat()})

    def changed_since(self, since: date) -> list[str]:
        url = f"{self._endpoint().update_api}/wijzigingen?vanaf={since.isoformat()}"
        answer = self._authorised("GET", url, None, accept=HAL_JSON)
        if not isinstance(answer, dict) or not isinstance(answer.get("burgerservicenummers", []), list):
            raise RegisterUnavailable("the BRP Update API answered off the spec")
        return list(dict.fromkeys(bsn for bsn in answer.get("burgerservicenummers", []) if _is_bsn(bsn)))
