"""With the population register on: the real wiring (settings, SSM, the Haal Centraal adapters) against
the local stand-in (also the BRP Update API), over HTTP, then the real moto stream into the match
function and SES, and the nightly register_follow function."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.settings import Settings
from local.brp_stand_in import BrpStandIn
from tests import builders
from tests.e2e.nightly import fire
from tests.fake_population import ALEXANDER, GERRIT, WILMA, ZOEY

PREFIX = "/verwijsindex/test/brp"
JANSEN = "p.jansen@ggd.example.nl"
BAKKER = "k.bakker@buurtteam.example.nl"


@pytest.fixture
def stand_in() -> Iterator[BrpStandIn]:
    server = BrpStandIn(port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, stand_in: BrpStandIn) -> Settings:
    """The test settings with the register on, its endpoint and credentials in SSM as in a deployment."""
    stand_in.provision(boto3.client("ssm"), PREFIX)
    return replace(settings, brp="on", brp_parameters=PREFIX, brp_follow="update-api")


def zoey(**overrides: Any) -> dict[str, Any]:
    values = {
        "bsn": ZOEY,
        "given_names": "Zoey",
        "family_name_prefix": "den",
        "family_name": "Braber",
        "birth_date": "2018-11-14",
        # Typed as the professional knows it; matching uses the registered address.
        "address": builders.address(
            street="Schakelstraat",
            house_number=14,
            house_letter="H",
            house_number_suffix=None,
            postcode="1014 AW",
            city="Amsterdam",
            municipality_code="0363",
        ),
    }
    return builders.child(**values) | overrides


def alexander() -> dict[str, Any]:
    return zoey(
        bsn=ALEXANDER,
        given_names="Alexander",
        birth_date="2009-05-29",
        gender="M",
        family_name_prefix=None,
        family_name="DEN BRABER",
    )


def test_two_organisations_signalling_zoey_and_alexander_get_a_family_match(
    api, org, other_org, stream, outbox, clock, stand_in
) -> None:
    api.create_signal(org.token, builders.signal_body(child=zoey()))
    clock.set(clock.now() + timedelta(minutes=1))
    body = builders.signal_body(
        child=alexander(), professional=builders.professional(name="K. Bakker", email=BAKKER), case_reference="BT-7"
    )
    second = api.create_signal(other_org.token, body)
    assert stand_in.personen_requests == 2  # one BRP call per POST

    stream.drain()
    mails = {mail["to"]: mail for mail in outbox()}
    assert set(mails) == {JANSEN, BAKKER}
    for mail in mails.values():
        content = mail["raw"] + mail["text"] + mail["html"]
        assert "zelfde gezin (ouder)" in mail["text"] and "zelfde gezin (ouder)" in mail["html"]
        for secret in (ZOEY, ALEXANDER, WILMA, GERRIT, "Wilma", "Gerrit", "Zon", "Braber", "1014"):
            assert secret not in content, secret
    [match] = api.get_signal(other_org.token, second["id"]).ok()["matches"]
    assert match["kind"] == "parent"


@pytest.mark.parametrize(
    ("typed", "field"),
    [({"family_name": "Jansen"}, "child.family_name"), ({"birth_date": "2018-11-15"}, "child.birth_date")],
)
def test_a_signal_for_zoey_with_another_name_or_birth_date_is_refused(api, org, typed, field) -> None:
    reply = api.post_signal(org.token, builders.signal_body(child=zoey(**typed)))
    errors = reply.invalid()
    assert set(errors) == {field}
    # The refusal says that it differs, never what the register holds.
    text = reply.body.decode()
    assert "Braber" not in text and "2018-11-14" not in text and ZOEY not in text
    assert api.list_signals(org.token).ok()["items"] == []


def test_an_unknown_bsn_is_refused(api, org) -> None:
    reply = api.post_signal(org.token, builders.signal_body(child=builders.child(bsn=builders.bsn(9))))
    assert set(reply.invalid()) == {"child.bsn"}


def test_a_register_that_is_down_loses_no_signal_and_logs_no_bsn(api, org, stand_in, app_output) -> None:
    stand_in.fail_next(503, count=10)
    created = api.create_signal(org.token, builders.signal_body(child=zoey(family_name="Jansen")))
    assert created["status"] == "active"
    output = app_output()
    assert "population register unavailable" in output and "503" in output
    assert ZOEY not in output and "Braber" not in output


def test_nothing_from_the_register_reaches_a_log_line_or_an_answer(api, org, stand_in, app_output) -> None:
    # Typed at an old address: the registered one (1014 AW) is used for matching, never shown.
    typed_elsewhere = builders.address(municipality_code="0363")
    api.create_signal(org.token, builders.signal_body(child=zoey(address=typed_elsewhere)))
    api.post_signal(org.token, builders.signal_body(child=zoey(family_name="Jansen")))
    seen = (app_output() + "".join(reply.body.decode() for reply in api.replies)).replace(" ", "")
    for value in (ZOEY, WILMA, GERRIT, "1014AW"):
        assert value not in seen, value


def assert_told_of_the_move_and_the_death(mails: list[dict[str, Any]]) -> None:
    """Alexander moved to Utrecht and Zoey died: Utrecht's regievoerder and both professionals are
    told, and no mail names either child's BSN or the new postcode."""
    subjects = {(mail["to"], mail["subject"]) for mail in mails}
    assert ("regie@utrecht.example.nl", "Verwijsindex: een kind met meldingen woont nu in uw gemeente") in subjects
    assert (BAKKER, "Verwijsindex: het kind van uw melding is verhuisd") in subjects
    assert (JANSEN, "Verwijsindex: uw melding is verwijderd") in subjects
    for mail in mails:
        content = mail["raw"] + mail["text"] + mail["html"]
        # The new postcode as a postcode: its four digits alone turn up in random MIME boundaries.
        assert ALEXANDER not in content and ZOEY not in content and "3512JE" not in content.replace(" ", "").upper()


def nightly_run(api: Any) -> dict[str, Any]:
    return fire(api, "register_follow")


def test_the_night_after_a_move_and_a_death_tells_the_new_municipality_and_the_professionals(
    api, org, other_org, stream, outbox, clock, stand_in, municipality_token, app_output
) -> None:
    first = api.create_signal(org.token, builders.signal_body(child=zoey()))
    body = builders.signal_body(child=alexander(), professional=builders.professional(name="K. Bakker", email=BAKKER))
    second = api.create_signal(other_org.token, body)
    assert set(stand_in.followed) == {ZOEY, ALEXANDER}  # followed while the BSN was at hand
    stream.drain()
    stand_in.move(ALEXANDER, "3512JE", 7, "0344")
    stand_in.record_death(ZOEY, "2026-11-30")

    clock.set(clock.now() + timedelta(days=1))
    report = nightly_run(api)

    assert (report["changed"], report["moved"], report["deceased"], report["deleted"]) == (2, 1, 1, 1)
    assert api.get_signal(org.token, first["id"]).status_code == 404
    moved = api.get_signal(other_org.token, second["id"]).ok()
    assert moved["status"] == "active"
    assert_told_of_the_move_and_the_death(outbox())
    assert ALEXANDER not in app_output() and ZOEY not in app_output()
    # The same night again (a retry): nothing is sent twice.
    count = len(outbox())
    assert nightly_run(api)["notified"] == 0 and len(outbox()) == count
