"""Whose client certificate it is: the OIN in its subject, and the check that binds a token to it."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from chalicelib.certificates import subject_oin, subject_serial_numbers
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Organisation, Principal, PrincipalKind
from chalicelib.services import auth
from tests.certificates import OIN, OTHER_OIN, client_certificate, organisation_certificate


def organisation(oin: str | None = OIN) -> Principal:
    return Principal(
        client_id="org_1",
        kind=PrincipalKind.ORGANISATION,
        organisation=Organisation(id="org_1", name="GGD", sector="jgz", region="utrecht", oin=oin),
    )


def test_the_oin_is_the_serial_number_attribute_of_the_subject() -> None:
    assert subject_oin(organisation_certificate(OIN)) == OIN


def test_a_subject_written_in_utf8_is_read_too() -> None:
    pem = client_certificate(
        x509.NameAttribute(NameOID.SERIAL_NUMBER, OIN, _type=x509.name._ASN1Type.UTF8String),
        x509.NameAttribute(NameOID.COMMON_NAME, "Gemeente Utrecht"),
    )

    assert subject_serial_numbers(pem) == [OIN]


@pytest.mark.parametrize(
    "pem",
    [
        client_certificate(x509.NameAttribute(NameOID.COMMON_NAME, "no-oin.example.nl")),
        client_certificate(
            x509.NameAttribute(NameOID.SERIAL_NUMBER, OIN), x509.NameAttribute(NameOID.SERIAL_NUMBER, OTHER_OIN)
        ),
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\n"
        + base64.b64encode(b"\x30\x82\xff\xff").decode()
        + "\n-----END CERTIFICATE-----",
        organisation_certificate()[:200] + "\n-----END CERTIFICATE-----",
    ],
    ids=["no-serial-number", "two-serial-numbers", "no-pem", "too-short", "truncated-der", "cut-off"],
)
def test_a_certificate_naming_no_single_oin_names_none(pem: str) -> None:
    assert subject_oin(pem) is None


def test_the_certificates_own_serial_number_is_not_taken_for_the_oin() -> None:
    pem = client_certificate(x509.NameAttribute(NameOID.COMMON_NAME, "case-system.example.nl"))
    own = format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "d")

    assert subject_oin(pem) is None
    assert own not in subject_serial_numbers(pem)


def test_an_organisations_token_counts_with_its_own_certificate() -> None:
    auth.require_certificate_of(organisation(OIN), organisation_certificate(OIN))


@pytest.mark.parametrize(
    ("registered", "certificate"),
    [
        (OIN, organisation_certificate(OTHER_OIN)),
        (OIN, None),
        (OIN, client_certificate(x509.NameAttribute(NameOID.COMMON_NAME, "no-oin.example.nl"))),
        (None, organisation_certificate(OIN)),
    ],
    ids=["another-organisations-certificate", "no-certificate", "certificate-without-oin", "organisation-without-oin"],
)
def test_an_organisations_token_with_any_other_certificate_is_unauthenticated(
    registered: str | None, certificate: str | None
) -> None:
    with pytest.raises(Unauthenticated):
        auth.require_certificate_of(organisation(registered), certificate)


def test_a_municipalitys_token_needs_a_certificate_but_not_a_particular_one() -> None:
    municipality = Principal(client_id="gm0344", kind=PrincipalKind.MUNICIPALITY, municipality_code="0344")

    auth.require_certificate_of(municipality, organisation_certificate(OTHER_OIN))
    with pytest.raises(Unauthenticated):
        auth.require_certificate_of(municipality, None)
