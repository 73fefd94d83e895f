"""The colleagues the portal's hand-over offers, and what choosing one fills in."""

from __future__ import annotations

import pytest

from chalicelib.console import views
from chalicelib.console.portal_colleagues import FIELD, offered, options, with_colleague
from chalicelib.console.ports import Account
from chalicelib.domain.people import Person, Role
from tests import builders


def account(id: str, name: str, email: str, enabled: bool = True) -> Account:
    person = Person(id, f"user-{id}", name, frozenset({Role.PROFESSIONAL}), organisation_id="org_ggd")
    return Account(person, email, enabled, True, builders.START)


KARIN = account("sub-karin", "Karin Smit", "k.smit@ggd.example.nl")
GONE = account("sub-gone", "Vertrokken Collega", "weg@ggd.example.nl", enabled=False)
TYPED = {"csrf": "x", "name": "Getypt", "function": "Jeugdarts", "phone": "030 123 4567", "email": "getypt@example.nl"}


def test_disabled_accounts_are_not_offered() -> None:
    assert offered([KARIN, GONE]) == [KARIN]
    assert options(offered([KARIN, GONE])) == [{"value": "sub-karin", "label": "Karin Smit (k.smit@ggd.example.nl)"}]


def test_a_chosen_colleagues_name_and_email_come_from_their_account() -> None:
    fields = with_colleague(TYPED | {FIELD: "sub-karin"}, [KARIN])
    assert (fields["name"], fields["email"]) == ("Karin Smit", "k.smit@ggd.example.nl")
    assert (fields["function"], fields["phone"]) == ("Jeugdarts", "030 123 4567")


def test_without_a_choice_the_typed_details_stay() -> None:
    assert with_colleague(TYPED | {FIELD: ""}, [KARIN]) == TYPED | {FIELD: ""}
    assert with_colleague(TYPED, [KARIN]) == TYPED


@pytest.mark.parametrize("chosen", ["sub-gone", "sub-of-another-organisation"])
def test_a_colleague_not_offered_is_refused_next_to_the_field(chosen: str) -> None:
    with pytest.raises(views.FormInvalid) as refused:
        with_colleague(TYPED | {FIELD: chosen}, offered([KARIN, GONE]))
    assert set(refused.value.errors) == {FIELD}
