"""Client certificates for the mutual TLS tests, made on the fly with ``cryptography``.

They look like PKIoverheid's: the organisation's OIN in the subject's ``serialNumber``, issued by a
CA of our own (API Gateway checks the chain; the app only reads whose certificate it is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OIN = "00000001003214345000"
OTHER_OIN = "00000001823288444000"


@cache
def _authority() -> tuple[ec.EllipticCurvePrivateKey, x509.Name]:
    return ec.generate_private_key(ec.SECP256R1()), x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"), x509.NameAttribute(NameOID.COMMON_NAME, "Test Private CA")]
    )


def client_certificate(*subject: x509.NameAttribute) -> str:
    """A PEM client certificate with ``subject``, issued by the test CA."""
    key, issuer = _authority()
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(list(subject)))
        .issuer_name(issuer)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def organisation_certificate(oin: str = OIN, name: str = "GGD Regio Utrecht") -> str:
    return client_certificate(
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, oin),
        x509.NameAttribute(NameOID.COMMON_NAME, "case-system.ggd.example.nl"),
    )


def client_cert_context(pem: str) -> dict[str, object]:
    """``requestContext.identity.clientCert`` as API Gateway passes it with mutual TLS."""
    certificate = x509.load_pem_x509_certificate(pem.encode())
    return {
        "clientCertPem": pem,
        "subjectDN": certificate.subject.rfc4514_string(),
        "issuerDN": certificate.issuer.rfc4514_string(),
        # The certificate's own serial number: not the OIN, whatever its name suggests.
        "serialNumber": format(certificate.serial_number, "X"),
        "validity": {
            "notBefore": certificate.not_valid_before_utc.strftime("%b %d %H:%M:%S %Y GMT"),
            "notAfter": certificate.not_valid_after_utc.strftime("%b %d %H:%M:%S %Y GMT"),
        },
    }
