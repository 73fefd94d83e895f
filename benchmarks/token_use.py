"""What recording a token's last use costs the authorizer: DynamoDB calls on moto, counted.

One organisation token authenticates 3,600 requests spread over 10 hours (one every 10 seconds)
through ``auth.authenticate``, the authorizer's path, with the clock moved per request; then a
burst of 1,000 requests within one minute. The common path is the one ``GetItem``; the use is
written with one conditional ``UpdateItem`` only when the token item shows no use in the last
hour, so at most one write per token per hour (plus one refused write per instance that races
another within the same second). Deterministic counts, no timing.

Run: ``.venv/bin/python -m benchmarks.token_use``
"""

from __future__ import annotations

from datetime import timedelta

from benchmarks.common import local_account


def main() -> None:
    from chalicelib.services import admin, auth

    with local_account() as (container, counter, clock):
        registry = container.registry
        _, issued = admin.create_organisation(registry, "GGD Bench", "jgz", "utrecht", clock.now())
        header = f"Bearer {issued.token}"
        start = clock.now()
        for label, requests, step in (("10 hours, one request every 10 s", 3600, 10), ("a burst", 1000, 0.06)):
            counter.reset()
            for number in range(requests):
                clock.set(start + timedelta(seconds=number * step))
                auth.authenticate(registry, header, clock.now())
            calls = dict(sorted(counter.calls.items()))
            writes = counter.calls["dynamodb.UpdateItem"]
            print(f"{label}: {requests} requests, calls {calls}, refused writes {counter.errors}")
            print(f"  extra write requests per authorised request: {writes / requests:.4f}")
            start += timedelta(hours=11)


if __name__ == "__main__":
    main()
