"""The organisations' operations: their signals."""

from __future__ import annotations

from chalicelib.operations.model import (
    CHANGED_MEANWHILE,
    IDEMPOTENCY_KEY,
    ORGANISATIONS,
    SIGNAL_ID,
    Answer,
    Header,
    Link,
    Operation,
)

_SIGNAL_LINKS = (
    Link("GetSignal", "get_signal", {"signal_id": "$response.body#/id"}, "The signal with its matches"),
    Link("CloseSignal", "close_signal", {"signal_id": "$response.body#/id"}, "Close it early"),
    Link("HandOverSignal", "hand_over_signal", {"signal_id": "$response.body#/id"}, "Hand it to another professional"),
)
_SIGNAL = {"signal_id": SIGNAL_ID}
_NO_SUCH_SIGNAL = {404: "No signal of this organisation with this id (another organisation's looks the same)"}

CREATE_SIGNAL = Operation(
    id="create_signal",
    method="POST",
    path="/signals",
    summary="Register a signal",
    description="Registers that a professional of this organisation is involved with the child. A repeated "
    "request with the same Idempotency-Key and body answers the first signal again.",
    callers=ORGANISATIONS,
    body="SignalIn",
    request_headers=(
        Header(
            "Idempotency-Key",
            "Makes a retry safe: the same key with the same body answers the first signal again, for 24 hours",
            {"type": "string", "pattern": IDEMPOTENCY_KEY},
        ),
    ),
    answers=(
        Answer(
            201,
            "Created (or replayed for a repeated Idempotency-Key)",
            ("SignalOut",),
            headers=(
                Header("Location", "The signal's path", {"type": "string"}, required=True),
                Header(
                    "Idempotent-Replayed",
                    "Present when this answers a repeated Idempotency-Key",
                    {"type": "string", "enum": ["true"]},
                ),
            ),
            links=_SIGNAL_LINKS,
        ),
    ),
    problems={
        409: "This organisation already has an active signal for the child (signal_id names it)",
        422: "The request breaks a rule, has an unknown field, or reuses an Idempotency-Key with another body",
    },
)

LIST_SIGNALS = Operation(
    id="list_signals",
    method="GET",
    path="/signals",
    summary="This organisation's signals, newest first",
    callers=ORGANISATIONS,
    query="ListQuery",
    answers=(Answer(200, "A page; next_cursor fetches the next one", ("SignalPage",)),),
)

GET_SIGNAL = Operation(
    id="get_signal",
    method="GET",
    path="/signals/{signal_id}",
    summary="One signal with its matches",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    answers=(Answer(200, "The signal", ("SignalOut",)),),
    problems=_NO_SUCH_SIGNAL,
)

CLOSE_SIGNAL = Operation(
    id="close_signal",
    method="POST",
    path="/signals/{signal_id}/close",
    summary="Close a signal early",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    body="CloseIn",
    answers=(Answer(200, "risk_resolved: the archived signal; unjustified: deleted", ("SignalOut", "DeletedOut")),),
    problems=_NO_SUCH_SIGNAL | CHANGED_MEANWHILE,
)

HAND_OVER_SIGNAL = Operation(
    id="hand_over_signal",
    method="PUT",
    path="/signals/{signal_id}/professional",
    summary="Hand the signal to another professional",
    callers=ORGANISATIONS,
    path_parameters=_SIGNAL,
    body="ProfessionalIn",
    answers=(Answer(200, "The signal", ("SignalOut",)),),
    problems=_NO_SUCH_SIGNAL | CHANGED_MEANWHILE,
)
