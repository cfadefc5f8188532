"""Splitting glued words (#teamkhan, amirakhan2026, a web address's path) into words and names.

A surname glued to ordinary words is found because the likeliest reading of the token, by the
word frequencies of the `wordfreq` package plus the register's names, has the surname as one of
its words; an ordinary compound ("#challenge", "parkinglot") is left alone because reading it
as its own word, or as other words, is likelier than reading a surname into it.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import cache

MAX_WORD = 24  # no English word or name in a hashtag is longer
LONGEST_SPLIT = 64  # longer tokens are no hashtag: they are searched for names directly
_NAME_COST = 4.0  # a register name reads as likely as a fairly common word
_UNKNOWN = 10.0  # a letter that belongs to no word
_DIGITS = 1.0  # a run of digits: a year, a class, a count


@cache
def _frequencies() -> dict[str, float]:
    """English word frequencies, shipped inside the wordfreq wheel (no download)."""
    import wordfreq

    return wordfreq.get_frequency_dict("en", wordlist="large")


def zipf(word: str) -> float:
    """How common a word is: 0 for unknown, about 3 for rare words, 7 for "the"."""
    frequency = _frequencies().get(word)
    return math.log10(frequency) + 9 if frequency else 0.0


@cache
def _common() -> frozenset[str]:
    return frozenset(word for word, frequency in _frequencies().items() if frequency >= 1e-6)


def known(word: str) -> bool:
    """A real English word (zipf 3 or more), common enough not to be a glued pair of others."""
    return word in _common()


def _cost(piece: str, names: Collection[str]) -> float | None:
    size = len(piece)
    if size == 1:
        return 9 - zipf(piece) if piece in ("a", "i") else None
    common = zipf(piece)
    if piece in names or (size > 3 and piece.endswith("s") and piece[:-1] in names):
        return min(9 - common, _NAME_COST) if common else _NAME_COST
    if size == 2:
        return 9 - common if common >= 5 else None
    return 9 - common if common >= 2 else None


def split(word: str, names: Collection[str]) -> tuple[tuple[int, int], ...]:
    """The likeliest reading of a glued token as words and names: (start, end) of each piece.

    Letters no word explains stay single pieces; digits stay together.
    """
    size = len(word)
    best = [math.inf] * (size + 1)
    back = [0] * (size + 1)
    best[0] = 0.0
    for i in range(size):
        here = best[i]
        if here == math.inf:
            continue
        if word[i].isdigit():
            j = i + 1
            while j < size and word[j].isdigit():
                j += 1
            if here + _DIGITS < best[j]:
                best[j], back[j] = here + _DIGITS, i
            continue
        if here + _UNKNOWN < best[i + 1]:
            best[i + 1], back[i + 1] = here + _UNKNOWN, i
        for j in range(i + 2, min(size, i + MAX_WORD) + 1):
            cost = _cost(word[i:j], names)
            if cost is not None and here + cost < best[j]:
                best[j], back[j] = here + cost, i
        cost = _cost(word[i], names)
        if cost is not None and here + cost < best[i + 1]:
            best[i + 1], back[i + 1] = here + cost, i
    pieces: list[tuple[int, int]] = []
    end = size
    while end > 0:
        start = back[end]
        pieces.append((start, end))
        end = start
    return tuple(reversed(pieces))
