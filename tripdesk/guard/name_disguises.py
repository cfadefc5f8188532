"""Names hidden inside words: glued into a hashtag, a handle or a web address, spelt with
digits or signs, pulled apart letter by letter, or broken by a hyphen or a line break."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import product

from tripdesk.consent.register import Pupil
from tripdesk.guard import words
from tripdesk.guard.folding import Token, Tokens
from tripdesk.guard.name_hits import HitKind, HitSeverity, NameHit
from tripdesk.guard.name_index import MIN_BURIED, NameIndex
from tripdesk.guard.name_reading import forename_before
from tripdesk.guard.split import LONGEST_SPLIT, known
from tripdesk.guard.words import ORDINARY_WORDS

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


def inside(token: Token, index: NameIndex, tagged: set[str], hits: list[NameHit]) -> None:
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


def last_letter_a_sign(token: Token, sign: str, index: NameIndex, hits: list[NameHit]) -> None:
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


def _glued_word(token: Token, index: NameIndex, hits: list[NameHit]) -> None:
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
    token: Token, spelt: str, index: NameIndex, tagged: set[str], hits: list[NameHit]
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
    token: Token,
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
        found = index.surname(piece) or _short_plural(piece, before, after, index)
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
                severity = "block" if len(key) >= MIN_BURIED or aligned else "confirm"
            elif never or disguised:
                severity = "block" if aligned else "confirm"
            elif aligned and (a == 0 or before in words.CHEERS):
                severity = "confirm"  # "#ParkLife", "#TeamPark"; not "#MuseumDay"
            if severity is not None:
                hits.append(NameHit(kind, severity, start, end, tuple(pupils)))
        _first_name_piece(piece, start, end, aligned, index, tagged, hits)


def _short_plural(
    piece: str, before: str, after: str, index: NameIndex
) -> tuple[str, list[Pupil]] | None:
    """A short surname with an s glued to the pupil's own first name: "#HannahLees"."""
    pupils = index.surnames.get(piece[:-1]) if piece.endswith("s") else None
    if pupils and any(
        before in index.forename_keys[p.id] or after in index.forename_keys[p.id] for p in pupils
    ):
        return piece[:-1], pupils
    return None


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


def _search_long(token: Token, index: NameIndex, hits: list[NameHit]) -> None:
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


# Between letters pulled apart: a space, a dot, a hyphen, a star, a slash and the like.
_APART = re.compile(r"[\s.\-_*/|~+:·•,]{1,3}")


def pulled_apart(tokens: Tokens, index: NameIndex, tagged: set[str], hits: list[NameHit]) -> None:
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
            joined = Token(
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


def broken(tokens: Tokens, index: NameIndex, hits: list[NameHit]) -> None:
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
            if forename_before(tokens, i, pupils, index):
                hits.append(
                    NameHit("full name", "block", tokens[i - 1].start, run[-1].end, tuple(pupils))
                )
            else:
                hits.append(NameHit("surname", "block", run[0].start, run[-1].end, tuple(pupils)))
