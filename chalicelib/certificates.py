"""The OIN in a client certificate: the ``serialNumber`` attribute (OID 2.5.4.5) of its subject.

PKIoverheid certificates for Digikoppeling carry the organisation's OIN there. API Gateway checks
the certificate against the truststore during the TLS handshake and passes it on as PEM in the
request context; this module only reads its subject. That is a few steps through DER, done here
rather than with a cryptography library, which would be a native dependency on every cold start.

Not to be confused with the certificate's own serial number, which API Gateway also passes on
(``clientCert.serialNumber``): that one numbers the certificate, not the organisation.
"""

from __future__ import annotations

import base64
import binascii
import re

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/= \t\r\n]+)-----END CERTIFICATE-----")
_SEQUENCE = 0x30
_SET = 0x31
_OBJECT_IDENTIFIER = 0x06
_VERSION = 0xA0  # [0] EXPLICIT, present in every version 3 certificate
_SERIAL_NUMBER_ATTRIBUTE = bytes([0x55, 0x04, 0x05])  # 2.5.4.5
# PrintableString, UTF8String, IA5String: how a subject's serialNumber is written.
_TEXT_TYPES = {0x13: "ascii", 0x0C: "utf-8", 0x16: "ascii"}


class NotACertificate(ValueError):
    """The text is no PEM certificate this module can read."""


def _elements(data: bytes) -> list[tuple[int, bytes]]:
    """The DER elements that fill ``data`` exactly: ``(tag, content)`` each."""
    found = []
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise NotACertificate("truncated element")
        tag, length = data[position], data[position + 1]
        position += 2
        if length & 0x80:
            size = length & 0x7F
            if size == 0 or size > 4 or position + size > len(data):
                raise NotACertificate("unsupported length")
            length = int.from_bytes(data[position : position + size], "big")
            position += size
        if position + length > len(data):
            raise NotACertificate("truncated element")
        found.append((tag, data[position : position + length]))
        position += length
    return found


def _one(data: bytes, tag: int) -> bytes:
    elements = _elements(data)
    if len(elements) != 1 or elements[0][0] != tag:
        raise NotACertificate("unexpected structure")
    return elements[0][1]


def _subject(der: bytes) -> bytes:
    certificate = _elements(_one(der, _SEQUENCE))
    if not certificate or certificate[0][0] != _SEQUENCE:
        raise NotACertificate("no tbsCertificate")
    fields = _elements(certificate[0][1])
    if fields and fields[0][0] == _VERSION:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject
    if len(fields) < 5 or fields[4][0] != _SEQUENCE:
        raise NotACertificate("no subject")
    return fields[4][1]


def subject_serial_numbers(pem: str) -> list[str]:
    """Every ``serialNumber`` value in the certificate's subject, in order."""
    match = _PEM.search(pem)
    if match is None:
        raise NotACertificate("no PEM certificate")
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NotACertificate("not base64") from exc
    values = []
    for rdn_tag, rdn in _elements(_subject(der)):
        if rdn_tag != _SET:
            raise NotACertificate("unexpected name")
        for attribute_tag, attribute in _elements(rdn):
            parts = _elements(attribute) if attribute_tag == _SEQUENCE else []
            if len(parts) != 2 or parts[0][0] != _OBJECT_IDENTIFIER:
                raise NotACertificate("unexpected attribute")
            (_, oid), (value_tag, value) = parts
            if oid == _SERIAL_NUMBER_ATTRIBUTE:
                if value_tag not in _TEXT_TYPES:
                    raise NotACertificate("unexpected serialNumber type")
                try:
                    values.append(value.decode(_TEXT_TYPES[value_tag]))
                except UnicodeDecodeError as exc:
                    raise NotACertificate("unreadable serialNumber") from exc
    return values


def subject_oin(pem: str | None) -> str | None:
    """The OIN the certificate's subject names, or ``None`` when it names none, several, or is unreadable."""
    if pem is None:
        return None
    try:
        values = subject_serial_numbers(pem)
    except NotACertificate:
        return None
    return values[0] if len(values) == 1 else None
