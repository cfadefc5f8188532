"""The e-safety rule: offensive or upsetting words, however they are disguised, and the
school's own blocked words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from tripdesk.config import GuardSettings
from tripdesk.consent.register import Register
from tripdesk.draft import Draft
from tripdesk.guard import words
from tripdesk.guard.findings import E_SAFETY, at, fields_of, flag, place_of
from tripdesk.guard.folding import fold
from tripdesk.guard.name_index import index_for
from tripdesk.guard.split import known
from tripdesk.verdict import Finding, Severity


@cache
def _school_words(blocked: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    return frozenset(
        tuple(re.findall(r"[^\W_]+", fold(word).text)) for word in blocked if word.strip()
    )


@dataclass(frozen=True)
class _Offensive:
    phrases: frozenset[tuple[str, ...]]  # folded word sequences from the maintained list
    first_words: frozenset[str]
    squeezed: frozenset[str]  # single words, to catch `s.h.i.t` and `sh1t`
    longest: int


@cache
def _offensive() -> _Offensive:
    phrases = frozenset(
        tuple(re.findall(r"[^\W_]+", fold(word).text)) for word in words.offensive_words()
    )
    phrases = frozenset(phrase for phrase in phrases if phrase)
    return _Offensive(
        phrases=phrases,
        first_words=frozenset(phrase[0] for phrase in phrases),
        squeezed=frozenset(phrase[0] for phrase in phrases if len(phrase) == 1),
        longest=max(len(phrase) for phrase in phrases),
    )


def upsetting(draft: Draft, register: Register, settings: GuardSettings) -> Iterator[Finding]:
    offensive = _offensive()
    school = _school_words(settings.blocked_words)
    school_first = {phrase[0] for phrase in school}
    longest = max(offensive.longest, *(len(phrase) for phrase in school), 1)
    names = index_for(register).all_names
    asked: set[str] = set()
    for text, where in fields_of(draft):
        folded = fold(text)
        tokens = [
            (m.group(), folded.origin[m.start()], folded.origin[m.end() - 1] + 1)
            for m in _TOKEN.finditer(folded.text)
        ]
        hit_at: set[int] = set()
        for i, (word, start, end) in enumerate(tokens):
            if word in offensive.first_words or word in school_first:
                for size in range(min(longest, len(tokens) - i), 0, -1):
                    chunk = tokens[i : i + size]
                    phrase = tuple(t[0] for t in chunk)
                    listed = phrase in school
                    if listed or (phrase in offensive.phrases and names.isdisjoint(phrase)):
                        hit_at.add(start)
                        if not listed and _innocent_at(tokens, i):
                            break
                        typed = f"“{text[start : chunk[-1][2]]}”{place_of(where)}"
                        if not listed and size == 1 and word in words.AMBIGUOUS:
                            severity: Severity = "confirm"
                            message = (
                                f"{typed} can read as rude; confirm it is meant innocently "
                                "here, or take it out."
                            )
                        else:
                            severity = "block"
                            message = f"{typed} is offensive or upsetting; take it out."
                        yield flag(
                            "upsetting",
                            severity,
                            E_SAFETY,
                            message,
                            at(where, start, chunk[-1][2]),
                        )
                        break
            if start not in hit_at and word in words.DISTRESSING and word not in asked:
                asked.add(word)
                yield flag(
                    "upsetting",
                    "confirm",
                    E_SAFETY,
                    f"“{text[start:end]}”{place_of(where)} may upset a parent reading the "
                    "feed; confirm the post is kind and calm.",
                    at(where, start, end),
                )
        for match in _CHUNK.finditer(text):
            chunk_text = match.group().strip(".,;:?!'\"()[]")
            if not any(c.isalpha() for c in chunk_text) or match.start() in hit_at:
                continue
            if _POSSESSIVE.fullmatch(chunk_text) or len(chunk_text) > _LONGEST_RUDE:
                continue  # "the blue tit's nest": the word itself was judged above
            severity = _masked_rude(chunk_text, offensive)
            if severity is not None:
                quoted = f"“{match.group()}”{place_of(where)}"
                yield flag(
                    "upsetting",
                    severity,
                    E_SAFETY,
                    f"{quoted} is offensive or upsetting; take it out."
                    if severity == "block"
                    else f"{quoted} may be a rude word with letters hidden; confirm it is "
                    "not, or take it out.",
                    at(where, match.start(), match.end()),
                )


_LONGEST_RUDE = 40
_MASKS = "*#"
_RUN = re.compile(r"([a-z])\1+")


def _masked_rude(chunk: str, offensive: _Offensive) -> Severity | None:
    """A rude word in disguise: digits or signs for letters (sh1t, $hit), letters apart
    (s.h.i.t), stars, hashes or dots for letters (f*ck, f#ck, f.ck), or letters stretched
    (shiiiit)."""
    if chunk.isalpha():
        return _stretched(chunk.lower() if chunk.isascii() else fold(chunk).text, offensive)
    core = fold(chunk.translate(words.LEET)).text
    letters = "".join(c for c in core if c.isalpha())
    if not chunk.isalpha() and letters in offensive.squeezed:
        return "block"
    hidden = [c for i, c in enumerate(core) if c in _MASKS and i and core[i - 1].isalpha()]
    dotted = core.count(".") + core.count("-")
    masked = hidden or (dotted <= 2 and re.search(r"[a-z][.\-][a-z]", core))
    if masked and letters and len(letters) <= _LONGEST_MASKED and core[0].isalpha():
        pattern = "".join(
            "[a-z]" if c in _MASKS else "[a-z]?" if c in ".-" else re.escape(c)
            for c in core
            if c.isalpha() or c in _MASKS or c in ".-"
        )
        fits = re.compile(pattern)
        if any(fits.fullmatch(word) for word in _rude_by_first(offensive).get(core[0], ())):
            if len(letters) >= 2:
                return "block"
            return "confirm" if hidden else None
    return _stretched(letters, offensive)


_LONGEST_MASKED = 12


@cache
def _rude_by_first(offensive: _Offensive) -> dict[str, tuple[str, ...]]:
    """The maintained list's single words by first letter: a masked word keeps its first."""
    found: dict[str, list[str]] = {}
    for word in offensive.squeezed:
        if len(word) >= 3:
            found.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in found.items()}


def _stretched(letters: str, offensive: _Offensive) -> Severity | None:
    """Letters held down to slip past a filter: "shiiiit", "fuuuck"."""
    stretched = _RUN.search(letters)
    if (
        stretched
        and len(set(letters)) > 1
        and (re.search(r"([a-z])\1\1", letters) or not known(letters))
    ):
        once = _RUN.sub(r"\1", letters)
        twice = _RUN.sub(r"\1\1", letters)
        if once != letters and (once in offensive.squeezed or twice in offensive.squeezed):
            return "block"
    return None


_TOKEN = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"[^\W\d_]+['’]s")


@cache
def _innocent_phrases() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Each word of an innocent phrase, with the phrases it sits in and where."""
    found: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for phrase in words.INNOCENT_PHRASES:
        for offset, word in enumerate(phrase):
            found.setdefault(word, []).append((phrase, offset))
    return {word: tuple(places) for word, places in found.items()}


def _innocent_at(tokens: list[tuple[str, int, int]], i: int) -> bool:
    """Whether the word at i is part of an innocent phrase: "blue tit", "sperm whale"."""
    for phrase, offset in _innocent_phrases().get(tokens[i][0], ()):
        first = i - offset
        if first >= 0 and tuple(t[0] for t in tokens[first : first + len(phrase)]) == phrase:
            return True
    return False


_CHUNK = re.compile(r"\S+")
