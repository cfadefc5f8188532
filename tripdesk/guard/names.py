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
from tripdesk.guard import words
from tripdesk.guard.words import ORDINARY_WORDS

_APOSTROPHES = frozenset("'’‘ʼ`´′ʹ＇")
_HYPHENS = frozenset("-‐‑‒–—―−﹣－")
# Letters from other scripts that look like Latin ones, as people use them to dodge filters.
_LOOK_ALIKES = dict(
    zip(
        "АВЕКМНОРСТХУЅІЈаеорсухѕіјԁһӏԛԝкмнтвьгΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαικνρτυχ"
        "ᴀʙᴄᴅᴇꜰғɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ"  # small capitals, as "fancy text" sites make them
        "ᎪᏴᏟᎬᏀᎻᎫᏦᏞᎷᏢᏚᎢᏙᏔᏃհոսօցզ",  # Cherokee and Armenian look-alikes
        "ABEKMHOPCTXYSIJaeopcyxsijdhlqwkmhtbbrABEZHIKMNOPTYXoaiknptux"
        "ABCDEFFGHIJKLMNOPRSTUVWYZ"
        "ABCEGHJKLMPSTVWZhnuogq",
        strict=True,
    )
)
# Letters that show nothing at all but are not marked as invisible format characters.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
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


def invisible(char: str) -> bool:
    """Zero-width joiners, soft hyphens, fillers: characters that hide inside a name."""
    return char in _BLANKS or unicodedata.category(char) == "Cf"


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> tuple[str, bool]:
    """One typed character as plain lower-case letters, and whether it was upper case."""
    if char in _APOSTROPHES:
        return "'", False
    if char in _HYPHENS:
        return "-", False
    if invisible(char):
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
        plain = text.lower().replace("`", "'")
        return Folded(plain, tuple(range(len(text))), tuple(c.isupper() for c in text))
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
    origin: tuple[int, ...]  # where each letter of `word` is in the typed text


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
                origin=origin[a:b],
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
        else:
            _glued(token, index, hits)
        _first_name(tokens, i, index, tagged_ids, hits)
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
        while not pupils and key.endswith("s") and len(key) > _MIN_BURIED:
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
    kind: HitKind = "never named" if never else "surname"
    if key not in ORDINARY_WORDS:
        return kind, "block"
    reading = _reading(tokens, i, j, key, index)
    return kind, (_NEVER_SEVERITY if never else _SEVERITY)[reading]


# How sure the text is that an ordinary word is used as a name, and what each reading costs:
# a never-photograph pupil's name is held to a stricter standard than anyone else's.
_Reading = Literal["name", "likely", "doubt", "word"]
_SEVERITY: dict[_Reading, HitSeverity | None] = {
    "name": "block",
    "likely": "confirm",
    "doubt": "confirm",
    "word": None,
}
_NEVER_SEVERITY: dict[_Reading, HitSeverity] = {
    "name": "block",
    "likely": "block",
    "doubt": "confirm",
    "word": "confirm",
}


def _reading(tokens: _Tokens, i: int, j: int, key: str, index: NameIndex) -> _Reading:
    """Whether an ordinary word that is also a surname (Park, Hope, May) is used as a name here.

    Lower case is a word. A capital at the start of a sentence says nothing, so the words after
    decide ("Park won" against "Park Lane" or "Hope you enjoy"). In mid-sentence a capital makes
    it a name unless it belongs to a place or a title ("Green Park", "King's Cross", "Mr Hall").
    """
    first = tokens[i]
    if not first.capital:
        return "word"
    if key in words.CALENDAR and _a_date(tokens, i, j):
        return "word"
    if first.compound or first.shouting:
        return "likely"  # in capitals every word looks like a name: no telling
    before = _word_before(tokens, i)
    after, possessive = _word_after(tokens, j)
    if any(w is not None and w.capital and w.word in words.PLACE_WORDS for w in (before, after)):
        return "word"
    if any(w is not None and w.capital and w.word in index.forenames for w in (before, after)):
        return "likely"
    if first.sentence_start:
        return "likely" if _name_follows(tokens, j, after, possessive) else "word"
    if before is not None and before.word in words.DETERMINERS:
        return "doubt"
    if before is not None and before.capital and before.word not in words.GREETINGS:
        return "doubt"  # part of some other proper name: Hyde Park, the Sackler Hall
    if after is not None and after.capital:
        return "doubt"
    if key in words.PLACE_NAMES:
        return "doubt"  # "our trip to London"
    return "name"


def _word_before(tokens: _Tokens, i: int) -> _Token | None:
    """The word just before, in the same phrase, read past a possessive: "Queen's Park"."""
    if i == 0 or tokens[i].sentence_start or tokens[i].gap.strip() != "":
        return None
    before = tokens[i - 1]
    if before.word == "s" and before.gap == "'" and i >= 2:
        return tokens[i - 2]
    return before


def _word_after(tokens: _Tokens, j: int) -> tuple[_Token | None, bool]:
    """The word just after, in the same phrase, past a possessive; and whether there was one."""
    if j >= len(tokens) or tokens[j].sentence_start:
        return None, False
    after = tokens[j]
    if after.word == "s" and after.gap == "'":
        if j + 1 < len(tokens) and not tokens[j + 1].sentence_start:
            nxt = tokens[j + 1]
            return (nxt if nxt.gap.strip() == "" else None), True
        return None, True
    return (after if after.gap.strip() == "" else None), False


def _name_follows(tokens: _Tokens, j: int, after: _Token | None, possessive: bool) -> bool:
    """After a capitalised word at a sentence start: does what follows read as a person?"""
    if possessive:
        return after is None or not after.capital  # "Park's model", not "King's Cross"
    if j >= len(tokens) or tokens[j].sentence_start or "," in tokens[j].gap:
        return True  # the word stands alone: "Park!", "Hope, well done"
    if "&" in tokens[j].gap:
        return tokens[j].capital  # "Hall & Amira"
    if after is None:
        return False
    if after.word in words.NAME_FOLLOWERS or (len(after.word) > 3 and after.word.endswith("ed")):
        return True
    return after.word == "and" and j + 1 < len(tokens) and tokens[j + 1].capital


def _a_date(tokens: _Tokens, i: int, j: int) -> bool:
    """A month rather than a name: in May, 3 May, May 2027 (but not "in May's group")."""
    if j < len(tokens) and tokens[j].word == "s" and tokens[j].gap == "'":
        return False
    before = tokens[i - 1] if i > 0 and tokens[i].gap.strip() == "" else None
    after = tokens[j] if j < len(tokens) and tokens[j].gap.strip() in ("", ",") else None
    if before is not None and (before.word in words.DATE_WORDS or _DAY.fullmatch(before.word)):
        return True
    return after is not None and _DAY.fullmatch(after.word) is not None


_DAY = re.compile(r"\d{1,4}(?:st|nd|rd|th)?")


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
            forename = max(
                (
                    name
                    for p in pupils
                    for name in index.forename_keys[p.id]
                    if name and word[:a].endswith(name)
                ),
                key=len,
                default="",
            )
            never = any(p.never_photograph for p in pupils)
            first = a - len(forename)  # a full name is pointed at from its first name
            if forename:
                kind, severity = "full name", "block"
            elif aligned:
                kind, severity = "surname", ("confirm" if ordinary and not never else "block")
            elif not ordinary:
                kind, severity = "surname", "confirm"
            else:
                continue
            start, end = token.origin[first], token.origin[b - 1] + 1
            hits.append(NameHit(kind, severity, start, end, tuple(pupils)))


def _glued(token: _Token, index: NameIndex, hits: list[NameHit]) -> None:
    """A forename and surname run together in one plain word: "amirakhan", "benokafors"."""
    word = token.word
    for a in range(2, len(word) - 1):
        named = index.forenames.get(word[:a])
        if not named:
            continue
        rest = word[a:]
        surnamed = index.surnames.get(rest) or index.surnames.get(rest.removesuffix("s"), [])
        ids = {p.id for p in named}
        pupils = tuple(p for p in surnamed if p.id in ids)
        if pupils:
            ordinary = word[:a] in ORDINARY_WORDS and rest in ORDINARY_WORDS  # "willpower"
            severity: HitSeverity = "confirm" if ordinary else "block"
            hits.append(NameHit("full name", severity, token.start, token.end, pupils))
            return


def _first_name(
    tokens: _Tokens, i: int, index: NameIndex, tagged: set[str], hits: list[NameHit]
) -> None:
    """A never-photograph pupil's first name, or the first name of a pupil in the photos."""
    token = tokens[i]
    candidates = [(token.word, token.start, token.end)]
    if token.compound:
        cuts = sorted({0, *token.bounds, len(token.word)})
        candidates += [
            (token.word[a:b], token.origin[a], token.origin[b - 1] + 1) for a, b in pairwise(cuts)
        ]
    for word, start, end in candidates:
        pupils = index.forenames.get(word)
        if not pupils:
            continue
        lower_word = not token.capital and word in ORDINARY_WORDS
        never = tuple(p for p in pupils if p.never_photograph)
        if never:
            severity: HitSeverity = "block"
            if word in ORDINARY_WORDS and not token.compound:  # a never-named Hope or Will
                severity = _NEVER_SEVERITY[_reading(tokens, i, i + 1, word, index)]
            hits.append(NameHit("never named", severity, start, end, never))
        in_photos = tuple(p for p in pupils if p.id in tagged)
        if in_photos and not lower_word:
            hits.append(NameHit("first name", "confirm", start, end, in_photos))


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
        if not any(b is not hit and b.start <= hit.start and hit.end <= b.end for b in blocks)
    ]
    return sorted(kept, key=lambda h: (h.start, h.end))
