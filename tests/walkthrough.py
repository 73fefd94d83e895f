"""Runs the shell blocks of a Markdown page in order and holds their output to what the page shows.

A page this module reads is made of ```` ```sh ```` blocks, each optionally followed (nothing but
blank lines between) by a ```` ```text ```` block: the output the commands print, stdout and
stderr together. The comparison is made for a reader's eye, not byte for byte:

- ``…`` stands for any text, also none and also several lines: ids, tokens, dates and what the
  page leaves out;
- whitespace does not count next to ``{ } [ ] , :`` and ``…``, and any other run of it is one
  space, so a pretty-printed JSON body may be shown compact or folded;
- when the shown output starts with an HTTP status line (``curl -i``), each header the page shows
  must be in the answer with that value, and headers it does not show do not matter.

A shell block without an output block must print nothing, and an output block that follows no
shell block is refused: everything the page shows as output is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = "…"
_FENCE = re.compile(r"^```([A-Za-z]*)[ \t]*$")
_SPACE_AROUND_PUNCTUATION = re.compile(r" ?([{}\[\],:…]) ?")
_WHITESPACE = re.compile(r"\s+")
_HTTP_STATUS_LINE = re.compile(r"HTTP/[0-9.]+ [0-9]{3}\b.*")


@dataclass(frozen=True)
class Step:
    """One shell block of the page and the output shown after it (``None``: it prints nothing)."""

    line: int
    commands: str
    expected: str | None


class PageError(ValueError):
    """The page breaks the shape described in the module docstring."""


def steps(markdown: str) -> list[Step]:
    """The page's shell blocks in order, each with the output block that follows it."""
    found: list[Step] = []
    lines = markdown.splitlines()
    index = 0
    previous_was_shell = False
    while index < len(lines):
        fence = _FENCE.fullmatch(lines[index])
        if fence is None:
            if lines[index].strip():
                previous_was_shell = False
            index += 1
            continue
        language, start = fence.group(1), index + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise PageError(f"line {index + 1}: a block that is never closed")
        body = "\n".join(lines[start:end]) + "\n"
        if language == "sh":
            found.append(Step(line=index + 1, commands=body, expected=None))
            previous_was_shell = True
        elif language == "text":
            if not previous_was_shell:
                raise PageError(f"line {index + 1}: output that no shell block right above it prints")
            last = found[-1]
            found[-1] = Step(line=last.line, commands=last.commands, expected=body)
            previous_was_shell = False
        else:
            raise PageError(f"line {index + 1}: a {language or 'plain'} block; only sh and text blocks are run")
        index = end + 1
    return found


def script(page_steps: list[Step], marker: str) -> str:
    """One bash script running every step in order, ``marker`` on a line of its own after each."""
    parts = ["exec 2>&1"]  # what a reader sees in the terminal: stderr among stdout
    for step in page_steps:
        parts.append(step.commands)
        parts.append(f"printf '\\n%s\\n' '{marker}'")
    return "\n".join(parts) + "\n"


def outputs(printed: str, marker: str) -> list[str]:
    """What each step printed, in order; the last item is what followed the last marker."""
    return printed.replace("\r\n", "\n").split(f"\n{marker}\n")


def _squeeze(text: str) -> str:
    return _SPACE_AROUND_PUNCTUATION.sub(r"\1", _WHITESPACE.sub(" ", text)).strip()


def _fits(pattern: str, text: str) -> bool:
    """Whether ``text`` is ``pattern`` with each placeholder replaced by some text.

    Each literal piece is taken at its first place after the previous one: with a wildcard that
    matches anything, the earliest place never rules out a match that a later one would allow.
    """
    first, *middle_and_last = pattern.split(PLACEHOLDER)
    if not middle_and_last:
        return text == first
    *middle, last = middle_and_last
    if not text.startswith(first) or len(text) < len(first) + len(last) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _http_parts(text: str) -> tuple[str, list[tuple[str, str]], str]:
    head, _, body = text.strip().partition("\n\n")
    status, *header_lines = head.splitlines()
    headers = []
    for header_line in header_lines:
        name, _, value = header_line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    return status.strip(), headers, body


def mismatch(expected: str | None, actual: str) -> str | None:
    """Why ``actual`` is not the output shown as ``expected``, or ``None`` when it is."""
    actual = actual.replace("\r\n", "\n")
    if expected is None:
        return None if not actual.strip() else "the page shows no output, but the commands printed some"
    if _HTTP_STATUS_LINE.fullmatch(expected.strip().splitlines()[0]):
        return _http_mismatch(expected, actual)
    return None if _fits(_squeeze(expected), _squeeze(actual)) else "the output differs from the page"


def _http_mismatch(expected: str, actual: str) -> str | None:
    if not actual.strip() or not _HTTP_STATUS_LINE.fullmatch(actual.strip().splitlines()[0]):
        return "the page shows an HTTP answer with its headers, the commands printed none"
    expected_status, expected_headers, expected_body = _http_parts(expected)
    actual_status, actual_headers, actual_body = _http_parts(actual)
    if not _fits(_squeeze(expected_status), _squeeze(actual_status)):
        return f"status line {actual_status!r}, the page shows {expected_status!r}"
    for name, value in expected_headers:
        values = [got for header, got in actual_headers if header == name]
        if not any(_fits(_squeeze(value), _squeeze(got)) for got in values):
            return f"header {name}: {values or 'absent'}, the page shows {value!r}"
    if not _fits(_squeeze(expected_body), _squeeze(actual_body)):
        return "the body differs from the page"
    return None
