"""A signal's check against the register, as its organisation reads it through the API: the POST's
answer, the signal and the list say `verified`, `pending` while the register was down, and
`mismatched` after the recheck found it wrong — the status only, never what the register holds.
The register on, its stand-in failing and the recheck queue drained as in ``test_recheck``."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import bootstrap
from local.brp_stand_in import BrpStandIn
from tests import builders
from tests.e2e.test_population_register import zoey
from tests.e2e.test_recheck import drain, settings, stand_in  # noqa: F401  (fixtures: the register on)
from tests.fake_population import ZOEY


def _shown(api: Any, token: str, signal_id: str) -> tuple[str, str]:
    """The verification the signal and the list answer."""
    one = api.get_signal(token, signal_id).ok()
    [listed] = [item for item in api.list_signals(token).ok()["items"] if item["id"] == signal_id]
    return one["verification"], listed["verification"]


def test_a_signal_the_register_confirms_is_verified_at_once(api: Any, org: Any) -> None:
    signal = api.create_signal(org.token, builders.signal_body(child=zoey()))

    assert signal["verification"] == "verified"
    assert _shown(api, org.token, signal["id"]) == ("verified", "verified")


def test_a_signal_accepted_while_the_register_was_down_reads_pending_then_mismatched(
    api: Any,
    org: Any,
    container: bootstrap.Container,
    stand_in: BrpStandIn,  # noqa: F811
) -> None:
    stand_in.fail_next(503, count=2)  # the POST's call and its one retry
    # Typed with another family name than the register's: the recheck finds it.
    signal = api.create_signal(org.token, builders.signal_body(child=zoey(family_name="Jansen")))

    assert signal["verification"] == "pending"
    assert _shown(api, org.token, signal["id"]) == ("pending", "pending")

    assert drain(container) == [{"mismatched": 1}]
    assert _shown(api, org.token, signal["id"]) == ("mismatched", "mismatched")
    answered = json.dumps(api.get_signal(org.token, signal["id"]).ok())
    assert ZOEY not in answered and "Braber" not in answered  # the status only, nothing of the register


def test_a_pending_signal_verified_by_its_recheck_reads_verified(
    api: Any,
    org: Any,
    container: bootstrap.Container,
    stand_in: BrpStandIn,  # noqa: F811
) -> None:
    stand_in.fail_next(503, count=2)
    signal = api.create_signal(org.token, builders.signal_body(child=zoey()))
    assert signal["verification"] == "pending"

    assert drain(container) == [{"verified": 1}]
    assert _shown(api, org.token, signal["id"]) == ("verified", "verified")
