"""Each chosen network's own limits for a post, as findings that name their network.

The guard already holds a draft to X's rules (weighted length, photos, alt text, polls); this
adds what Bluesky and Mastodon allow: Bluesky counts 300 graphemes and has no polls, Mastodon
counts the instance's maximum with every link as 23. The hallway calls `findings` beside the
guard's check with the networks the settings choose.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from tripdesk.draft import Draft
from tripdesk.verdict import Finding, Where

SECTION = "Each network's limits"
BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
BLUESKY_ALT = 2000
MASTODON_CHARACTERS = 500
MASTODON_URL = 23
MASTODON_ALT = 1500
MASTODON_POLL_OPTION = 50
MAX_PHOTOS = 4
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_JOINERS = {"\u200d"}


def findings(
    draft: Draft, networks: Sequence[str], *, mastodon_characters: int | None = None
) -> list[Finding]:
    """What stops `draft` going to each chosen network beyond X (whose rules the guard has)."""
    found: list[Finding] = []
    if "bluesky" in networks:
        found += _bluesky(draft)
    if "mastodon" in networks:
        found += _mastodon(draft, mastodon_characters or MASTODON_CHARACTERS)
    return found


def mastodon_characters(cache: Path, base: str) -> int | None:
    """The instance's own maximum, once the Mastodon backend has read and cached it."""
    try:
        kept = json.loads((cache / "mastodon-instance.json").read_text("utf-8"))
        return int(kept[base.rstrip("/")]["max_characters"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def graphemes(text: str) -> int:
    """User-perceived characters, as Bluesky counts them: a letter with its accents, an emoji
    with its skin tone or joined family, a flag's two letters, each count once."""
    count = 0
    previous = ""
    flag_half = False
    for char in unicodedata.normalize("NFC", text):
        code = ord(char)
        regional = 0x1F1E6 <= code <= 0x1F1FF
        joins = (
            unicodedata.combining(char)
            or char in _JOINERS
            or previous in _JOINERS
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
            or (regional and flag_half)
        )
        if not joins:
            count += 1
        flag_half = regional and not flag_half
        previous = char
    return count


def _finding(network: str, rule: str, message: str, where: Where | None = None) -> Finding:
    return Finding(
        rule=rule,
        severity="block",
        message=f"{SECTION}: {network}: {message}",
        section=SECTION,
        where=where or Where(field="text"),
    )


def _bluesky(draft: Draft) -> list[Finding]:
    found = []
    length = graphemes(draft.text)
    if length > BLUESKY_GRAPHEMES or len(draft.text.encode()) > BLUESKY_BYTES:
        found.append(
            _finding(
                "Bluesky",
                "length",
                f"the text is {length} characters; Bluesky takes {BLUESKY_GRAPHEMES}.",
            )
        )
    if draft.poll:
        found.append(
            _finding(
                "Bluesky",
                "poll",
                "Bluesky has no polls; take the poll out, or leave Bluesky out of this post.",
                Where(field="poll"),
            )
        )
    found += _photos(draft, "Bluesky", BLUESKY_ALT)
    return found


def _mastodon(draft: Draft, limit: int) -> list[Finding]:
    found = []
    length = len(_URL.sub("x" * MASTODON_URL, draft.text))
    if length > limit:
        found.append(
            _finding(
                "Mastodon",
                "length",
                f"the text is {length} characters (a link counts 23); the instance takes {limit}.",
            )
        )
    if draft.poll and any(len(option) > MASTODON_POLL_OPTION for option in draft.poll.options):
        found.append(
            _finding(
                "Mastodon",
                "poll",
                f"a poll option is longer than Mastodon's {MASTODON_POLL_OPTION} characters.",
                Where(field="poll"),
            )
        )
    found += _photos(draft, "Mastodon", MASTODON_ALT)
    return found


def _photos(draft: Draft, network: str, alt_limit: int) -> list[Finding]:
    found = []
    if len(draft.photos) > MAX_PHOTOS:
        found.append(
            _finding(network, "photos", f"{network} takes at most {MAX_PHOTOS} photos a post.")
        )
    for number, photo in enumerate(draft.photos, start=1):
        if len(photo.alt) > alt_limit:
            found.append(
                _finding(
                    network,
                    "alt-text",
                    f"the alt text of photo {number} is longer than {network}'s {alt_limit} "
                    "characters.",
                    Where(field="alt", index=number - 1),
                )
            )
    return found
