"""One normalisation for every free-text value: names, functions, street, city, references.

A value ends up in e-mails, in the family's access document and in other organisations' case
systems, so it may hold nothing that changes how text around it is shown: no control characters
(a CR/LF would start a forged line in a plain-text mail), no bidirectional controls (they reorder
what a reader sees), no line or paragraph separators, no lone surrogates (they cannot be stored as
UTF-8). What is left is put in NFC, its whitespace runs become one space, and it must show at
least one visible character: a value of only spaces or zero-width characters says nothing.

Messages never repeat the value: it may be personal data.
"""

from __future__ import annotations

import unicodedata

# Explicit bidirectional formatting characters (Unicode Bidirectional Algorithm, UAX #9).
BIDI_CONTROLS = frozenset(
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
# Letters and marks that render as nothing: a value made of them only is as empty as "".
_BLANK_LOOKING = frozenset(
    "\u034f"  # COMBINING GRAPHEME JOINER
    "\u115f\u1160"  # HANGUL CHOSEONG / JUNGSEONG FILLER
    "\u17b4\u17b5"  # KHMER VOWEL INHERENT AQ / AA
    "\u2800"  # BRAILLE PATTERN BLANK
    "\u3164"  # HANGUL FILLER
    "\uffa0"  # HALFWIDTH HANGUL FILLER
)
# Cc: C0, DEL and C1 controls (TAB, CR, LF, NUL, ESC, BEL, NEL ...); Cs: lone surrogates, which
# JSON can carry but UTF-8 cannot; Zl, Zp: LINE SEPARATOR and PARAGRAPH SEPARATOR.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
# Letters, numbers, punctuation and symbols; marks, format characters, spaces and unassigned or
# private-use code points show nothing by themselves.
_VISIBLE_CATEGORY_STARTS = ("L", "N", "P", "S")

REFUSED_CHARACTER = "contains a control, line-break or text-direction character"
NOTHING_VISIBLE = "has no visible character"


def _refused(character: str) -> bool:
    return unicodedata.category(character) in _REFUSED_CATEGORIES or character in BIDI_CONTROLS


def _visible(character: str) -> bool:
    return unicodedata.category(character).startswith(_VISIBLE_CATEGORY_STARTS) and character not in _BLANK_LOOKING


def normalise(value: str) -> str:
    """``value`` in NFC with its whitespace collapsed and stripped; ``ValueError`` when refused."""
    composed = unicodedata.normalize("NFC", value)
    if any(_refused(character) for character in composed):
        raise ValueError(REFUSED_CHARACTER)
    # str.split() without arguments splits on every run of Unicode whitespace (NBSP, U+3000 ...).
    collapsed = " ".join(composed.split())
    if not any(_visible(character) for character in collapsed):
        raise ValueError(NOTHING_VISIBLE)
    return collapsed
