"""Every character as the plain Latin letters it stands for, from Unicode's own data.

Styled letters (mathematical, full-width, circled, squared, parenthesised) fold by Unicode's
compatibility decomposition; look-alikes from other scripts fold by the confusables data of
UTS #39, as shipped by the `confusable_homoglyphs` package, reading each pair in the direction
the standard gives it; letters Unicode only names (small capitals, negative squared and
circled letters, regional indicators) fold by their character names. Nothing here is a
hand-made table of look-alikes, so a new trick from the same data is caught too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

APOSTROPHES = frozenset("'’‘ʼ`´′ʹ＇")
HYPHENS = frozenset("-‐‑‒–—―−﹣－\u00ad")
# Letters that show nothing at all but are not marked as invisible format characters.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Letters that Unicode does not decompose into a base letter and an accent.
STROKED = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "ħ": "h",
    "Ħ": "H",
    "ı": "i",
    "ŧ": "t",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ß": "ss",
    "þ": "th",
    "Þ": "Th",
}
# Scripts whose characters are never typed to stand for Latin letters: a Japanese or Korean
# sentence must not turn into Latin letters that spell a surname.
_OWN_SCRIPTS = ("CJK", "HANGUL", "KATAKANA", "HIRAGANA", "BOPOMOFO", "IDEOGRAPHIC", "KANGXI")
_NAMED_LETTER = re.compile(
    r"\b(?:LATIN|REGIONAL INDICATOR SYMBOL)\b.*\bLETTER (?:SMALL CAPITAL |CAPITAL |SMALL )?([A-Z])$"
)


def invisible(char: str) -> bool:
    """Zero-width joiners, soft hyphens, fillers: characters that hide inside a name."""
    return char in BLANKS or unicodedata.category(char) == "Cf"


@cache
def _confusables() -> dict[str, list[str]]:
    """UTS #39 confusable pairs, each character with the characters it is confused with."""
    text = (
        resources.files("confusable_homoglyphs")
        .joinpath("confusables.json")
        .read_text(encoding="utf-8")
    )
    return {char: [entry["c"] for entry in entries] for char, entries in json.loads(text).items()}


def _prototype(char: str) -> str | None:
    """The standard's prototype for a character, when the data says which way the pair goes.

    A prototype is never itself mapped, so a character with one partner that has several is
    mapped to that partner; a character with several partners is a prototype.
    """
    pairs = _confusables().get(char)
    if not pairs or len(pairs) != 1:
        return None
    target = pairs[0]
    if target.isascii() or len(target) > 1 or len(_confusables().get(target, ())) > 1:
        return target
    return None


def _ascii_letters(text: str) -> str | None:
    plain = "".join(c for c in text if c.isascii() and c.isalnum())
    return plain or None


def _named(char: str) -> str | None:
    match = _NAMED_LETTER.search(unicodedata.name(char, ""))
    if match is None:
        return None
    letter = match.group(1)
    return letter.lower() if "SMALL" in match.group(0) else letter


def _look_alike(char: str, depth: int = 0) -> str | None:
    """The ASCII letters a look-alike from another script stands for, in its own case."""
    target = _prototype(char)
    if target is not None:
        plain = _ascii_letters(target) if target.isascii() else None
        if plain is None and depth == 0 and len(target) == 1:
            plain = _look_alike(target, 1) or _named(target)
        if plain is not None:
            if char.isupper() and plain == "l":
                return "I"  # the standard folds capital I into l; a capital stays a capital
            return plain.upper() if char.isupper() else plain.lower() if char.islower() else plain
    if depth == 0:
        other = char.upper() if char.islower() else char.lower() if char.isupper() else char
        if other != char and len(other) == 1:
            plain = _look_alike(other, 1)
            if plain is not None:
                return plain.lower() if char.islower() else plain.upper()
    return None


@lru_cache(maxsize=16384)
def fold_char(char: str) -> tuple[str, bool, bool]:
    """One typed character as plain lower-case letters; whether it was a capital; and whether
    it is a look-alike from another script (a disguise, not a style)."""
    if char in APOSTROPHES:
        return "'", False, False
    if char in HYPHENS:
        return "-", False, False
    if invisible(char):
        return "", False, False
    if char.isascii():
        return char.lower(), char.isupper(), False
    if char in STROKED:
        plain = STROKED[char]
        return plain.casefold(), plain[:1].isupper(), False
    name = unicodedata.name(char, "")
    styled = unicodedata.normalize("NFKC", char)
    plain = _ascii_letters(styled) if styled != char and any(c.isalpha() for c in styled) else None
    disguised = False
    if plain is None and not name.startswith(_OWN_SCRIPTS) and not _is_accented_latin(char):
        plain = _look_alike(char)
        disguised = plain is not None
    if plain is None:
        plain = _named(char)
    if plain is None:
        plain = "".join(
            c
            for c in unicodedata.normalize("NFKD", char)
            if not unicodedata.category(c).startswith("M")
        )
        plain = "".join(STROKED.get(c, c) for c in plain)
    return plain.casefold(), plain[:1].isupper(), disguised


def _is_accented_latin(char: str) -> bool:
    """A Latin letter with an accent (é, ň): its own letter, not a look-alike."""
    base = unicodedata.normalize("NFKD", char)[:1]
    return base != char and base.isascii() and base.isalpha()
