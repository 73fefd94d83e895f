"""The ports to the population register (BRP): asking about persons, and following them.

The register's ports are kept apart from ``ports.py`` so they read together (``docs/brp.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from chalicelib.domain.population import NameSearch, RegisteredPerson, RegisterUse
from chalicelib.domain.recheck import Recheck


class PopulationRegister(Protocol):
    def persons(self, bsns: Sequence[str], use: RegisterUse) -> dict[str, RegisteredPerson]: ...

    def search(self, query: NameSearch) -> list[str]:
        """The BSNs of the persons registered with the family name (any prefix) and birth date, the
        deceased included; raises ``TooManyFound`` past ``MAX_FOUND``, ``RegisterUnavailable``."""
        ...


class RegisterUpdates(Protocol):
    """The BRP Update API: follow a person until a date, and which followed persons changed.

    Both raise ``RegisterUnavailable`` when the API cannot be asked.
    """

    def subscribe(self, bsn: str, until: date) -> None:
        """Follow ``bsn`` through ``until`` (``PUT /volgindicaties/{bsn}``); again: the new end date
        holds. A following that had ended begins anew today: changes from before are not named."""
        ...

    def changed_since(self, since: date) -> list[str]:
        """The BSNs followed today that changed on or after ``since`` while followed
        (``GET /wijzigingen?vanaf=``)."""
        ...


class FollowCursor(Protocol):
    """The day the nightly follow-up last asked from: one small item, moved conditionally."""

    def last_run(self) -> date | None: ...

    def advance(self, previous: date | None, to: date) -> bool:
        """Set it to ``to`` only if it still is ``previous``; ``False`` when another run moved it."""
        ...


class RecheckQueue(Protocol):
    """Signals accepted while the register was down, and verified ones whose child could not be
    followed, for a recheck after a delay (an encrypted queue)."""

    def send(self, recheck: Recheck) -> None:
        """Queue ``recheck``; raises when the queue refused it (the caller keeps the signal)."""
        ...
