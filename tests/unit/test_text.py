"""One normalisation for every free-text field, checked as properties over any Unicode text."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chalicelib import schemas
from chalicelib.domain import text
from tests import builders

BIDI = sorted(text.BIDI_CONTROLS)
LINE_BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
CONTROLS = [chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))]
REFUSED = sorted({*BIDI, *LINE_BREAKS, *CONTROLS, chr(0xD800), chr(0xDFFF)})  # and lone surrogates
# Nothing a reader can see: spaces of every width, zero-width and other format characters.
INVISIBLE = [" ", "\u00a0", "\u2003", "\u3000", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164"]

refused = st.sampled_from(REFUSED)
visible_text = st.text(min_size=1).filter(lambda value: any(c.isalnum() for c in value))


def _normalised_or_none(value: str) -> str | None:
    try:
        return text.normalise(value)
    except ValueError as exc:
        assert str(exc) in {text.REFUSED_CHARACTER, text.NOTHING_VISIBLE}
        return None


@given(st.text())
@example("Echte Naam\r\nE-mail: nep@attacker.example")
@example("\u200b")
@example("  P.\u00a0 Jansen\u3000 ")
def test_whatever_comes_in_what_comes_out_is_clean(value: str) -> None:
    result = _normalised_or_none(value)
    if result is None:
        return
    assert unicodedata.is_normalized("NFC", result)
    assert not any(unicodedata.category(c) in {"Cc", "Cs", "Zl", "Zp"} or c in text.BIDI_CONTROLS for c in result)
    assert len(result.splitlines()) == 1
    assert result == result.strip()
    assert "  " not in result
    assert all(c == " " or not c.isspace() for c in result)
    assert any(unicodedata.category(c)[0] in "LNPS" for c in result)


@given(st.text())
def test_normalising_twice_changes_nothing(value: str) -> None:
    result = _normalised_or_none(value)
    if result is not None:
        assert text.normalise(result) == result


@given(visible_text, refused, st.data())
def test_a_control_line_break_or_direction_character_anywhere_is_refused(value: str, bad: str, data: Any) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(value)))

    with pytest.raises(ValueError, match=text.REFUSED_CHARACTER):
        text.normalise(value[:at] + bad + value[at:])


@given(st.lists(st.sampled_from(INVISIBLE), max_size=12).map("".join))
def test_a_value_without_a_visible_character_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=text.NOTHING_VISIBLE):
        text.normalise(value)


@pytest.mark.parametrize(
    "name", ["Anne-Marie O'Brien", "Zoë", "Çelik", "Nguyễn Văn An", "Ørsted", "李小龙", "محمد", "van der Berg-de Wit"]
)
def test_ordinary_names_pass_unchanged(name: str) -> None:
    assert text.normalise(name) == name


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("  P.\u00a0\u00a0Jansen  ", "P. Jansen"),
        ("Jeugd \u2003 verpleegkundige", "Jeugd verpleegkundige"),
        ("Zoe\u0308", "Zoë"),  # decomposed: e + COMBINING DIAERESIS
        ("Anne\u200dMarie", "Anne\u200dMarie"),  # a joiner inside visible text is harmless
    ],
)
def test_whitespace_is_collapsed_and_the_text_composed(given: str, normalised: str) -> None:
    assert text.normalise(given) == normalised


# Every free-text field of every request body goes through it.


def _correction() -> dict[str, Any]:
    return {"bsn": builders.bsn(1), "child": {k: v for k, v in builders.child().items() if k != "bsn"}}


PROSE_FIELDS: list[tuple[type[BaseModel], dict[str, Any], tuple[str, ...]]] = [
    (schemas.SignalIn, builders.signal_body(), ("case_reference",)),
    (schemas.SignalIn, builders.signal_body(), ("child", "given_names")),
    (schemas.SignalIn, builders.signal_body(), ("child", "family_name_prefix")),
    (schemas.SignalIn, builders.signal_body(), ("child", "family_name")),
    (schemas.SignalIn, builders.signal_body(), ("child", "address", "street")),
    (schemas.SignalIn, builders.signal_body(), ("child", "address", "city")),
    (schemas.SignalIn, builders.signal_body(), ("professional", "name")),
    (schemas.SignalIn, builders.signal_body(), ("professional", "function")),
    (schemas.ProfessionalIn, builders.professional(), ("name",)),
    (schemas.ProfessionalIn, builders.professional(), ("function",)),
    (schemas.RectifyIn, _correction(), ("child", "given_names")),
    (schemas.RectifyIn, _correction(), ("child", "family_name_prefix")),
    (schemas.RectifyIn, _correction(), ("child", "family_name")),
    (schemas.RectifyIn, _correction(), ("child", "address", "street")),
    (schemas.RectifyIn, _correction(), ("child", "address", "city")),
]
FREE_TEXT_FIELDS = [*PROSE_FIELDS, (schemas.FollowUpIn, {"status": "contact_made", "note_code": "TEL"}, ("note_code",))]


def _with(body: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    container = changed
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = value
    return changed


def _ids(fields: list[tuple[type[BaseModel], dict[str, Any], tuple[str, ...]]]) -> list[str]:
    return [f"{model.__name__}.{'.'.join(path)}" for model, _, path in fields]


@pytest.mark.parametrize(("model", "body", "path"), FREE_TEXT_FIELDS, ids=_ids(FREE_TEXT_FIELDS))
def test_every_valid_body_used_here_is_valid(
    model: type[BaseModel], body: dict[str, Any], path: tuple[str, ...]
) -> None:
    model.model_validate(body)


def _refused_naming(model: type[BaseModel], body: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(_with(body, path, value))

    errors = raised.value.errors(include_input=False, include_url=False)
    assert [error["loc"] for error in errors] == [path]
    assert not value.strip() or value not in str(errors)


@pytest.mark.parametrize(("model", "body", "path"), FREE_TEXT_FIELDS, ids=_ids(FREE_TEXT_FIELDS))
@given(code=st.sampled_from(["TEL", "Jansen"]), bad=refused, data=st.data())
def test_every_free_text_field_refuses_control_and_direction_characters_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], path: tuple[str, ...], code: str, bad: str, data: Any
) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(code)))
    _refused_naming(model, body, path, code[:at] + bad + code[at:])


@pytest.mark.parametrize(("model", "body", "path"), FREE_TEXT_FIELDS, ids=_ids(FREE_TEXT_FIELDS))
@given(value=st.lists(st.sampled_from(INVISIBLE), max_size=6).map("".join))
def test_every_free_text_field_refuses_a_value_with_nothing_visible_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], path: tuple[str, ...], value: str
) -> None:
    _refused_naming(model, body, path, value)


@pytest.mark.parametrize(("model", "body", "path"), PROSE_FIELDS, ids=_ids(PROSE_FIELDS))
def test_every_prose_field_is_stored_normalised(
    model: type[BaseModel], body: dict[str, Any], path: tuple[str, ...]
) -> None:
    parsed = model.model_validate(_with(body, path, "  Zoe\u0308\u00a0\u00a0de  Wit "))

    value: Any = parsed
    for part in path:
        value = getattr(value, part)
    assert value == "Zoë de Wit"


def test_a_note_code_is_a_code_not_prose() -> None:
    with pytest.raises(ValidationError):
        schemas.FollowUpIn.model_validate({"status": "contact_made", "note_code": "TEL X2"})
    for not_on_the_list in ("TEL.2", " TEL ", "tel"):
        with pytest.raises(ValidationError):
            schemas.FollowUpIn.model_validate({"status": "contact_made", "note_code": not_on_the_list})
    assert schemas.FollowUpIn.model_validate({"status": "open", "note_code": "TEL"}).note_code == "TEL"
