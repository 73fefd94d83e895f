import json

from tests import builders


def test_post_then_get(api, org_token):
    response = api.call("POST", "/v1/signals", org_token, builders.signal_body())
    print(response.status_code, response.body)
    assert response.status_code == 201
    signal = json.loads(response.body)
    got = api.call("GET", f"/v1/signals/{signal['id']}", org_token)
    print(got.body)
    assert got.status_code == 200
