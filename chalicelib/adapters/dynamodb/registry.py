"""The registry table: organisations, municipalities, token hashes and excluded addresses.

One adapter for the admin CLI, the authorizer and the services that ask about municipalities,
written as its two halves: ``tokens`` and ``directory``.
"""

from __future__ import annotations

from chalicelib.adapters.dynamodb.directory import Directory
from chalicelib.adapters.dynamodb.tokens import TokenRegistry


class DynamoDBRegistry(TokenRegistry, Directory):
    """Implements ``TokenLookup``, ``AdminRegistry``, ``Regievoerders`` and ``Municipalities``."""
