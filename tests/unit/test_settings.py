"""Configuration is read once, into a frozen object, and a missing setting fails loudly."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib.settings import ConfigurationError, Settings

ENVIRONMENT = {
    "SIGNALS_TABLE": "t-signals",
    "LOGBOOK_TABLE": "t-logbook",
    "REGISTRY_TABLE": "t-registry",
    "IDEMPOTENCY_TABLE": "t-idempotency",
    "PSEUDONYM_KEY_PARAMETER": "/t/key",
    "MAIL_SENDER": "noreply@verwijsindex.example.nl",
    "SES_CONFIGURATION_SET": "t-mail",
}


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_environ(ENVIRONMENT)
    assert settings == Settings(
        signals_table="t-signals",
        logbook_table="t-logbook",
        registry_table="t-registry",
        idempotency_table="t-idempotency",
        pseudonym_key_parameter="/t/key",
        mail_sender="noreply@verwijsindex.example.nl",
        ses_configuration_set="t-mail",
    )


def test_missing_setting_names_every_missing_variable() -> None:
    environment = {k: v for k, v in ENVIRONMENT.items() if k not in {"LOGBOOK_TABLE", "SIGNALS_TABLE"}}
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environ(environment)
    assert str(raised.value) == "missing settings: LOGBOOK_TABLE, SIGNALS_TABLE"


def test_empty_setting_counts_as_missing() -> None:
    with pytest.raises(ConfigurationError, match="PSEUDONYM_KEY_PARAMETER"):
        Settings.from_environ(ENVIRONMENT | {"PSEUDONYM_KEY_PARAMETER": ""})


def test_settings_cannot_be_changed_once_read() -> None:
    settings = Settings.from_environ(ENVIRONMENT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.signals_table = "other"  # type: ignore[misc]


def test_unrelated_variables_are_ignored() -> None:
    assert Settings.from_environ(ENVIRONMENT | {"PATH": "/bin"}) == Settings.from_environ(ENVIRONMENT)


def test_settings_default_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    assert Settings.from_environ() == Settings.from_environ(ENVIRONMENT)
    monkeypatch.delenv("REGISTRY_TABLE")
    with pytest.raises(ConfigurationError, match="REGISTRY_TABLE"):
        Settings.from_environ()


def test_the_console_address_is_optional_and_ends_in_a_slash() -> None:
    assert Settings.from_environ(ENVIRONMENT).console_url is None
    assert Settings.from_environ(ENVIRONMENT | {"CONSOLE_URL": ""}).console_url is None  # the stack's default
    address = "https://verwijsindex.example.nl/console"
    assert Settings.from_environ(ENVIRONMENT | {"CONSOLE_URL": address}).console_url == address + "/"


def test_a_console_address_that_is_no_web_address_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        Settings.from_environ(ENVIRONMENT | {"CONSOLE_URL": "javascript:alert(1)/"})


def test_the_nightly_queue_and_the_logbook_retention_are_read_with_a_documented_default() -> None:
    from chalicelib.settings import DEFAULT_LOGBOOK_RETENTION_DAYS

    assert Settings.from_environ(ENVIRONMENT).logbook_retention_days == DEFAULT_LOGBOOK_RETENTION_DAYS == 7 * 365 + 2
    configured = Settings.from_environ(ENVIRONMENT | {"LOGBOOK_RETENTION_DAYS": "90", "LIFECYCLE_QUEUE": "q"})
    assert (configured.logbook_retention_days, configured.lifecycle_queue) == (90, "q")
    for wrong in ("-1", "90d", "", "٣"):
        with pytest.raises(ConfigurationError, match="LOGBOOK_RETENTION_DAYS"):
            Settings.from_environ(ENVIRONMENT | {"LOGBOOK_RETENTION_DAYS": wrong})


def test_moves_and_deaths_are_followed_one_way_and_only_with_the_register_on() -> None:
    on = ENVIRONMENT | {"BRP": "on", "BRP_PARAMETERS": "/t/brp"}
    updates = Settings.from_environ(on | {"BRP_FOLLOW": "update-api"})
    assert updates.follows_register_updates and not updates.asks_register
    asking = Settings.from_environ(on | {"BRP_FOLLOW": "ask"})
    assert asking.asks_register and not asking.follows_register_updates
    assert not Settings.from_environ(on).follows_register_updates  # off unless chosen
    assert not Settings.from_environ(on).asks_register
    assert not Settings.from_environ(ENVIRONMENT | {"BRP_FOLLOW": "update-api"}).follows_register_updates
    assert not Settings.from_environ(ENVIRONMENT | {"BRP_FOLLOW": "ask"}).asks_register
    with pytest.raises(ConfigurationError, match="BRP_FOLLOW is update-api, ask or off"):
        Settings.from_environ(on | {"BRP_FOLLOW": "personen"})
