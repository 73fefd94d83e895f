"""The checker that holds docs/walkthrough.md to what the system prints: it must see a real
difference, and must not see one in what a reader would call the same output."""

from __future__ import annotations

import pytest

from tests.walkthrough import PageError, Step, mismatch, outputs, script, steps

PAGE = """# A page

Prose before.

```sh
echo one
```

```text
one
```

A block that prints nothing:

```sh
X=1
```

```sh
echo "$X"
```
```text
1
```
"""


def test_a_page_is_read_as_shell_blocks_each_with_the_output_below_it() -> None:
    assert steps(PAGE) == [
        Step(line=5, commands="echo one\n", expected="one\n"),
        Step(line=15, commands="X=1\n", expected=None),
        Step(line=19, commands='echo "$X"\n', expected="1\n"),
    ]


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        ("```text\nshown but never printed\n```\n", "no shell block"),
        ("```sh\necho a\n```\n\nProse between.\n\n```text\na\n```\n", "no shell block"),
        ("```sh\necho a\n```\n```text\na\n```\n```text\na\n```\n", "no shell block"),
        ("```python\nprint(1)\n```\n", "only sh and text"),
        ("```\nplain\n```\n", "only sh and text"),
        ("```sh\necho a\n", "never closed"),
    ],
)
def test_a_page_whose_output_nothing_checks_is_refused(page: str, complaint: str) -> None:
    with pytest.raises(PageError, match=complaint):
        steps(page)


def test_the_script_runs_the_steps_in_order_and_marks_the_end_of_each() -> None:
    page_steps = steps(PAGE)
    text = script(page_steps, "::done::")
    assert text.index("echo one") < text.index("X=1") < text.index('echo "$X"')
    assert text.count("'::done::'") == len(page_steps)
    assert outputs("one\n\n::done::\n\n::done::\n1\r\n\n::done::\n", "::done::") == ["one\n", "", "1\n", ""]


@pytest.mark.parametrize(
    ("shown", "printed"),
    [
        ("archived\n", "archived\n"),
        ('{"id": "…", "status": "active"}', '{"id":"01M8TPKCF8TYRG6A92YSKYRS7S","status":"active"}'),
        ('{"a": 1, …}', '{\n    "a": 1,\n    "b": [\n        2\n    ]\n}\n'),
        ('{"a": 1, …, "c": 3}', '{"a":1,"b":2,"c":3}'),
        ("['Daan'] …", "['Daan'] MjAyNi0xMi0wMlQw"),
        ("['Sanne'] None", "['Sanne']   None\n"),
        ("…", ""),
        ("line one\n…\nline four", "line one\nline two\nline three\nline four"),
        ("x … y", "x y"),
    ],
)
def test_output_the_page_shows_fits(shown: str, printed: str) -> None:
    assert mismatch(shown, printed) is None


@pytest.mark.parametrize(
    ("shown", "printed"),
    [
        ('{"status": 404} -> 404', '{"status": 403} -> 403'),
        ("030 123 4567", "+31301234567"),
        ("P. Jansen", "P.  Jansens"),
        ('{"a": 1, …}', '{"b":2,"a":1}'),
        ('{"a": 1, …, "c": 3}', '{"a":1,"b":2,"c":3,"d":4}'),
        ("['Sanne'] None", "['Sanne'] None\nTraceback (most recent call last):"),
        ("one\n", ""),
        ("ab…ba", "aba"),
    ],
)
def test_output_that_differs_from_the_page_is_caught(shown: str, printed: str) -> None:
    assert mismatch(shown, printed) == "the output differs from the page"


def test_a_block_shown_without_output_must_print_nothing() -> None:
    assert mismatch(None, "\n  \n") is None
    assert mismatch(None, "bash: field: command not found\n") is not None


ANSWER = (
    "HTTP/1.1 201 Created\r\n"
    "Server: BaseHTTP/0.6 Python/3.11.7\r\n"
    "Content-Type: application/json\r\n"
    "Location: /v1/signals/01M8TPKCF8TYRG6A92YSKYRS7S\r\n"
    "Idempotent-Replayed: true\r\n"
    "API-Version: 1\r\n"
    "\r\n"
    '{"id":"01M8TPKCF8TYRG6A92YSKYRS7S","status":"active","matches":[]}'
)
SHOWN = (
    "HTTP/1.1 201 Created\n"
    "Content-Type: application/json\n"
    "location: /v1/signals/…\n"
    "Idempotent-Replayed: true\n"
    "\n"
    '{"id":"…","status":"active",…}\n'
)


def test_of_an_answer_with_headers_only_the_headers_shown_count() -> None:
    assert mismatch(SHOWN, ANSWER) is None


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        (ANSWER.replace("201 Created", "200 OK"), "status line"),
        (ANSWER.replace("Idempotent-Replayed: true\r\n", ""), "header idempotent-replayed: absent"),
        (ANSWER.replace("Replayed: true", "Replayed: false"), "header idempotent-replayed: ['false']"),
        (ANSWER.replace('"active"', '"archived"'), "the body differs"),
        ('{"id":"01M8TPKCF8TYRG6A92YSKYRS7S","status":"active"}', "printed none"),
    ],
)
def test_an_answer_with_headers_that_differs_is_caught(answer: str, complaint: str) -> None:
    why = mismatch(SHOWN, answer)
    assert why is not None
    assert complaint in why
