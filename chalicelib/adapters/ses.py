"""Sending e-mail with SES (v2), from the configured and verified sender."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

from chalicelib.ports import EmailMessage

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


def to_mime(message: EmailMessage, sender: str) -> bytes:
    """A multipart/alternative message: plain text first, HTML as the richer alternative."""
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mime.set_content(message.text, charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    return mime.as_bytes()


class SesMailer:
    def __init__(self, client: SESV2Client, sender: str, configuration_set: str | None) -> None:
        self._client = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        extra = {"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}
        response = self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [message.to]},
            Content={"Raw": {"Data": to_mime(message, self._sender)}},
            **extra,  # type: ignore[arg-type]
        )
        return response["MessageId"]
