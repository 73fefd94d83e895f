"""AWS API calls made by one warm ``PUT /v1/signals/{id}/matches/{match_id}/answer``.

Target: one Query of the by-id index (the match from its id), one consistent GetItem of the
regievoerder's record, one TransactWriteItems (the three copies of the answer and the log line),
besides the token lookup; the same answer again writes nothing.

Run: ``.venv/bin/python -m benchmarks.answers``
"""

from __future__ import annotations

import json

from benchmarks.common import local_account, new_signal, principal, print_calls
from chalicelib.domain.model import Organisation


def main() -> None:
    from chalice.test import Client

    from app import app
    from chalicelib.services import admin

    with local_account() as (container, counter, clock):
        ggd, token = admin.create_organisation(container.registry, "GGD Bench", "jgz", "utrecht", clock.now())
        buurtteam = Organisation("org_buurt", "Buurtteam", "wijkteam", "utrecht")
        first = container.signals.register(principal(ggd), new_signal(1), None).signal
        second = container.signals.register(principal(buurtteam), new_signal(1, email="q@example.nl"), None).signal
        container.matching.process(second)
        [match] = container.signal_store.get(first.id).matches
        headers = {"Authorization": f"Bearer {token.token}", "Content-Type": "application/json"}
        path = f"/v1/signals/{first.id}/matches/{match.id}/answer"
        with Client(app, stage_name="local") as client:
            client.http.get(f"/v1/signals/{first.id}", headers=headers)  # warm: the pseudonym key, the clients
            for title, answer in (
                ("Warm PUT …/answer, a first answer:", "already_in_contact"),
                ("The same answer again (writes nothing):", "already_in_contact"),
            ):
                counter.reset()
                reply = client.http.put(path, headers=headers, body=json.dumps({"answer": answer}))
                assert reply.status_code == 200, reply.body
                print_calls(title, counter)


if __name__ == "__main__":
    main()
