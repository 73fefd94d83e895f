"""Signing in to the console on fakes: the steps, the timeouts, CSRF and signing out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.console.ports import ChallengeKind, CodeRejected, Invitation, SignInRejected
from chalicelib.console.signin import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    CsrfRejected,
    NotSignedIn,
    SessionExpired,
    SignInService,
    WrongStep,
    session_key,
)
from chalicelib.domain.people import Role
from local.clock import FixedClock
from tests.conftest import START
from tests.fakes import InMemoryIdentityProvider, InMemorySessionStore

TEMPORARY = "Tijdelijk-wachtwoord-1"
CHOSEN = "een zin van vier woorden"


@pytest.fixture
def identity() -> InMemoryIdentityProvider:
    provider = InMemoryIdentityProvider()
    provider.invite(
        Invitation("anna", "anna@utrecht.example.nl", "Anna de Boer", frozenset({Role.REGIEVOERDER}), "0344"),
        TEMPORARY,
    )
    return provider


@pytest.fixture
def sessions() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def service(identity: InMemoryIdentityProvider, sessions: InMemorySessionStore, clock: FixedClock) -> SignInService:
    return SignInService(identity, sessions, clock)


def _first_sign_in(service: SignInService) -> str:
    opened = service.open(None)
    session = service.password(opened.session, "anna", TEMPORARY)
    session = service.new_password(session, CHOSEN)
    signed_in = service.enrol(session, "123456")
    assert signed_in.cookie is not None
    return signed_in.cookie


def test_first_sign_in_asks_a_new_password_then_enrols_totp(service: SignInService) -> None:
    opened = service.open(None)
    assert opened.cookie is not None and opened.session.person is None
    session = service.password(opened.session, "anna", TEMPORARY)
    assert session.challenge is not None and session.challenge.kind is ChallengeKind.NEW_PASSWORD
    session = service.new_password(session, CHOSEN)
    assert session.challenge is not None and session.challenge.kind is ChallengeKind.ENROL_TOTP
    assert session.totp_secret == InMemoryIdentityProvider.SECRET
    signed_in = service.enrol(session, "123456")
    person = service.signed_in(signed_in.cookie).person
    assert person is not None and person.display_name == "Anna de Boer" and person.municipality_code == "0344"


def test_a_later_sign_in_asks_the_code(service: SignInService) -> None:
    _first_sign_in(service)
    session = service.password(service.open(None).session, "anna", CHOSEN)
    assert session.challenge is not None and session.challenge.kind is ChallengeKind.TOTP
    with pytest.raises(CodeRejected):
        service.code(session, "654321")
    assert service.code(session, "123456").session.person is not None


def test_signing_in_replaces_the_session_and_its_cookie(service: SignInService, sessions: InMemorySessionStore) -> None:
    opened = service.open(None)
    session = service.password(opened.session, "anna", TEMPORARY)
    session = service.new_password(session, CHOSEN)
    signed_in = service.enrol(session, "123456")
    assert signed_in.cookie != opened.cookie
    assert sessions.get(session_key(opened.cookie or "")) is None
    assert signed_in.session.csrf_token != opened.session.csrf_token


def test_wrong_password_and_unknown_user_are_rejected_alike(service: SignInService) -> None:
    session = service.open(None).session
    with pytest.raises(SignInRejected) as wrong_password:
        service.password(session, "anna", "niet-het-wachtwoord")
    with pytest.raises(SignInRejected) as unknown_user:
        service.password(session, "niemand", "niet-het-wachtwoord")
    assert str(wrong_password.value) == str(unknown_user.value)


def test_the_code_step_is_refused_before_the_password(service: SignInService) -> None:
    with pytest.raises(WrongStep):
        service.code(service.open(None).session, "123456")


def test_the_store_holds_a_hash_of_the_cookie_never_the_cookie(
    service: SignInService, sessions: InMemorySessionStore
) -> None:
    cookie = _first_sign_in(service)
    assert cookie not in sessions.sessions
    assert session_key(cookie) in sessions.sessions


def test_a_session_idle_for_more_than_15_minutes_has_expired(service: SignInService, clock: FixedClock) -> None:
    cookie = _first_sign_in(service)
    clock.set(START + IDLE_TIMEOUT)
    service.signed_in(cookie)  # exactly 15 minutes: still alive, and the idle timer restarts
    clock.set(START + IDLE_TIMEOUT * 2 + timedelta(seconds=1))
    with pytest.raises(SessionExpired):
        service.signed_in(cookie)
    with pytest.raises(NotSignedIn):
        service.signed_in(cookie)  # gone for good


def test_an_active_session_ends_after_10_hours(service: SignInService, clock: FixedClock) -> None:
    cookie = _first_sign_in(service)
    moment = START
    while moment + IDLE_TIMEOUT < START + ABSOLUTE_TIMEOUT:
        moment += IDLE_TIMEOUT - timedelta(minutes=1)
        clock.set(moment)
        service.signed_in(cookie)
    clock.set(START + ABSOLUTE_TIMEOUT + timedelta(seconds=1))
    with pytest.raises(SessionExpired):
        service.signed_in(cookie)


def test_the_store_may_forget_a_session_when_it_times_out(
    service: SignInService, sessions: InMemorySessionStore, clock: FixedClock
) -> None:
    cookie = _first_sign_in(service)
    _, expires_at = sessions.sessions[session_key(cookie)]
    assert expires_at == START + IDLE_TIMEOUT


def test_a_form_without_the_session_token_is_refused(service: SignInService) -> None:
    session = service.open(None).session
    service.check_csrf(session, session.csrf_token)
    for forged in (None, "", "x" * len(session.csrf_token), service.open(None).session.csrf_token):
        with pytest.raises(CsrfRejected):
            service.check_csrf(session, forged)


def test_signing_out_revokes_the_refresh_token_and_ends_the_session(
    service: SignInService, identity: InMemoryIdentityProvider
) -> None:
    cookie = _first_sign_in(service)
    session = service.signed_in(cookie)
    assert session.refresh_token is not None and identity.refresh_works(session.refresh_token)
    service.sign_out(session)
    assert not identity.refresh_works(session.refresh_token)
    with pytest.raises(NotSignedIn):
        service.signed_in(cookie)


def test_a_timed_out_session_revokes_its_refresh_token_too(
    service: SignInService, identity: InMemoryIdentityProvider, clock: FixedClock
) -> None:
    cookie = _first_sign_in(service)
    token = service.signed_in(cookie).refresh_token
    clock.set(START + IDLE_TIMEOUT * 3)
    with pytest.raises(SessionExpired):
        service.signed_in(cookie)
    assert token in identity.revoked
