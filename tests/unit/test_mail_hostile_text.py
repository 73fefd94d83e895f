"""No stored value can add a line to a plain-text mail, nor a header to any mail.

The API refuses line breaks in text, but these values are built directly, as if stored by another
path (an older version, a migration, an operator): the templates must hold on their own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chalicelib.adapters.ses import to_mime
from chalicelib.domain.matching import MatchKind
from chalicelib.domain.model import Organisation, Professional, Pseudonym, SignalStatus
from chalicelib.domain.notifications import Audience, Notification, PartyLine
from chalicelib.ports import EmailMessage
from chalicelib.services.mail import SUBJECTS, render

FORGED = "Echte Naam\r\nE-mail: nep@attacker.example"
LINE_BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
CREATED = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def notification(audience: Audience, value: str) -> Notification:
    """A notification with ``value`` in every text a template shows, ids and codes included."""
    organisation = Organisation(id="org_x", name=value, sector=value, region=value)
    professional = Professional(name=value, function=value, email=value, phone=value)
    party = PartyLine(
        organisation=organisation,
        professional=professional,
        signal_created_at=CREATED,
        status=SignalStatus.ACTIVE,
        kind=MatchKind.CHILD,
    )
    return Notification(
        key="own",
        audience=audience,
        to="p.jansen@ggd.example.nl",
        recipient_name=value,
        filed_under_signal_id=value,
        filed_under_child_pseudonym="p",
        own_signal_id=value,
        own_case_reference=value,
        child=Pseudonym("p", "1"),
        parties=(party, party),
        match_ids=(value, value),
        municipality_code=value,
        archived_until=date(2031, 11, 28),
    )


def lines(mail: EmailMessage) -> list[str]:
    return mail.text.splitlines()


@pytest.mark.parametrize("audience", list(Audience))
def test_a_forged_contact_line_in_a_stored_name_stays_on_the_line_it_is_on(audience: Audience) -> None:
    honest = render(notification(audience, "Echte Naam"))

    mail = render(notification(audience, FORGED))

    assert len(lines(mail)) == len(lines(honest))
    assert not any(line.lstrip().startswith("E-mail: nep@") for line in lines(mail))
    if audience is not Audience.REGIEVOERDER:  # the regievoerder's notice names no professionals
        assert "Echte Naam E-mail: nep@attacker.example" in mail.text


@pytest.mark.parametrize("audience", list(Audience))
@given(
    value=st.text(min_size=1, max_size=40) | st.sampled_from(LINE_BREAKS).map(lambda brk: f"Naam{brk}Telefoon: 0900")
)
@example(value=FORGED)
@example(value="x\u202eliame-E\u202c")
def test_no_stored_value_changes_the_lines_of_a_text_mail(audience: Audience, value: str) -> None:
    honest = render(notification(audience, "x"))

    mail = render(notification(audience, value))

    assert len(lines(mail)) == len(lines(honest))
    for line, template_line in zip(lines(mail), lines(honest), strict=True):
        # Each line starts as the template's does: a value never becomes a line's beginning.
        assert line[:3] == template_line[:3] or template_line.startswith("x")


@pytest.mark.parametrize("audience", list(Audience))
def test_subjects_are_fixed_texts_whatever_is_stored(audience: Audience) -> None:
    assert render(notification(audience, FORGED)).subject == SUBJECTS[audience]
    assert all(not any(brk in subject for brk in LINE_BREAKS) for subject in SUBJECTS.values())


@pytest.mark.parametrize("to", [f"a@ggd.example.nl{brk}Bcc: x@attacker.example" for brk in LINE_BREAKS])
def test_a_recipient_with_a_line_break_never_becomes_a_header(to: str) -> None:
    message = EmailMessage(to=to, subject=SUBJECTS[Audience.MATCHED_OWNER], text="t", html="<p>h</p>")

    with pytest.raises(ValueError, match="Header values may not contain"):
        to_mime(message, "verwijsindex@example.nl")
