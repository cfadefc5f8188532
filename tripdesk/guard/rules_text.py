"""Rules about what the words of a post do: characters that hide, mentions, replies,
advertising and homework."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache

from tripdesk.config import NETWORK_NAMES, GuardSettings
from tripdesk.draft import Draft
from tripdesk.guard import handles, words
from tripdesk.guard.count import extract_hashtags, reply_handle
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


def partner_spans(text: str, settings: GuardSettings) -> list[tuple[int, int]]:
    """Where the trip's partners are mentioned: a name in their handle is theirs, not a pupil's."""
    if not settings.partners:
        return []
    return [
        (m.start, m.end)
        for m in handles.handles_in(text)
        if handles.partner_of(m.handle, settings.partners)
    ]


_HANDLE = re.compile(r"[@＠]([^\s#,!?:;()'\"“”’]+)")


def _look_alike_partners(text: str, partners: frozenset[str]) -> list[tuple[int, int, str]]:
    """Handles that read as a partner's but are typed with another script's look-alike letters:
    a different account that hopes to pass for the partner's."""
    if text.isascii():
        return []
    found = []
    for match in _HANDLE.finditer(text):
        typed = match.group(1).rstrip(".")
        if typed.isascii():
            continue
        plain = "@".join(fold(part).text for part in re.split("[@＠]", typed))
        if plain in partners:
            found.append((match.start(), match.start() + 1 + len(typed), plain))
    return found


def mentions(text: str, settings: GuardSettings, networks: Sequence[str]) -> Iterator[Finding]:
    """Only partners are mentioned, on every chosen network: a partner's handle written for one
    network becomes their handle on each other network that has one; where they have none, the
    handle goes as written, and that network may read it as someone else."""
    fakes = _look_alike_partners(text, handles.all_handles(settings.partners))
    for start, end, _ in fakes:
        yield flag(
            "mentions",
            "block",
            MENTIONS,
            f"“{text[start:end]}” looks like one of this trip's partners but is typed with "
            "look-alike letters, so it is another account; retype the handle.",
            Where("text", start=start, end=end),
        )
    for mention in handles.handles_in(text):
        if any(a <= mention.start < b for a, b, _ in fakes):
            continue
        where = Where("text", start=mention.start, end=mention.end)
        partner = handles.partner_of(mention.handle, settings.partners)
        if partner is None:
            yield flag(
                "mentions",
                "block",
                MENTIONS,
                f"@{mention.handle} is not one of this trip's partners; mention only the "
                "educational partners in the settings, or take it out.",
                where,
            )
            continue
        plain = []
        for network in networks:
            if partner.on(network) is not None:
                continue
            read = handles.mentions_on(text[mention.start : mention.end], network)
            name = NETWORK_NAMES[network]
            if read:
                yield flag(
                    "mentions",
                    "block",
                    MENTIONS,
                    f"on {name}, “@{mention.handle}” would mention whichever account is "
                    f"@{read[0].handle} there, not the partner; add the partner's {name} handle "
                    f"to the partners in the settings, or leave {name} out of this post.",
                    where,
                )
            else:
                plain.append(network)
        if plain:
            on = handles.names_of(plain)
            yield flag(
                "mentions",
                "confirm",
                MENTIONS,
                f"on {on}, “@{mention.handle}” is plain text, not a link to the partner; add "
                f"their {on} handle to the partners in the settings, or confirm it may go "
                "as it is.",
                where,
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
