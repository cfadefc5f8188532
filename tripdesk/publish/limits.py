"""Each chosen network's own limits for a post, as findings that name their network.

The guard holds a draft to X's rules (weighted length, photos, alt text, polls) when X is
chosen; this adds what Bluesky and Mastodon allow: Bluesky counts 300 graphemes and has no polls,
Mastodon counts the instance's maximum with every link as 23 and has polls of its own. The
hallway calls `findings` beside the guard's check with the networks the post is written for.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from tripdesk.draft import Draft
from tripdesk.guard.handles import text_for
from tripdesk.verdict import Finding, Where

SECTION = "Each network's limits"
BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
BLUESKY_ALT = 2000
MASTODON_CHARACTERS = 500
MASTODON_URL = 23
MASTODON_ALT = 1500
MASTODON_POLL_OPTION = 50
MASTODON_POLL_OPTIONS = (2, 4)
MASTODON_POLL_MINUTES = (5, 43_200)
MAX_PHOTOS = 4
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_JOINERS = {"\u200d"}


def findings(
    draft: Draft,
    networks: Sequence[str],
    *,
    mastodon_characters: int | None = None,
    partners: tuple[str | tuple[str, ...], ...] = (),
) -> list[Finding]:
    """What stops `draft` going to each chosen network beyond X (whose rules the guard has),
    each judged on its own version of the text (with the partners' handles there)."""
    found: list[Finding] = []
    if "bluesky" in networks:
        found += _bluesky(draft, text_for(draft.text, "bluesky", partners))
    if "mastodon" in networks:
        found += _mastodon(
            draft,
            text_for(draft.text, "mastodon", partners),
            mastodon_characters or MASTODON_CHARACTERS,
        )
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


def _bluesky(draft: Draft, text: str) -> list[Finding]:
    found = []
    length = graphemes(text)
    if length > BLUESKY_GRAPHEMES or len(text.encode()) > BLUESKY_BYTES:
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


def mastodon_length(text: str) -> int:
    """The length Mastodon counts: characters, with every link as 23."""
    return len(_URL.sub("x" * MASTODON_URL, text))


def _mastodon(draft: Draft, text: str, limit: int) -> list[Finding]:
    found = []
    length = mastodon_length(text)
    if length > limit:
        found.append(
            _finding(
                "Mastodon",
                "length",
                f"the text is {length} characters (a link counts 23); the instance takes {limit}.",
            )
        )
    if draft.poll:
        found += _mastodon_poll(draft)
    found += _photos(draft, "Mastodon", MASTODON_ALT)
    return found


def _mastodon_poll(draft: Draft) -> list[Finding]:
    """Mastodon's own poll rules (its defaults; most instances keep them)."""
    assert draft.poll is not None
    found = []
    options = draft.poll.options
    low, high = MASTODON_POLL_OPTIONS
    poll = Where(field="poll")
    if draft.photos:
        found.append(
            _finding("Mastodon", "poll", "a post cannot have a poll and photos both.", poll)
        )
    if not low <= len(options) <= high:
        found.append(_finding("Mastodon", "poll", f"a poll needs {low} to {high} options.", poll))
    if any(not option.strip() for option in options):
        found.append(_finding("Mastodon", "poll", "a poll option is empty.", poll))
    if any(len(option) > MASTODON_POLL_OPTION for option in options):
        found.append(
            _finding(
                "Mastodon",
                "poll",
                f"a poll option is longer than Mastodon's {MASTODON_POLL_OPTION} characters.",
                poll,
            )
        )
    shortest, longest = MASTODON_POLL_MINUTES
    if not shortest <= draft.poll.minutes <= longest:
        found.append(
            _finding(
                "Mastodon",
                "poll",
                f"a poll runs between {shortest} minutes and 30 days ({longest} minutes).",
                poll,
            )
        )
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
