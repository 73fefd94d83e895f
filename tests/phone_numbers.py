"""20,000 phone numbers as professionals type them, and what ``phonenumbers`` makes of each.

The sample is generated, not stored: the same seed gives the same numbers on every machine. It
mixes Dutch fixed, mobile and service numbers in the ways people write them, numbers from the
countries around and far away (including those whose metadata changes often), and the malformed
input a form receives. ``outcomes`` runs any ``phonenumbers`` build over it, so the full package
and ``phonenumberslite`` can be compared number by number (``benchmarks/phone_numbers.py``) or by
digest (``tests/unit/test_replaced_dependencies.py``).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from types import ModuleType

SAMPLE_SIZE = 20_000
SEED = 14

# One string per list: 150 codes one per line would hide the code that uses them.
_DUTCH_AREA_CODES = (  # noqa: SIM905
    "10 13 15 20 23 30 33 35 40 43 50 53 58 70 71 72 73 74 75 76 77 78 79 111 113 114 115 117 118 161 "
    "162 164 165 166 167 168 172 174 180 181 182 183 184 186 187 222 223 224 226 227 228 229 251 252 "
    "255 294 297 299 313 314 315 316 317 318 320 321 341 342 343 344 345 346 347 348 411 412 413 416 "
    "418 475 478 481 485 486 487 488 492 493 495 497 499 511 512 513 514 515 516 517 518 519 521 522 "
    "523 524 525 527 528 529 541 543 544 545 546 547 548 561 562 566 570 571 572 573 575 577 578 591 "
    "592 593 594 595 596 597 598 599 85 88 91 97"
).split()
_DUTCH_SERVICE = ("800", "900", "906", "909", "84", "87", "14")
_FOREIGN_CALLING_CODES = (  # noqa: SIM905
    "32 49 33 44 1 90 212 597 599 297 86 40 995 251 593 229 856 263 48 34 39 41 43 45 46 47 351 353 "
    "358 420 7 20 27 55 61 81 91 234 380 971"
).split()
_SEPARATORS = ("", " ", "-", ".", "  ", "/")
_FORMATS = ("E164", "INTERNATIONAL", "NATIONAL", "RFC3966")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _spaced(rng: random.Random, digits: str) -> str:
    """``digits`` cut into groups of two to four with one separator, as people type them."""
    separator = rng.choice(_SEPARATORS)
    groups, rest = [], digits
    while rest:
        size = rng.randint(2, 4)
        groups.append(rest[:size])
        rest = rest[size:]
    return separator.join(groups)


def _dutch(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        area = rng.choice(_DUTCH_AREA_CODES)
        national = area + _digits(rng, 9 - len(area) + rng.choice((0, 0, 0, 0, -1, 1)))
    elif kind < 0.75:
        national = "6" + rng.choice("123456789") + _digits(rng, 7 + rng.choice((0, 0, 0, 0, -1, 1)))
    else:
        prefix = rng.choice(_DUTCH_SERVICE)
        national = prefix + _digits(rng, rng.randint(4, 8))
    style = rng.random()
    if style < 0.45:
        return "0" + _spaced(rng, national)
    if style < 0.60:
        return f"(0{national[:2]}) {_spaced(rng, national[2:])}"
    if style < 0.80:
        return "+31 " + _spaced(rng, national)
    if style < 0.90:
        return "+31 (0)" + _spaced(rng, national)
    return "0031" + rng.choice(("", " ")) + _spaced(rng, national)


def _foreign(rng: random.Random) -> str:
    code = rng.choice(_FOREIGN_CALLING_CODES)
    national = rng.choice("123456789") + _digits(rng, rng.randint(5, 11))
    prefix = rng.choice(("+", "+", "+", "00"))
    return f"{prefix}{code} {_spaced(rng, national)}"


def _malformed(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        return _digits(rng, rng.randint(0, 5))
    if kind == 1:
        return _digits(rng, rng.randint(14, 20))
    if kind == 2:
        return "06-" + "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyzABCDEF") for _ in range(8))
    if kind == 3:
        return _dutch(rng) + rng.choice((" ext. ", " x", " toestel ", ";ext=", " #")) + _digits(rng, rng.randint(1, 5))
    if kind == 4:
        return rng.choice(("+", "++31 6 12345678", "00", "+0", "tel:", "tel:+31-6-1234-5678", "geen", "-", "()"))
    if kind == 5:
        # Full-width and Arabic-Indic digits, which phonenumbers normalises.
        zero = rng.choice((0xFF10, 0x0660))
        table = str.maketrans("0123456789", "".join(chr(zero + digit) for digit in range(10)))
        return _dutch(rng).translate(table)
    if kind == 6:
        return "+" + _digits(rng, rng.randint(1, 4)) + " " + _digits(rng, rng.randint(4, 12))
    if kind == 7:
        return " " + _dutch(rng) + rng.choice(("", " ", "\t", ".", "!"))
    return "0" + rng.choice("123456789") + _digits(rng, rng.randint(6, 10))


def sample(count: int = SAMPLE_SIZE, seed: int = SEED) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        roll = rng.random()
        yield _dutch(rng) if roll < 0.6 else _foreign(rng) if roll < 0.85 else _malformed(rng)


def outcomes(phonenumbers: ModuleType, numbers: Iterator[str]) -> Iterator[str]:
    """One line per number: the parse error, or the parsed fields, validity and every format."""
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number, "NL")
        except phonenumbers.NumberParseException as exc:
            yield f"{number!r} error {exc.error_type}"
            continue
        formats = [phonenumbers.format_number(parsed, getattr(phonenumbers.PhoneNumberFormat, f)) for f in _FORMATS]
        yield (
            f"{number!r} {parsed.country_code} {parsed.national_number} {parsed.extension!r} "
            f"{parsed.italian_leading_zero} {parsed.number_of_leading_zeros} "
            f"{phonenumbers.is_valid_number(parsed)} {formats!r}"
        )


def digest(lines: Iterator[str]) -> str:
    hashed = hashlib.sha256()
    for line in lines:
        hashed.update(line.encode() + b"\n")
    return hashed.hexdigest()
