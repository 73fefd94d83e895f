"""Reading the e-mails the emulator's SES accepted: for the local outbox page and the tests."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any


def _parts(raw: str) -> tuple[str, str, str, str]:
    message = message_from_string(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    return str(message["To"] or ""), str(message["Subject"] or ""), text, html


def parse_sent_message(message: Any) -> dict[str, Any]:
    """One of moto's sent messages (an object in-process) as a plain dict."""
    raw = getattr(message, "raw_data", None)
    if raw:
        to, subject, text, html = _parts(raw)
        return {"id": message.id, "to": to, "subject": subject, "text": text, "html": html, "raw": raw}
    destinations = message.destinations
    to = ", ".join(destinations.get("ToAddresses", []) if isinstance(destinations, dict) else destinations)
    return {"id": message.id, "to": to, "subject": message.subject, "text": message.body, "html": "", "raw": ""}


def sent_in_process(region: str = "eu-west-1") -> list[dict[str, Any]]:
    """Every e-mail moto's SES accepted in this process, oldest first, parsed.

    moto keeps them in its backend and offers no API to read them back in-process, so this is the
    one place that reads that backend (``GET /moto-api/data.json`` serves the same in server mode).
    """
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [parse_sent_message(message) for message in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages]


def parse_sent_record(record: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``GET /moto-api/data.json`` → ``ses`` → ``sent_messages`` in server mode."""
    raw = record.get("raw_data")
    if raw:
        to, subject, text, html = _parts(raw)
        return {"id": record.get("id"), "to": to, "subject": subject, "text": text, "html": html, "raw": raw}
    return {
        "id": record.get("id"),
        "to": ", ".join((record.get("destinations") or {}).get("ToAddresses", [])),
        "subject": record.get("subject", ""),
        "text": record.get("body", ""),
        "html": "",
        "raw": "",
    }
