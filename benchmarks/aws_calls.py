"""AWS API calls made by one warm ``POST /v1/signals``, by service and operation.

Target: one DynamoDB write request (a TransactWriteItems holding the signal, the active-signal
guard, the idempotency record and the logbook entry) and nothing besides the token lookup.

Run: ``.venv/bin/python -m benchmarks.aws_calls``
"""

from __future__ import annotations

import json

from benchmarks.common import local_account, print_calls


def main() -> None:
    from chalice.test import Client

    from app import app
    from chalicelib.services import admin
    from tests import builders

    with local_account() as (container, counter, clock):
        _, token = admin.create_organisation(container.registry, "GGD Bench", "jgz", "utrecht", clock.now())
        headers = {"Authorization": f"Bearer {token.token}", "Content-Type": "application/json"}
        with Client(app, stage_name="local") as client:
            counter.reset()
            body = builders.signal_body(child=builders.child(bsn=builders.bsn(1)))
            cold = client.http.post("/v1/signals", headers=headers, body=json.dumps(body))
            assert cold.status_code == 201, cold.body
            print_calls("First POST /v1/signals on a new instance (cold: loads the pseudonym key):", counter)

            counter.reset()
            body = builders.signal_body(child=builders.child(bsn=builders.bsn(2)))
            warm = client.http.post(
                "/v1/signals", headers=headers | {"Idempotency-Key": "bench-2"}, body=json.dumps(body)
            )
            assert warm.status_code == 201, warm.body
            print_calls("Warm POST /v1/signals with an Idempotency-Key:", counter)
            writes = sum(n for op, n in counter.calls.items() if op.split(".")[1] in _WRITES)
            others = {op: n for op, n in counter.calls.items() if op not in _ALLOWED}
            print(f"  DynamoDB write requests: {writes} (target 1); other calls: {others or 'none'}")


_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
_ALLOWED = {"dynamodb.GetItem", "dynamodb.TransactWriteItems"}

if __name__ == "__main__":
    main()
