"""Configuration, read once from the environment into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigurationError(Exception):
    """A required setting is missing: fail loudly instead of running half-configured."""


@dataclass(frozen=True)
class Settings:
    signals_table: str
    logbook_table: str
    registry_table: str
    idempotency_table: str
    pseudonym_key_parameter: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        names = {
            "signals_table": "SIGNALS_TABLE",
            "logbook_table": "LOGBOOK_TABLE",
            "registry_table": "REGISTRY_TABLE",
            "idempotency_table": "IDEMPOTENCY_TABLE",
            "pseudonym_key_parameter": "PSEUDONYM_KEY_PARAMETER",
        }
        missing = [variable for variable in names.values() if not env.get(variable)]
        if missing:
            raise ConfigurationError("missing settings: " + ", ".join(sorted(missing)))
        return cls(**{field: env[variable] for field, variable in names.items()})
