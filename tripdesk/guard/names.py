"""Finding pupils' names in a draft however they are typed.

A surname can reach a post in many disguises: another case, a possessive, a hyphen, accents
typed or left out, look-alike or full-width letters, zero-width characters, or glued into a
hashtag. `fold` undoes all of these while remembering where each character came from, so a
finding can point at the exact span the teacher typed. Surnames that are also ordinary words
(Park, Hall, May) are treated as names only when the text uses them as names.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from tripdesk.consent.register import Pupil, Register
from tripdesk.guard.words import ORDINARY_WORDS

_APOSTROPHES = frozenset("'’‘ʼ`´′ʹ＇")
_HYPHENS = frozenset("-‐‑‒–—―−﹣－")
# Letters from other scripts that look like Latin ones, as people use them to dodge filters.
_LOOK_ALIKES = dict(
    zip(
        "АВЕКМНОРСТХУЅІЈаеорсухѕіјԁһӏԛԝкмнтвьгΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαικνρτυχ",
        "ABEKMHOPCTXYSIJaeopcyxsijdhlqwkmhtbbrABEZHIKMNOPTYXoaiknptux",
        strict=True,
    )
)
# Letters that Unicode does not decompose into a base letter and an accent.
_STROKED = {
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
_SENTENCE_END = frozenset(".!?\n:;")
_JOINERS = frozenset("' -")
_MIN_BURIED = 3  # shorter names are not looked for inside longer words

HitKind = Literal["full name", "surname", "first name", "never named"]
HitSeverity = Literal["block", "confirm"]


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> tuple[str, bool]:
    """One typed character as plain lower-case letters, and whether it was upper case."""
    if char in _APOSTROPHES:
        return "'", False
    if char in _HYPHENS:
        return "-", False
    if unicodedata.category(char) == "Cf":  # zero-width and other invisible format characters
        return "", False
    char = _LOOK_ALIKES.get(char, char)
    char = _STROKED.get(char, char)
    plain = "".join(
        c
        for c in unicodedata.normalize("NFKD", char)
        if not unicodedata.category(c).startswith("M")
    )
    return plain.casefold(), plain[:1].isupper()


@dataclass(frozen=True)
class Folded:
    """Folded text; `origin[i]` is the index in the typed text of folded character i."""

    text: str
    origin: tuple[int, ...]
    upper: tuple[bool, ...]


@lru_cache(maxsize=256)
def fold(text: str) -> Folded:
    """Cached: on each keystroke the alt texts and poll options are the same as last time."""
    if text.isascii():
        return Folded(text.lower(), tuple(range(len(text))), tuple(c.isupper() for c in text))
    out: list[str] = []
    origin: list[int] = []
    upper: list[bool] = []
    for index, char in enumerate(text):
        plain, is_upper = _fold_char(char)
        for piece in plain:
            out.append(piece)
            origin.append(index)
            upper.append(is_upper)
    return Folded("".join(out), tuple(origin), tuple(upper))


def _parts(name: str) -> list[str]:
    return [part for part in re.split(r"[^\w]+|_", fold(name).text) if part]


@dataclass(frozen=True)
class _Token:
    word: str
    start: int  # span in the typed text
    end: int
    capital: bool
    shouting: bool
    sentence_start: bool
    gap: str  # folded characters since the previous token
    compound: bool  # a hashtag, a handle or CamelCase: names may be glued inside
    bounds: frozenset[int]  # CamelCase boundaries inside `word`


_Tokens = tuple[_Token, ...]
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=256)
def _tokens(typed: str) -> _Tokens:
    folded = fold(typed)
    tokens: list[_Token] = []
    previous_end = 0
    text, upper, origin = folded.text, folded.upper, folded.origin
    for match in _WORD.finditer(text):
        a, b = match.span()
        gap = text[previous_end:a]
        previous_end = b
        bounds: frozenset[int] = frozenset()
        if any(upper[a + 1 : b]):
            bounds = frozenset(
                i - a
                for i in range(a + 1, b)
                if upper[i] and not upper[i - 1] and text[i].isalpha()
            )
        tokens.append(
            _Token(
                word=match.group(),
                start=origin[a],
                end=origin[b - 1] + 1,
                capital=upper[a],
                shouting=b - a > 1 and all(upper[a:b]),
                sentence_start=not tokens or not _SENTENCE_END.isdisjoint(gap),
                gap=gap,
                compound=gap.endswith(("#", "@", "＃", "＠")) or bool(bounds),
                bounds=bounds,
            )
        )
    return tuple(tokens)


class NameIndex:
    """A register's names, folded once: built on first use and kept while the register lives."""

    def __init__(self, register: Register) -> None:
        self.surnames: dict[str, list[Pupil]] = {}
        self.forenames: dict[str, list[Pupil]] = {}
        self.forename_keys: dict[str, frozenset[str]] = {}
        self.max_parts = 1
        self.first_parts: set[str] = set()  # first words of surnames written in several
        for pupil in register.pupils:
            parts = _parts(pupil.surname)
            if parts:
                self.max_parts = max(self.max_parts, len(parts))
                self.surnames.setdefault("".join(parts), []).append(pupil)
                if len(parts) > 1:
                    self.first_parts.add(parts[0])
                    for part in parts:
                        if len(part) >= _MIN_BURIED:
                            self.surnames.setdefault(part, []).append(pupil)
            keys: set[str] = set()
            for name in (pupil.forename, pupil.preferred_name):
                parts = _parts(name)
                if parts:
                    keys.add("".join(parts))
                    keys.update(parts)
            self.forename_keys[pupil.id] = frozenset(keys)
            for key in keys:
                self.forenames.setdefault(key, []).append(pupil)
        self.longest = max((len(key) for key in self.surnames), default=0)
        self.all_names = frozenset(self.surnames) | frozenset(self.forenames)


_indexes: weakref.WeakKeyDictionary[Register, NameIndex] = weakref.WeakKeyDictionary()


def index_for(register: Register) -> NameIndex:
    index = _indexes.get(register)
    if index is None:
        index = _indexes[register] = NameIndex(register)
    return index


@dataclass(frozen=True)
class NameHit:
    """A pupil's name found in the draft: what kind, how sure, and exactly where."""

    kind: HitKind
    severity: HitSeverity
    start: int
    end: int
    pupils: tuple[Pupil, ...]


def find_names(
    text: str,
    register: Register,
    tagged: Iterable[Pupil] = (),
    *,
    skip: Iterable[tuple[int, int]] = (),
) -> list[NameHit]:
    """Surnames, names of never-photograph pupils, and first names of the pupils in the photos.

    Words inside the `skip` spans (approved partner handles) are not read as names.
    """
    index = index_for(register)
    if not index.surnames and not index.forenames:
        return []
    tokens = _tokens(text)
    spans = tuple(skip)
    tagged_ids = {pupil.id for pupil in tagged}
    hits: list[NameHit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if any(a <= token.start < b for a, b in spans):
            i += 1
            continue
        used = _surname_at(tokens, i, index, hits)
        if token.compound:
            _buried(token, index, hits)
        _first_name(token, index, tagged_ids, hits)
        i += used
    return _strongest(hits)


def _surname_at(tokens: _Tokens, i: int, index: NameIndex, hits: list[NameHit]) -> int:
    """Match the longest surname starting at token i; returns how many tokens it used."""
    longest = index.max_parts if tokens[i].word in index.first_parts else 1
    for length in range(min(longest, len(tokens) - i), 0, -1):
        chunk = tokens[i : i + length]
        if any(t.gap not in _JOINERS for t in chunk[1:]):
            continue
        key = "".join(t.word for t in chunk)
        pupils = index.surnames.get(key)
        if not pupils and key.endswith("s") and len(key) > _MIN_BURIED:
            key = key[:-1]  # a plural or a possessive typed without its apostrophe: the Khans
            pupils = index.surnames.get(key)
        if not pupils:
            continue
        kind, severity = _judge_surname(tokens, i, i + length, key, pupils, index)
        if severity is not None:
            start, end = chunk[0].start, chunk[-1].end
            if _forename_before(tokens, i, pupils, index):
                start = tokens[i - 1].start
            if _forename_after(tokens, i + length, pupils, index):
                end = tokens[i + length].end
            hits.append(NameHit(kind, severity, start, end, tuple(pupils)))
        return length
    return 1


def _forename_before(tokens: _Tokens, i: int, pupils: list[Pupil], index: NameIndex) -> bool:
    if i == 0 or tokens[i].sentence_start or tokens[i].gap.strip(" ,") != "":
        return False
    word = tokens[i - 1].word
    return any(word in index.forename_keys[p.id] for p in pupils)


def _forename_after(tokens: _Tokens, j: int, pupils: list[Pupil], index: NameIndex) -> bool:
    if j >= len(tokens) or tokens[j].sentence_start or tokens[j].gap.strip(" ,") != "":
        return False
    word = tokens[j].word
    return any(word in index.forename_keys[p.id] for p in pupils)


def _judge_surname(
    tokens: _Tokens, i: int, j: int, key: str, pupils: list[Pupil], index: NameIndex
) -> tuple[HitKind, HitSeverity | None]:
    if _forename_before(tokens, i, pupils, index) or _forename_after(tokens, j, pupils, index):
        return "full name", "block"
    never = any(p.never_photograph for p in pupils)
    if key not in ORDINARY_WORDS:
        return ("never named" if never else "surname"), "block"
    first = tokens[i]
    if not first.capital:
        return ("never named" if never else "surname"), ("confirm" if never else None)
    if never:
        return "never named", "block"
    if first.shouting or first.sentence_start or first.compound:
        return "surname", "confirm"
    before_capital = i > 0 and tokens[i - 1].capital and tokens[i].gap.strip() == ""
    after_capital = j < len(tokens) and tokens[j].capital and tokens[j].gap.strip() == ""
    if before_capital or after_capital:
        return "surname", "confirm"  # part of a place or a title: the Great Hall, Hyde Park
    return "surname", "block"


def _buried(token: _Token, index: NameIndex, hits: list[NameHit]) -> None:
    """Surnames glued into a hashtag, handle or CamelCase word (#AmiraKhan, #TeamKhan)."""
    word = token.word
    for a in range(len(word)):
        for b in range(a + _MIN_BURIED, min(len(word), a + index.longest) + 1):
            key = word[a:b]
            pupils = index.surnames.get(key)
            if not pupils or (a == 0 and b == len(word)):
                continue  # the whole word was judged as a plain token already
            ordinary = key in ORDINARY_WORDS
            aligned = (a == 0 or a in token.bounds) and (b == len(word) or b in token.bounds)
            with_forename = any(
                word[:a].endswith(forename)
                for p in pupils
                for forename in index.forename_keys[p.id]
                if forename
            )
            never = any(p.never_photograph for p in pupils)
            if with_forename:
                kind, severity = "full name", "block"
            elif aligned:
                kind, severity = "surname", ("confirm" if ordinary and not never else "block")
            elif not ordinary:
                kind, severity = "surname", "confirm"
            else:
                continue
            hits.append(NameHit(kind, severity, token.start, token.end, tuple(pupils)))


def _first_name(token: _Token, index: NameIndex, tagged: set[str], hits: list[NameHit]) -> None:
    """A never-photograph pupil's first name, or the first name of a pupil in the photos."""
    words = [token.word]
    if token.compound:
        cuts = sorted({0, *token.bounds, len(token.word)})
        words += [token.word[a:b] for a, b in pairwise(cuts)]
    for word in words:
        pupils = index.forenames.get(word)
        if not pupils:
            continue
        lower_word = not token.capital and word in ORDINARY_WORDS
        never = tuple(p for p in pupils if p.never_photograph)
        if never:
            severity: HitSeverity = "confirm" if lower_word else "block"
            hits.append(NameHit("never named", severity, token.start, token.end, never))
        in_photos = tuple(p for p in pupils if p.id in tagged)
        if in_photos and not lower_word:
            hits.append(NameHit("first name", "confirm", token.start, token.end, in_photos))


_KIND_ORDER: dict[str, int] = {"full name": 0, "never named": 1, "surname": 2, "first name": 3}


def _strongest(hits: list[NameHit]) -> list[NameHit]:
    """One hit per span: the strictest, then the most specific kind; in text order."""
    best: dict[tuple[int, int], NameHit] = {}
    for hit in hits:
        key = (hit.start, hit.end)
        rank = (hit.severity != "block", _KIND_ORDER[hit.kind])
        held = best.get(key)
        if held is None or rank < (held.severity != "block", _KIND_ORDER[held.kind]):
            best[key] = hit
    blocks = [hit for hit in best.values() if hit.severity == "block"]
    kept = [
        hit
        for hit in best.values()
        if hit.severity == "block"
        or not any(b.start <= hit.start and hit.end <= b.end for b in blocks)
    ]
    return sorted(kept, key=lambda h: (h.start, h.end))
