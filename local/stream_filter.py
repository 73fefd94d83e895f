"""The match function's event-source filter, applied locally as Lambda applies it on AWS.

On AWS the event source mapping drops every stream record that matches none of its
``FilterCriteria`` before the function is invoked (and counts it as processed). The filter is
written once, in ``infra/template.json`` (the ``MatchSignalsDynamodbEventSource`` override); the
local stream poller reads it from there, so the local stack and the tests invoke the match function
for exactly the records AWS would.

Only the part of Lambda's filter syntax the template uses is understood: nested fields, a list of
values (any may match), ``{"prefix": …}`` and ``{"exists": …}``. Anything else raises, rather than
being emulated wrongly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from infra.tables import TEMPLATE

MATCH_FUNCTION = "MatchSignals"
MATCH_EVENT_SOURCE = "MatchSignalsDynamodbEventSource"

Pattern = Mapping[str, Any]


def match_function_filters(template: Mapping[str, Any] | None = None) -> list[Pattern]:
    """The patterns of the match function's stream event source, as the template deploys them."""
    document = template if template is not None else json.loads(TEMPLATE.read_text())
    source = document["Resources"][MATCH_FUNCTION]["Properties"]["Events"][MATCH_EVENT_SOURCE]["Properties"]
    return [json.loads(entry["Pattern"]) for entry in source.get("FilterCriteria", {}).get("Filters", [])]


def passes(record: Mapping[str, Any], patterns: Sequence[Pattern]) -> bool:
    """Whether Lambda would hand ``record`` to the function: no filters, or any one that matches."""
    return not patterns or any(_matches(record, pattern) for pattern in patterns)


def _matches(value: Any, pattern: Pattern) -> bool:
    if not isinstance(value, Mapping):
        return False
    for field, expected in pattern.items():
        if isinstance(expected, Mapping):
            if not _matches(value.get(field), expected):
                return False
        elif isinstance(expected, list):
            if not any(_accepts(field in value, value.get(field), rule) for rule in expected):
                return False
        else:
            raise ValueError(f"filter field {field!r}: a pattern's leaves are lists")
    return True


def _accepts(present: bool, value: Any, rule: Any) -> bool:
    if not isinstance(rule, Mapping):
        return present and value == rule
    if rule.keys() == {"prefix"}:
        return present and isinstance(value, str) and value.startswith(rule["prefix"])
    if rule.keys() == {"exists"}:
        return present is bool(rule["exists"])
    raise ValueError(f"filter rule {dict(rule)!r} is not emulated locally")
