"""Configuration, read once from the environment into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Days a logbook entry is kept before DynamoDB's TTL removes it: as long as a signal can exist
# (2 years active, 5 archived), so every entry outlives what it describes. The data protection
# officer decides; docs/operations.md, "Logbook retention".
DEFAULT_LOGBOOK_RETENTION_DAYS = 2557


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
    # The console's address, ending in "/" (https://…/console/): match mails link to the match's
    # page in its portal. Without it, mails carry no link.
    console_url: str | None = None
    # The nightly job's work queue, by name: only the nightly functions send to it.
    lifecycle_queue: str = ""
    # 0 keeps the logbook for ever (no TTL attribute is written).
    logbook_retention_days: int = DEFAULT_LOGBOOK_RETENTION_DAYS
    # The population register (BRP), "on" or "off": off until the stage's BRP authorisation arrives
    # (no verification, no family match, moves only by correction; docs/brp.md). On, BRP_PARAMETERS
    # names the SSM path under which its URLs and client credentials are.
    brp: str = "off"
    brp_parameters: str = ""
    # How moves and deaths are followed with the register on: "update-api" (the BRP Update API, where
    # the municipality hosts it), "ask" (search every child with a signal by family name and birth
    # date each night and keep the BSN whose pseudonym is the child's) or "off" (docs/brp.md).
    brp_follow: str = "off"
    # The KMS-encrypted queue where a signal accepted while the register was down waits for its
    # recheck, and a failed subscription for its retry (the BSN is in the message); "" queues
    # nothing: such a signal stays pending, such a child unfollowed.
    recheck_queue: str = ""

    @property
    def client_certificates_required(self) -> bool:
        return self.mutual_tls == "on"

    @property
    def population_register_on(self) -> bool:
        return self.brp == "on"

    @property
    def follows_register_updates(self) -> bool:
        return self.population_register_on and self.brp_follow == "update-api"

    @property
    def asks_register(self) -> bool:
        return self.population_register_on and self.brp_follow == "ask"

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
        console_url = env.get("CONSOLE_URL") or None
        if console_url is not None and not (console_url.startswith("https://") or console_url.startswith("http://")):
            raise ConfigurationError("CONSOLE_URL is an http(s) address")
        if console_url is not None and not console_url.endswith("/"):
            console_url += "/"
        brp = env.get("BRP", "off")
        if brp not in {"on", "off"}:
            raise ConfigurationError("BRP is on or off")
        brp_follow = env.get("BRP_FOLLOW", "off")
        if brp_follow not in {"update-api", "ask", "off"}:
            raise ConfigurationError("BRP_FOLLOW is update-api, ask or off")
        if brp == "on" and not env.get("BRP_PARAMETERS"):
            raise ConfigurationError("missing settings: BRP_PARAMETERS (BRP is on)")
        retention = env.get("LOGBOOK_RETENTION_DAYS", str(DEFAULT_LOGBOOK_RETENTION_DAYS))
        if not retention.isdigit() or not retention.isascii():
            raise ConfigurationError("LOGBOOK_RETENTION_DAYS is a whole number of days (0: kept for ever)")
        return cls(
            **{field: env[variable] for field, variable in names.items()},
            mutual_tls=mutual_tls,
            console_url=console_url,
            lifecycle_queue=env.get("LIFECYCLE_QUEUE", ""),
            logbook_retention_days=int(retention),
            brp=brp,
            brp_parameters=env.get("BRP_PARAMETERS", ""),
            brp_follow=brp_follow,
            recheck_queue=env.get("RECHECK_QUEUE", "") if brp == "on" else "",
        )


# Chalice evaluates the stream ARN when it packages the app; the merge template in infra/ replaces
# it with the table's real stream (Fn::GetAtt), so this placeholder never reaches AWS.
PLACEHOLDER_STREAM_ARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/verwijsindex-signals/stream/placeholder"


def signals_stream_arn(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("SIGNALS_STREAM_ARN") or PLACEHOLDER_STREAM_ARN


# The queue the nightly workers read, named when Chalice packages the app (the stage's setting); the
# merge template points the event source at the queue it creates.
PLACEHOLDER_LIFECYCLE_QUEUE = "verwijsindex-lifecycle-work"


def lifecycle_queue_name(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("LIFECYCLE_QUEUE") or PLACEHOLDER_LIFECYCLE_QUEUE


# The queue the recheck consumer reads, named when Chalice packages the app (the stage's setting); the
# merge template points the event source at the queue it creates.
PLACEHOLDER_RECHECK_QUEUE = "verwijsindex-recheck"


def recheck_queue_name(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("RECHECK_QUEUE") or PLACEHOLDER_RECHECK_QUEUE
