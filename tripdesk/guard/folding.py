"""The typed text with its character-level disguises undone, and cut into words.

Styled or look-alike letters, accents, signs for letters and hidden characters are folded
away, while each folded character remembers where it was typed, so a finding points at the
exact span the teacher typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tripdesk.guard.letters import fold_char, invisible

_SENTENCE_END = frozenset(".!?\n:;")


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


@dataclass(frozen=True)
class Token:
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


Tokens = tuple[Token, ...]
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=256)
def tokenise(typed: str) -> Tokens:
    folded = fold(typed)
    tokens: list[Token] = []
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
            Token(
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
