"""Finding pupils' names in a draft however they are typed.

A surname can reach a post in many disguises: another case, a possessive, accents typed or left
out, styled or look-alike letters (folded by Unicode's own data, in `letters`), hidden
characters, digits and signs for letters, letters pulled apart, a name broken by a hyphen or a
line break, or glued into a hashtag, a handle or a web address (split by word frequencies, in
`split`). `fold` undoes the character-level disguises while remembering where each character
came from, so a finding points at the exact span the teacher typed. Surnames that are also
ordinary words (Park, Hall, May) are names only when the text uses them as names; where the
guard cannot know (a famous namesake, a title, a fixed phrase, an initial, a near miss) it asks.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product
from typing import Literal

from tripdesk.consent.register import Pupil, Register
from tripdesk.guard import words
from tripdesk.guard.letters import fold_char, invisible
from tripdesk.guard.split import LONGEST_SPLIT, known, split, zipf
from tripdesk.guard.words import ORDINARY_WORDS

_SENTENCE_END = frozenset(".!?\n:;")
_JOINERS = frozenset("' -")
_MIN_BURIED = 3  # shorter names are not looked for inside longer words

HitKind = Literal[
    "full name", "surname", "first name", "never named", "context", "initial", "near miss"
]
HitSeverity = Literal["block", "confirm"]


@dataclass(frozen=True)
class Folded:
    """Folded text; `origin[i]` is the index in the typed text of folded character i."""

    text: str
    origin: tuple[int, ...]
    upper: tuple[bool, ...]
    disguised: tuple[bool, ...]  # a look-alike from another script, or a sign for a letter


# Signs typed for letters inside a word (Kh@n, Jone$, K!ng), read as the letters they stand for.
_SIGNS = {"$": "s", "@": "a", "!": "i", "|": "l", "€": "e"}
_SIGN = re.compile(
    r"(?<=[^\W_])[$@!|€]+(?=[^\W_])|(?<![\w@#$|])[$|][$@!|€]*(?=[^\W_])"
    r"|(?<=[^\W_])[$@!|€]*[$|](?![^\W_])"
)
# Two regional indicators alone make a country's flag; longer runs spell words.
_INDICATOR = "[\U0001f1e6-\U0001f1ff]"
_FLAG = re.compile(f"(?<!{_INDICATOR}){_INDICATOR}{{2}}(?!{_INDICATOR})")


@lru_cache(maxsize=256)
def fold(text: str) -> Folded:
    """Cached: on each keystroke the alt texts and poll options are the same as last time."""
    out: list[str] = []
    origin: list[int] = []
    upper: list[bool] = []
    disguised: list[bool] = []
    if text.isascii():
        plain = text.lower().replace("`", "'")
        size = len(text)
        if not _SIGN.search(plain):
            return Folded(plain, tuple(range(size)), tuple(map(str.isupper, text)), (False,) * size)
        out, upper = list(plain), [c.isupper() for c in text]
        origin, disguised = list(range(size)), [False] * size
    else:
        chars = [fold_char(char) for char in text]
        for match in _FLAG.finditer(text):
            for i in range(match.start(), match.end()):
                chars[i] = (text[i], False, False)
        for index, (plain, is_upper, look_alike) in enumerate(chars):
            if len(plain) == 1:
                out.append(plain)
                origin.append(index)
                upper.append(is_upper)
                disguised.append(look_alike)
            elif not plain:
                if disguised and invisible(text[index]):
                    disguised[-1] = True  # a hidden character inside a word is a disguise too
            else:
                out.extend(plain)
                origin.extend([index] * len(plain))
                upper.extend([is_upper] * len(plain))
                disguised.extend([look_alike] * len(plain))
    for match in _SIGN.finditer("".join(out)):
        for at in range(match.start(), match.end()):
            out[at] = _SIGNS[out[at]]
            disguised[at] = True
    return Folded("".join(out), tuple(origin), tuple(upper), tuple(disguised))


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
    compound: bool  # a hashtag, a handle, CamelCase or glued to digits: names may be inside
    bounds: frozenset[int]  # CamelCase boundaries inside `word`
    origin: tuple[int, ...]  # where each letter of `word` is in the typed text
    disguised: bool  # look-alike letters, signs for letters, or hidden characters inside


_Tokens = tuple[_Token, ...]
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=256)
def _tokens(typed: str) -> _Tokens:
    folded = fold(typed)
    tokens: list[_Token] = []
    previous_end = 0
    text, upper, origin = folded.text, folded.upper, folded.origin
    plain = not any(folded.disguised)
    for match in _WORD.finditer(text):
        a, b = match.span()
        gap = text[previous_end:a]
        previous_end = b
        word = match.group()
        bounds: frozenset[int] = frozenset()
        if any(upper[a + 1 : b]):
            bounds = frozenset(
                i - a
                for i in range(a + 1, b)
                if upper[i] and not upper[i - 1] and text[i].isalpha()
            )
        start, end = origin[a], origin[b - 1] + 1
        digits = not word.isalpha() and not word.isdigit()
        tokens.append(
            _Token(
                word=word,
                start=start,
                end=end,
                capital=upper[a],
                shouting=b - a > 1 and all(upper[a:b]),
                sentence_start=not tokens or not _SENTENCE_END.isdisjoint(gap),
                gap=gap,
                compound=gap.endswith(("#", "@", "＃", "＠")) or bool(bounds) or digits,
                bounds=bounds,
                origin=origin[a:b],
                disguised=not plain and any(folded.disguised[a : b + 1]),
            )
        )
    return tuple(tokens)


class NameIndex:
    """A register's names, folded once: built on first use and kept while the register lives."""

    def __init__(self, register: Register) -> None:
        self.surnames: dict[str, list[Pupil]] = {}
        self.forenames: dict[str, list[Pupil]] = {}
        self.forename_keys: dict[str, frozenset[str]] = {}
        self.surname_key: dict[str, str] = {}
        self.max_parts = 1
        self.first_parts: set[str] = set()  # first words of surnames written in several
        for pupil in register.pupils:
            parts = _parts(pupil.surname)
            if parts:
                self.surname_key[pupil.id] = "".join(parts)
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
        self.all_names = frozenset(self.surnames) | frozenset(self.forenames)
        self.lengths = sorted({len(key) for key in self.surnames if len(key) >= 4})
        self.lengths_set = frozenset(self.lengths)
        self.endings = frozenset(key[-3:] for key in self.surnames)
        self.prefixes = frozenset(key[:2] for key in self.surnames if len(key) >= 4)
        never_first = [
            key
            for key, pupils in self.forenames.items()
            if len(key) >= 4 and any(p.never_photograph for p in pupils)
        ]
        self.broken_prefixes = self.prefixes | {key[:2] for key in never_first}
        self.broken_lengths = self.lengths_set | {len(key) for key in never_first}
        self.splits: dict[str, tuple[tuple[int, int], ...]] = {}

    def split(self, word: str) -> tuple[tuple[int, int], ...]:
        """Cached: the same hashtags and handles come back on every keystroke."""
        pieces = self.splits.get(word)
        if pieces is None:
            if len(self.splits) > 4096:
                self.splits.clear()
            pieces = self.splits[word] = split(word, self.all_names)
        return pieces

    def surname(self, key: str) -> tuple[str, list[Pupil]] | None:
        """The pupils with this surname, read past a plural or a possessive without apostrophe."""
        pupils = self.surnames.get(key)
        if pupils:
            return key, pupils
        if key.endswith("s") and len(key) > _MIN_BURIED + 1:
            pupils = self.surnames.get(key[:-1])
            if pupils:
                return key[:-1], pupils
        return None


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
    spans = tuple(skip)
    tokens = tuple(
        token for token in _tokens(text) if not any(a <= token.start < b for a, b in spans)
    )
    tagged_ids = {pupil.id for pupil in tagged}
    hits: list[NameHit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        used = _surname_at(tokens, i, index, hits)
        _inside(token, index, tagged_ids, hits)
        _last_letter_a_sign(token, text[token.end : token.end + 1], index, hits)
        _first_name(tokens, i, index, tagged_ids, hits)
        _after_first_name(tokens, i, index, hits)
        i += used
    _pulled_apart(tokens, index, tagged_ids, hits)
    _broken(tokens, index, hits)
    return _strongest(hits)


def _surname_at(tokens: _Tokens, i: int, index: NameIndex, hits: list[NameHit]) -> int:
    """Match the longest surname starting at token i; returns how many tokens it used."""
    longest = index.max_parts if tokens[i].word in index.first_parts else 1
    for length in range(min(longest, len(tokens) - i), 0, -1):
        chunk = tokens[i : i + length]
        if any(t.gap not in _JOINERS for t in chunk[1:]):
            continue
        found = index.surname("".join(t.word for t in chunk))
        if found is None:
            continue
        key, pupils = found
        kind, severity = _judge_surname(tokens, i, i + length, key, pupils, index)
        if severity is not None:
            start, end = chunk[0].start, chunk[-1].end
            if kind == "full name" and _forename_before(tokens, i, pupils, index):
                start = tokens[i - 1].start
            if kind == "full name" and _forename_after(tokens, i + length, pupils, index):
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
    disguised = any(t.disguised for t in tokens[i:j])
    if key in index.forenames and not disguised:
        # Another pupil's first name ("James" for James Okafor and for Ella James): read as
        # the first name it also is, unless the surname's own pupil must never be named.
        return kind, "confirm" if never else None
    if key not in ORDINARY_WORDS and not tokens[i].capital and zipf(key) >= _EVERYDAY_ZIPF:
        return kind, "confirm" if never else None  # "we read", "three miles" in lower case
    if key not in ORDINARY_WORDS:
        if not never and not disguised and _context(tokens, i, j, index):
            return "context", "confirm"
        return kind, "block"
    reading = _reading(tokens, i, j, key, index)
    if disguised:  # a look-alike letter or a hidden character: typed so as not to be seen
        return kind, "confirm" if reading == "word" else "block"
    return kind, (_NEVER_SEVERITY if never else _SEVERITY)[reading]


def _context(tokens: _Tokens, i: int, j: int, index: NameIndex) -> bool:
    """Whether the surname sits where the guard cannot know whose it is: beside a first name
    that is no pupil's ("Roald Dahl"), after a title ("Mr Khan"), or in a fixed phrase ("Khan
    Academy", "Bunsen burner"); the teacher knows, so the guard asks."""
    first = tokens[i]
    if first.shouting:
        return False
    before = _word_before(tokens, i)
    if before is not None and not before.shouting:
        if before.word in words.TITLES:
            return True
        if (
            before.capital
            and before.word not in index.forenames
            and before.word not in words.NOT_FIRST_NAMES
            and not before.word.isdigit()
            and (not before.sentence_start or zipf(before.word) < _OPENER_ZIPF)
        ):
            return True
    after, possessive = _word_after(tokens, j)
    if after is None or after.shouting:
        return False
    if after.word in words.EPONYM_HEADS:
        return True
    return (
        not possessive
        and after.capital
        and after.word not in index.forenames
        and after.word not in words.NOT_FIRST_NAMES
        and after.word not in words.NAME_FOLLOWERS
    )


_OPENER_ZIPF = 5.6  # at a sentence start, a word this common is no first name ("Then Khan")
_EVERYDAY_ZIPF = 4.95  # in lower case, a word this common is the word (read, miles, weeks)


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
# Digits typed for letters in a name: 1 may be an i or an l, so both are tried.
_LEET = str.maketrans("034578", "oeastb")


def _spellings(word: str) -> list[str]:
    """The word with digits read as letters; each 1 as an i or an l (every mix, for a few)."""
    spelt = word.translate(_LEET)
    ones = spelt.count("1")
    mixes = list(product("il", repeat=ones)) if ones <= 3 else [("i",) * ones, ("l",) * ones]
    found = []
    for mix in mixes:
        letters = iter(mix)
        candidate = "".join(next(letters) if c == "1" else c for c in spelt)
        if candidate.isalpha():
            found.append(candidate)
    return found


def _inside(token: _Token, index: NameIndex, tagged: set[str], hits: list[NameHit]) -> None:
    """Names inside one token: glued into a hashtag, a handle, a web address or to digits, or
    spelt with digits for letters (Kh4n, #teamkh4n)."""
    word = token.word
    if len(word) > LONGEST_SPLIT:
        _search_long(token, index, hits)
        return
    if not word.isalpha() and sum(c.isalpha() for c in word) >= 2:
        for spelt in _spellings(word):
            _spelt_with_digits(token, spelt, index, tagged, hits)
    if word in index.all_names or (len(word) < 5 and not token.compound):
        return
    if not token.compound and known(word):
        _glued_word(token, index, hits)
        return
    _pieces(token, word, index.split(word), index, tagged, hits, token.disguised)


def _last_letter_a_sign(token: _Token, sign: str, index: NameIndex, hits: list[NameHit]) -> None:
    """A name whose last letter is typed as a sign ("W1sn13wsk!", "O'Nei|"): the sign is read
    as the letter when that makes a pupil's surname, and never otherwise ("Khan!" stays)."""
    letter = {"!": "i", "|": "l", "1": "i"}.get(sign)
    if letter is None or len(token.word) < 3:
        return
    for spelt in _spellings(token.word + letter):
        found = index.surname(spelt)
        if found is not None and found[0] not in ORDINARY_WORDS:
            end = token.end + 1
            hits.append(NameHit("surname", "block", token.start, end, tuple(found[1])))
            return


def _glued_word(token: _Token, index: NameIndex, hits: list[NameHit]) -> None:
    """A real word that is also one pupil's first name and surname run together ("willpower"
    for Will Power): asked about, since the guard cannot tell."""
    word = token.word
    if word[-3:] not in index.endings and word[-4:-1] not in index.endings:
        return
    for a in range(2, len(word) - 1):
        named = index.forenames.get(word[:a])
        found = index.surname(word[a:]) if named else None
        if found is not None:
            ids = {p.id for p in named or ()}
            pupils = tuple(p for p in found[1] if p.id in ids)
            if pupils:
                hits.append(NameHit("full name", "confirm", token.start, token.end, pupils))
                return


def _spelt_with_digits(
    token: _Token, spelt: str, index: NameIndex, tagged: set[str], hits: list[NameHit]
) -> None:
    if len(spelt) > LONGEST_SPLIT:
        _search_long(replace(token, word=spelt), index, hits)
        return
    found = index.surname(spelt)
    if found is not None:
        key, pupils = found
        never = any(p.never_photograph for p in pupils)
        ordinary = key in ORDINARY_WORDS and not token.capital and not never
        hits.append(
            NameHit(
                "never named" if never else "surname",
                "confirm" if ordinary else "block",
                token.start,
                token.end,
                tuple(pupils),
            )
        )
    never_named = tuple(p for p in index.forenames.get(spelt, ()) if p.never_photograph)
    if never_named:
        hits.append(NameHit("never named", "block", token.start, token.end, never_named))
    _pieces(token, spelt, index.split(spelt), index, tagged, hits, True)


def _pieces(
    token: _Token,
    word: str,
    pieces: tuple[tuple[int, int], ...],
    index: NameIndex,
    tagged: set[str],
    hits: list[NameHit],
    disguised: bool,
) -> None:
    """Judge each name the glued token was split into, by what stands beside it."""
    texts = [word[a:b] for a, b in pieces]
    for k, (a, b) in enumerate(pieces):
        piece = texts[k]
        if len(piece) < 2 or (a == 0 and b == len(word)):
            continue
        before = texts[k - 1] if k > 0 else ""
        after = texts[k + 1] if k + 1 < len(pieces) else ""
        aligned = (a == 0 or a in token.bounds) and (b == len(word) or b in token.bounds)
        start, end = token.origin[a], token.origin[b - 1] + 1
        found = index.surname(piece)
        if found is not None:
            key, pupils = found
            whole = [p for p in pupils if before in index.forename_keys[p.id]]
            if whole:
                first = token.origin[pieces[k - 1][0]]
                hits.append(NameHit("full name", "block", first, end, tuple(whole)))
                continue
            whole = [p for p in pupils if after in index.forename_keys[p.id]]
            if whole:
                last = token.origin[pieces[k + 1][1] - 1] + 1
                hits.append(NameHit("full name", "block", start, last, tuple(whole)))
                continue
            never = any(p.never_photograph for p in pupils)
            kind: HitKind = "never named" if never else "surname"
            severity: HitSeverity | None = None
            if key not in ORDINARY_WORDS:
                severity = "block" if len(key) >= _MIN_BURIED or aligned else "confirm"
            elif never or disguised:
                severity = "block" if aligned else "confirm"
            elif aligned and (a == 0 or before in words.CHEERS):
                severity = "confirm"  # "#ParkLife", "#TeamPark"; not "#MuseumDay"
            if severity is not None:
                hits.append(NameHit(kind, severity, start, end, tuple(pupils)))
        _first_name_piece(piece, start, end, aligned, index, tagged, hits)


def _first_name_piece(
    piece: str,
    start: int,
    end: int,
    aligned: bool,
    index: NameIndex,
    tagged: set[str],
    hits: list[NameHit],
) -> None:
    pupils = index.forenames.get(piece)
    if not pupils:
        return
    never = tuple(p for p in pupils if p.never_photograph)
    if never:
        ordinary = piece in ORDINARY_WORDS and not aligned
        hits.append(NameHit("never named", "confirm" if ordinary else "block", start, end, never))
    in_photos = tuple(p for p in pupils if p.id in tagged)
    if in_photos and (aligned or piece not in ORDINARY_WORDS):
        hits.append(NameHit("first name", "confirm", start, end, in_photos))


def _search_long(token: _Token, index: NameIndex, hits: list[NameHit]) -> None:
    """A token too long to be a hashtag: look for the register's longer surnames in it, in one
    pass over its letters (only where two letters begin some surname)."""
    word, prefixes, lengths = token.word, index.prefixes, index.lengths
    for a in range(len(word) - 1):
        if word[a : a + 2] not in prefixes:
            continue
        for size in lengths:
            key = word[a : a + size]
            pupils = index.surnames.get(key)
            if pupils and key not in ORDINARY_WORDS:
                end = token.origin[a + size - 1] + 1
                hits.append(NameHit("surname", "block", token.origin[a], end, tuple(pupils)))


def _first_name(
    tokens: _Tokens, i: int, index: NameIndex, tagged: set[str], hits: list[NameHit]
) -> None:
    """A never-photograph pupil's first name, or the first name of a pupil in the photos."""
    token = tokens[i]
    pupils = index.forenames.get(token.word)
    if not pupils:
        return
    word = token.word
    lower_word = not token.capital and word in ORDINARY_WORDS
    never = tuple(p for p in pupils if p.never_photograph)
    if never:
        severity: HitSeverity = "block"
        if word in ORDINARY_WORDS and not token.compound and not token.disguised:
            severity = _NEVER_SEVERITY[_reading(tokens, i, i + 1, word, index)]
        hits.append(NameHit("never named", severity, token.start, token.end, never))
    in_photos = tuple(p for p in pupils if p.id in tagged)
    if in_photos and not lower_word:
        hits.append(NameHit("first name", "confirm", token.start, token.end, in_photos))


def _after_first_name(tokens: _Tokens, i: int, index: NameIndex, hits: list[NameHit]) -> None:
    """After a pupil's first name: a surname initial that tells two pupils of that name apart
    ("Jack B."), or a near miss of that pupil's surname ("Amira Kahn"). Both ask."""
    token = tokens[i]
    pupils = index.forenames.get(token.word)
    if not pupils or not token.capital or i + 1 >= len(tokens):
        return
    nxt = tokens[i + 1]
    if nxt.sentence_start or nxt.gap.strip() != "" or not nxt.capital:
        return
    if len(nxt.word) == 1 and nxt.word.isalpha():
        initials = {p.id: index.surname_key.get(p.id, "")[:1] for p in pupils}
        same = tuple(p for p in pupils if initials[p.id] == nxt.word)
        if same and len(same) < len(pupils):
            hits.append(NameHit("initial", "confirm", token.start, nxt.end, same))
        return
    if len(nxt.word) < 3 or nxt.word in index.surnames or nxt.word in index.forenames:
        return
    close = tuple(
        p
        for p in pupils
        if len(index.surname_key.get(p.id, "")) >= 4 and _near(nxt.word, index.surname_key[p.id])
    )
    if close:
        hits.append(NameHit("near miss", "confirm", token.start, nxt.end, close))


def _near(typed: str, surname: str) -> bool:
    """One slip of the keyboard away (two for a long surname): a letter changed, added, lost or
    two swapped."""
    limit = 1 if len(surname) < 7 else 2
    if typed == surname or abs(len(typed) - len(surname)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(surname) + 1))
    for x, a in enumerate(typed, 1):
        row = [x] + [0] * len(surname)
        for y, b in enumerate(surname, 1):
            row[y] = min(previous[y] + 1, row[y - 1] + 1, previous[y - 1] + (a != b))
            if x > 1 and y > 1 and a == surname[y - 2] and typed[x - 2] == b:
                row[y] = min(row[y], previous2[y - 2] + 1)
        if min(row) > limit:
            return False
        previous2, previous = previous, row
    return previous[-1] <= limit


# Between letters pulled apart: a space, a dot, a hyphen, a star, a slash and the like.
_APART = re.compile(r"[\s.\-_*/|~+:·•,]{1,3}")


def _pulled_apart(tokens: _Tokens, index: NameIndex, tagged: set[str], hits: list[NameHit]) -> None:
    """Letters typed one by one with separators between them: "K h a n", "K.H.A.N"."""
    i = 0
    while i < len(tokens):
        j = i
        while (
            j < len(tokens)
            and len(tokens[j].word) == 1
            and tokens[j].word.isalpha()
            and (j == i or _APART.fullmatch(tokens[j].gap))
        ):
            j += 1
        if j - i >= 3:
            run = tokens[i:j]
            word = "".join(t.word for t in run)
            joined = _Token(
                word=word,
                start=run[0].start,
                end=run[-1].end,
                capital=run[0].capital,
                shouting=False,
                sentence_start=run[0].sentence_start,
                gap=run[0].gap,
                compound=True,
                bounds=frozenset(),
                origin=tuple(t.start for t in run),
                disguised=True,
            )
            _spelt_with_digits(joined, word, index, tagged, hits)
        i = max(j, i + 1)


# A name broken inside: a hyphen, a line break (a soft hyphen is already gone when folded).
_BREAK = re.compile(r"-|-?\r?\n|\s?-\s?|\.")


def _broken(tokens: _Tokens, index: NameIndex, hits: list[NameHit]) -> None:
    """A name broken into pieces ("Kh-an", "Oka\\nfor", "Pat el"): pieces joined by a hyphen or
    a line break, or spaced pieces that are not all real words, make a pupil's surname or a
    never-photograph pupil's first name."""
    for i in range(len(tokens) - 1):
        if tokens[i].word[:2] not in index.broken_prefixes:
            continue
        for size in (2, 3):
            run = tokens[i : i + size]
            if len(run) < size or any(len(t.word) == 1 for t in run):
                break
            if sum(len(t.word) for t in run) not in index.broken_lengths:
                continue
            gaps = [t.gap for t in run[1:]]
            spaced = any(not _BREAK.fullmatch(gap) for gap in gaps)
            if spaced and any(gap != " " and not _BREAK.fullmatch(gap) for gap in gaps):
                break
            if spaced and all(len(t.word) >= 3 and known(t.word) for t in run):
                continue  # two real words side by side ("new man"), not a name broken up
            joined = "".join(t.word for t in run)
            never = tuple(p for p in index.forenames.get(joined, ()) if p.never_photograph)
            if never and not index.forenames.get(run[0].word):
                hits.append(NameHit("never named", "block", run[0].start, run[-1].end, never))
            found = index.surname(joined)
            if found is None:
                continue
            key, pupils = found
            if key in ORDINARY_WORDS or len(key) < 4 or index.surname(run[0].word):
                continue
            if _forename_before(tokens, i, pupils, index):
                hits.append(
                    NameHit("full name", "block", tokens[i - 1].start, run[-1].end, tuple(pupils))
                )
            else:
                hits.append(NameHit("surname", "block", run[0].start, run[-1].end, tuple(pupils)))


_KIND_ORDER: dict[str, int] = {
    "full name": 0,
    "never named": 1,
    "surname": 2,
    "first name": 3,
    "context": 4,
    "initial": 5,
    "near miss": 6,
}


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
