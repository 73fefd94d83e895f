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
    mail_sender: str
    ses_configuration_set: str
    # Digikoppeling, "on" or "off": on, the API is reached only through a custom domain that
    # demands a client certificate, and an organisation's token counts only with its own.
    mutual_tls: str = "off"
    # The population register (BRP), "on" or "off": off until the stage's BRP authorisation arrives
    # (no verification, no family match, moves only by correction; docs/brp.md). On, BRP_PARAMETERS
    # names the SSM path under which its URLs and client credentials are.
    brp: str = "off"
    brp_parameters: str = ""
    # How moves and deaths are followed with the register on: "update-api" (the BRP Update API, where
    # the municipality hosts it) or "off". Asking /personen about every child with a signal is not
    # offered: the system keeps no BSN to ask with (docs/brp.md).
    brp_follow: str = "off"

    @property
    def client_certificates_required(self) -> bool:
        return self.mutual_tls == "on"

    @property
    def population_register_on(self) -> bool:
        return self.brp == "on"

    @property
    def follows_register_updates(self) -> bool:
        return self.population_register_on and self.brp_follow == "update-api"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        names = {
            "signals_table": "SIGNALS_TABLE",
            "logbook_table": "LOGBOOK_TABLE",
            "registry_table": "REGISTRY_TABLE",
            "idempotency_table": "IDEMPOTENCY_TABLE",
            "pseudonym_key_parameter": "PSEUDONYM_KEY_PARAMETER",
            "mail_sender": "MAIL_SENDER",
            "ses_configuration_set": "SES_CONFIGURATION_SET",
        }
        missing = [variable for variable in names.values() if not env.get(variable)]
        if missing:
            raise ConfigurationError("missing settings: " + ", ".join(sorted(missing)))
        mutual_tls = env.get("MUTUAL_TLS", "off")
        if mutual_tls not in {"on", "off"}:
            raise ConfigurationError("MUTUAL_TLS is on or off")
        brp = env.get("BRP", "off")
        if brp not in {"on", "off"}:
            raise ConfigurationError("BRP is on or off")
        brp_follow = env.get("BRP_FOLLOW", "off")
        if brp_follow not in {"update-api", "off"}:
            raise ConfigurationError("BRP_FOLLOW is update-api or off")
        if brp == "on" and not env.get("BRP_PARAMETERS"):
            raise ConfigurationError("missing settings: BRP_PARAMETERS (BRP is on)")
        return cls(
            **{field: env[variable] for field, variable in names.items()},
            mutual_tls=mutual_tls,
            brp=brp,
            brp_parameters=env.get("BRP_PARAMETERS", ""),
            brp_follow=brp_follow,
        )


# Chalice evaluates the stream ARN when it packages the app; the merge template in infra/ replaces
# it with the table's real stream (Fn::GetAtt), so this placeholder never reaches AWS.
PLACEHOLDER_STREAM_ARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/verwijsindex-signals/stream/placeholder"


def signals_stream_arn(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("SIGNALS_STREAM_ARN") or PLACEHOLDER_STREAM_ARN
