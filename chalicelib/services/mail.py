"""Rendering notifications into Dutch e-mails (plain text and HTML) from templates."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain import phones
from chalicelib.domain.clock import dutch_date
from chalicelib.domain.matching import MatchKind
from chalicelib.domain.model import SignalStatus
from chalicelib.domain.notifications import Audience, Notification, signal_page
from chalicelib.domain.sectors import SECTORS
from chalicelib.domain.text import BIDI_CONTROLS
from chalicelib.ports import EmailMessage

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SUBJECTS = {
    Audience.NEW_SIGNAL_OWNER: "Verwijsindex: uw melding heeft een match",
    Audience.MATCHED_OWNER: "Verwijsindex: nieuwe match met uw melding",
    Audience.REGIEVOERDER: "Verwijsindex: nieuwe match in uw gemeente",
    Audience.ARCHIVED_OWNER: "Verwijsindex: uw melding is gearchiveerd",
    Audience.REMOVED_OWNER: "Verwijsindex: uw melding is verwijderd",
    Audience.FOLLOW_UP_REMINDER: "Verwijsindex: herinnering aan een open match",
    Audience.MOVED_IN: "Verwijsindex: een kind met meldingen woont nu in uw gemeente",
    Audience.MOVED_OWNER: "Verwijsindex: het kind van uw melding is verhuisd",
    Audience.MISMATCHED_OWNER: "Verwijsindex: uw melding klopt niet met de BRP",
    Audience.HANDED_OVER: "Verwijsindex: een collega heeft een melding aan u overgedragen",
}
TEMPLATE_NAMES = {
    Audience.ARCHIVED_OWNER: "archived",
    Audience.REMOVED_OWNER: "removed",
    Audience.FOLLOW_UP_REMINDER: "reminder",
    Audience.MOVED_IN: "moved",
    Audience.MOVED_OWNER: "moved_owner",
    Audience.MISMATCHED_OWNER: "mismatched",
    Audience.HANDED_OVER: "handed_over",
}
# The fields a recheck may name, as the form and the API label them.
FIELD_LABELS = {
    "child.bsn": "het BSN (niet of niet meer in de BRP als levend kind)",
    "child.family_name": "de achternaam (met voorvoegsel)",
    "child.birth_date": "de geboortedatum",
}
# The family match never names the parent: only that the children share one.
KIND_LABELS = {
    MatchKind.CHILD: "zelfde kind",
    MatchKind.ADDRESS: "zelfde adres",
    MatchKind.PARENT: "zelfde gezin (ouder)",
}
STATUS_LABELS = {SignalStatus.ACTIVE: "actief", SignalStatus.ARCHIVED: "gearchiveerd (historie)"}


# Every character that ends a line for some reader (str.splitlines: CR, LF, VT, FF, FS, GS, RS,
# NEL, LINE and PARAGRAPH SEPARATOR), every other C0/C1 control and the bidirectional controls.
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]+")


def one_line(value: object) -> str:
    """A value as it may appear in a plain-text mail: it can never start a line of its own.

    The API refuses such characters (``domain.text``), but a text part must not depend on every
    stored value having come through the API: one forged "E-mail:" line is a phishing channel.
    """
    return _LINE_BREAKING.sub(" ", str(value))


@cache
def template_environment() -> jinja2.Environment:
    """HTML templates (mails and the access document), autoescaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def text_environment() -> jinja2.Environment:
    """Plain-text templates: every interpolated value passes through ``one_line``."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # noqa: S701 - text/plain, never shown as HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=one_line,
    )


def _signal_link(notification: Notification) -> str | None:
    if notification.portal_url is None or notification.own_signal_id is None:
        return None
    return signal_page(notification.portal_url, notification.own_signal_id)


def render(notification: Notification) -> EmailMessage:
    subject = SUBJECTS[notification.audience]
    parties: list[dict[str, Any]] = [
        {
            "organisation": line.organisation,
            "professional": line.professional,
            "phone": phones.display(line.professional.phone),
            "sector": SECTORS.get(line.organisation.sector, line.organisation.sector),
            "kind_label": KIND_LABELS[line.kind],
            "status_label": STATUS_LABELS[line.status],
            "date": dutch_date(line.signal_created_at).strftime("%d-%m-%Y"),
        }
        for line in notification.parties
    ]
    context = {
        "n": notification,
        "parties": parties,
        "subject": subject,
        "archived_until": notification.archived_until.strftime("%d-%m-%Y") if notification.archived_until else "",
        "links": notification.match_links(),
        "signal_link": _signal_link(notification),
        "fields": [FIELD_LABELS.get(field, field) for field in notification.differing_fields],
    }
    name = TEMPLATE_NAMES.get(notification.audience, "match")
    return EmailMessage(
        to=notification.to,
        subject=subject,
        text=text_environment().get_template(f"{name}.txt").render(context),
        html=template_environment().get_template(f"{name}.html").render(context),
    )
