"""The pseudonym key, read from SSM Parameter Store once per Lambda instance."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from chalicelib.domain.pseudonyms import Pseudonymiser

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class PseudonymKeyError(Exception):
    """The key parameter is missing or unusable: the application must not run without it."""


class SsmPseudonymKey:
    """Loads the SecureString on first use and keeps the resulting ``Pseudonymiser``.

    The key never changes within an instance's life; a rotated key reaches new instances only.
    """

    def __init__(self, client: SSMClient, parameter_name: str) -> None:
        self._client = client
        self._name = parameter_name
        self._pseudonymiser: Pseudonymiser | None = None

    def __call__(self) -> Pseudonymiser:
        if self._pseudonymiser is None:
            self._pseudonymiser = self._load()
        return self._pseudonymiser

    def _load(self) -> Pseudonymiser:
        try:
            parameter = self._client.get_parameter(Name=self._name, WithDecryption=True)["Parameter"]
        except self._client.exceptions.ParameterNotFound as exc:
            raise PseudonymKeyError(f"parameter {self._name} does not exist") from exc
        try:
            key = base64.b64decode(parameter["Value"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PseudonymKeyError(f"parameter {self._name} is not base64") from exc
        if len(key) < 32:
            raise PseudonymKeyError(f"parameter {self._name} holds fewer than 32 bytes")
        return Pseudonymiser(key, key_version=str(parameter["Version"]))
