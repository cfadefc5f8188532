"""Rules about what the words of a post do: characters that hide, mentions, replies,
advertising and homework."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from tripdesk.config import GuardSettings
from tripdesk.draft import Draft
from tripdesk.guard import words
from tripdesk.guard.count import extract_hashtags, extract_mentions, reply_handle
from tripdesk.guard.findings import (
    BROADCAST,
    HOMEWORK,
    LIMITS,
    MENTIONS,
    at,
    fields_of,
    flag,
    place_of,
)
from tripdesk.guard.folding import fold
from tripdesk.guard.letters import BLANKS
from tripdesk.verdict import Finding, Where

_SURROGATE = re.compile("[\ud800-\udfff]")


def broken(draft: Draft) -> Iterator[Finding]:
    """Bytes that are not text (a bad paste, a mis-encoded file) that X would refuse or mangle."""
    for text, where in fields_of(draft):
        match = _SURROGATE.search(text)
        if match:
            yield flag(
                "broken-text",
                "block",
                LIMITS,
                f"there is a broken character at position {match.start() + 1}{place_of(where)}; "
                "retype the text around it.",
                at(where, match.start(), match.end()),
            )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Joiners and direction marks that belong inside emoji and right-to-left words, never in Latin.
_JOINING = frozenset("\u200c\u200d\u200e\u200f\u061c")
_TAGS = range(0xE0020, 0xE0080)  # the letters of a flag like Scotland's or Wales's


def _hidden_at(text: str) -> Iterator[int]:
    """Where a character is that shows nothing (zero-width, direction overrides, escapes)."""
    pattern = _CONTROL if text.isascii() else _hidden_pattern()
    for match in pattern.finditer(text):
        i = match.start()
        if unicodedata.category(text[i]) != "Cf" or not _belongs(text, i):
            yield i


@cache
def _hidden_pattern() -> re.Pattern[str]:
    """Every control, format and blank character Unicode has, as one character class."""
    hidden = [
        chr(code)
        for block in (range(0x30000), range(0xE0000, 0xE1000))
        for code in block
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in "\t\n\r"
    ]
    return re.compile("[" + re.escape("".join(sorted({*hidden, *BLANKS}))) + "]")


def _belongs(text: str, i: int) -> bool:
    char = text[i]
    if ord(char) in _TAGS:
        return i > 0 and (ord(text[i - 1]) in _TAGS or text[i - 1] == "🏴")
    if char not in _JOINING:
        return False
    around = (text[i - 1] if i > 0 else " ", text[i + 1] if i + 1 < len(text) else " ")
    return not any(c.isalnum() and ord(c) < 0x250 for c in around)


def hidden(draft: Draft) -> Iterator[Finding]:
    """Hidden characters block: they can carry a name past every eye, and X may mangle them."""
    for text, where in fields_of(draft):
        shown = 0
        previous = -2
        for i in _hidden_at(text):
            if i == previous + 1:
                previous = i
                continue
            previous = i
            shown += 1
            if shown > 3:
                break
            name = unicodedata.name(text[i], f"U+{ord(text[i]):04X}").lower()
            yield flag(
                "hidden-characters",
                "block",
                LIMITS,
                f"there is a hidden character ({name}) at position {i + 1}{place_of(where)}; "
                "delete it and retype the text around it.",
                at(where, i, i + 1),
            )


@cache
def _partners_of(partners: tuple[str, ...]) -> frozenset[str]:
    return frozenset(handle.strip().lstrip("@＠").casefold() for handle in partners)


def _partners(settings: GuardSettings) -> frozenset[str]:
    return _partners_of(settings.partners)


def partner_spans(text: str, settings: GuardSettings) -> list[tuple[int, int]]:
    """Where the trip's partners are mentioned: a name in their handle is theirs, not a pupil's."""
    partners = _partners(settings)
    return [(m.start, m.end) for m in extract_mentions(text) if m.text.casefold() in partners]


_HANDLE = re.compile(r"[@＠]([^\s@＠#.,!?:;()'\"“”’]+)")


def _look_alike_partners(text: str, partners: frozenset[str]) -> list[tuple[int, int, str]]:
    """Handles that read as a partner's but are typed with another script's look-alike letters:
    a different account that hopes to pass for the partner's."""
    if text.isascii():
        return []
    found = []
    for match in _HANDLE.finditer(text):
        typed = match.group(1)
        if typed.isascii():
            continue
        plain = fold(typed).text
        if plain in partners:
            found.append((match.start(), match.end(), plain))
    return found


def mentions(text: str, settings: GuardSettings) -> Iterator[Finding]:
    partners = _partners(settings)
    fakes = _look_alike_partners(text, partners)
    for start, end, _ in fakes:
        yield flag(
            "mentions",
            "block",
            MENTIONS,
            f"“{text[start:end]}” looks like one of this trip's partners but is typed with "
            "look-alike letters, so it is another account; retype the handle.",
            Where("text", start=start, end=end),
        )
    for mention in extract_mentions(text):
        if any(a <= mention.start < b for a, b, _ in fakes):
            continue
        if mention.text.casefold() not in partners:
            yield flag(
                "mentions",
                "block",
                MENTIONS,
                f"@{mention.text} is not one of this trip's partners; mention only the "
                "educational partners in the settings, or take it out.",
                Where("text", start=mention.start, end=mention.end),
            )


def _pattern(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w#])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


_ADVERTISING = _pattern(words.ADVERTISING)
_HOMEWORK = _pattern(words.HOMEWORK)


def advertising(text: str) -> Iterator[Finding]:
    tags = [tag for tag in extract_hashtags(text) if tag.text.casefold() in words.ADVERTISING_TAGS]
    match = _ADVERTISING.search(_plain_apostrophes(text))
    spans = [(tag.start, tag.end) for tag in tags]
    if match:
        spans.append(match.span())
    if spans:
        start, end = min(spans)
        yield flag(
            "advertising",
            "confirm",
            MENTIONS,
            f"“{text[start:end]}” sounds like advertising; the account never endorses or sells, "
            "so confirm this is not an endorsement.",
            Where("text", start=start, end=end),
        )


def broadcast(draft: Draft) -> Iterator[Finding]:
    reply = reply_handle(draft.text)
    if reply is not None:
        yield flag(
            "broadcast-only",
            "block",
            BROADCAST,
            f"the post starts with @{reply.text}, which X treats as a reply; the account only "
            "broadcasts, so start with a word.",
            Where("text", start=reply.start, end=reply.end),
        )
    if draft.in_reply_to:
        yield flag(
            "broadcast-only",
            "block",
            BROADCAST,
            f"the draft answers post {draft.in_reply_to}, and tripdesk never replies; remove "
            "in_reply_to and post it on its own.",
            Where("draft"),
        )


def _plain_apostrophes(text: str) -> str:
    """Curly apostrophes as straight ones, keeping every index where it was."""
    return text.replace("’", "'").replace("‘", "'")


def homework(text: str, settings: GuardSettings) -> Iterator[Finding]:
    match = _HOMEWORK.search(_plain_apostrophes(text))
    if match:
        yield flag(
            "homework",
            "confirm",
            HOMEWORK,
            f"“{text[match.start() : match.end()]}” reads like a task; confirm it is also set on "
            f"{settings.homework_platform}.",
            Where("text", start=match.start(), end=match.end()),
        )
