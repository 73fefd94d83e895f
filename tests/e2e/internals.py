"""What the end-to-end fixtures do behind boto3's and moto's public APIs, in one place, with why.

- Every test runs in a fresh ``moto.mock_aws()``, which resets boto3's default session; a new
  session parses botocore's service models again, a few hundred milliseconds per test. The tests
  share one parsed session instead (:func:`use_as_default_session`, :func:`session_sharing_models`).
- moto keeps the mails its SES accepted in its backend, with no API to read them in-process
  (:func:`sent_mails`, from ``local.outbox``, which the local stack's outbox page uses too).
"""

from __future__ import annotations

from typing import Any

from local.outbox import sent_in_process

REGION = "eu-west-1"


def use_as_default_session(session: Any) -> None:
    """Make ``session`` boto3's default; ``mock_aws`` puts its own back when it stops."""
    import boto3

    boto3.DEFAULT_SESSION = session


def session_sharing_models(session: Any) -> Any:
    """A boto3 session of its own (fresh event hooks, so a test's call counters see only its calls)
    that reuses the service models ``session`` has parsed."""
    import boto3
    import botocore.session

    loader = session._session.get_component("data_loader")
    core = botocore.session.get_session()
    core.register_component("data_loader", loader)
    fresh = boto3.session.Session(botocore_session=core)
    # Each boto3 session appends its own data directory to the shared loader's search path.
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return fresh


def sent_mails() -> list[dict[str, Any]]:
    """The e-mails moto's SES accepted, oldest first: to, subject, text, html and the raw MIME."""
    return sent_in_process(REGION)
