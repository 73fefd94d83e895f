"""The stages of ``.chalice/config.json``: the one place that names each stage's settings."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.settings import ConfigurationError

CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"


def stage_environment(stage: str) -> dict[str, str]:
    """The environment variables a stage gives its functions."""
    config = json.loads(CONFIG.read_text())
    stages = config.get("stages", {})
    if stage not in stages:
        raise ConfigurationError(f"unknown stage {stage}; .chalice/config.json has {', '.join(stages)}")
    return {**config.get("environment_variables", {}), **stages[stage].get("environment_variables", {})}
