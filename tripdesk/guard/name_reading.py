"""Whether a word that is a pupil's name is used as a name here, read from the words around it.

Surnames that are also ordinary words (Park, Hall, May) are names only when the text uses them
as names; where the guard cannot know (a famous namesake, a title, a fixed phrase, an initial,
a near miss) it asks.
"""

from __future__ import annotations

import re
from typing import Literal

from tripdesk.consent.register import Pupil
from tripdesk.guard import words
from tripdesk.guard.folding import Token, Tokens
from tripdesk.guard.name_hits import HitKind, HitSeverity, NameHit
from tripdesk.guard.name_index import NameIndex
from tripdesk.guard.split import zipf
from tripdesk.guard.words import ORDINARY_WORDS

_JOINERS = frozenset("' -")


def surname_at(tokens: Tokens, i: int, index: NameIndex, hits: list[NameHit]) -> int:
    """Match the longest surname starting at token i; returns how many tokens it used."""
    longest = index.max_parts if tokens[i].word in index.first_parts else 1
    for length in range(min(longest, len(tokens) - i), 0, -1):
        chunk = tokens[i : i + length]
        if any(t.gap not in _JOINERS for t in chunk[1:]):
            continue
        joined = "".join(t.word for t in chunk)
        found = index.surname(joined) or _short_plural(tokens, i, i + length, joined, index)
        if found is None:
            continue
        key, pupils = found
        kind, severity = _judge_surname(tokens, i, i + length, key, pupils, index)
        if severity is not None:
            start, end = chunk[0].start, chunk[-1].end
            if kind == "full name" and forename_before(tokens, i, pupils, index):
                start = tokens[i - 1].start
            if kind == "full name" and _forename_after(tokens, i + length, pupils, index):
                end = tokens[i + length].end
            hits.append(NameHit(kind, severity, start, end, tuple(pupils)))
        return length
    return 1


def _short_plural(
    tokens: Tokens, i: int, j: int, joined: str, index: NameIndex
) -> tuple[str, list[Pupil]] | None:
    """A short surname with an s ("Hannah Lees" for Hannah Lee): alone, too many ordinary words
    end so to read it as the name, but beside the pupil's own first name it is theirs."""
    pupils = index.surnames.get(joined[:-1]) if joined.endswith("s") else None
    if pupils and (
        forename_before(tokens, i, pupils, index) or _forename_after(tokens, j, pupils, index)
    ):
        return joined[:-1], pupils
    return None


def forename_before(tokens: Tokens, i: int, pupils: list[Pupil], index: NameIndex) -> bool:
    if i == 0 or tokens[i].sentence_start or tokens[i].gap.strip(" ,") != "":
        return False
    word = tokens[i - 1].word
    return any(word in index.forename_keys[p.id] for p in pupils)


def _forename_after(tokens: Tokens, j: int, pupils: list[Pupil], index: NameIndex) -> bool:
    if j >= len(tokens) or tokens[j].sentence_start or tokens[j].gap.strip(" ,") != "":
        return False
    word = tokens[j].word
    return any(word in index.forename_keys[p.id] for p in pupils)


def _judge_surname(
    tokens: Tokens, i: int, j: int, key: str, pupils: list[Pupil], index: NameIndex
) -> tuple[HitKind, HitSeverity | None]:
    if forename_before(tokens, i, pupils, index) or _forename_after(tokens, j, pupils, index):
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


def _context(tokens: Tokens, i: int, j: int, index: NameIndex) -> bool:
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


def _reading(tokens: Tokens, i: int, j: int, key: str, index: NameIndex) -> _Reading:
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


def _word_before(tokens: Tokens, i: int) -> Token | None:
    """The word just before, in the same phrase, read past a possessive: "Queen's Park"."""
    if i == 0 or tokens[i].sentence_start or tokens[i].gap.strip() != "":
        return None
    before = tokens[i - 1]
    if before.word == "s" and before.gap == "'" and i >= 2:
        return tokens[i - 2]
    return before


def _word_after(tokens: Tokens, j: int) -> tuple[Token | None, bool]:
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


def _name_follows(tokens: Tokens, j: int, after: Token | None, possessive: bool) -> bool:
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


def _a_date(tokens: Tokens, i: int, j: int) -> bool:
    """A month rather than a name: in May, 3 May, May 2027 (but not "in May's group")."""
    if j < len(tokens) and tokens[j].word == "s" and tokens[j].gap == "'":
        return False
    before = tokens[i - 1] if i > 0 and tokens[i].gap.strip() == "" else None
    after = tokens[j] if j < len(tokens) and tokens[j].gap.strip() in ("", ",") else None
    if before is not None and (before.word in words.DATE_WORDS or _DAY.fullmatch(before.word)):
        return True
    return after is not None and _DAY.fullmatch(after.word) is not None


_DAY = re.compile(r"\d{1,4}(?:st|nd|rd|th)?")


def first_name(
    tokens: Tokens, i: int, index: NameIndex, tagged: set[str], hits: list[NameHit]
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


def after_first_name(tokens: Tokens, i: int, index: NameIndex, hits: list[NameHit]) -> None:
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
