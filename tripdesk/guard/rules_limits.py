"""Rules about what a post needs anywhere (some text, alt text for each photo) and what X
itself takes: its length, photos, polls and the length of alt text."""

from __future__ import annotations

from collections.abc import Iterator

from tripdesk.draft import Draft
from tripdesk.guard.count import MAX_WEIGHTED_LENGTH, overflow_at
from tripdesk.guard.findings import ACCESSIBILITY, LIMITS, flag
from tripdesk.verdict import Finding, Where

MAX_PHOTOS = 4
# A stray keystroke in the alt field ("y" meant for a dialog) must not pass as a description.
MIN_ALT = 5
MAX_ALT = 1000
POLL_OPTIONS = (2, 4)
POLL_OPTION_LENGTH = 25
POLL_MINUTES = (5, 10080)


def empty(draft: Draft) -> Iterator[Finding]:
    if not draft.text.strip():
        yield flag("empty", "block", LIMITS, "the post has no text; write what the post is about.")


def length(text: str, length: int, *, spans: bool = True) -> Iterator[Finding]:
    """X's weighted length of X's version of the text; `spans` is False when that version
    differs from the draft (a partner's handle swapped), so no place in the draft is pointed at."""
    if length > MAX_WEIGHTED_LENGTH:
        start = overflow_at(text) if spans else None
        where = Where("text", start=start, end=len(text)) if start is not None else Where("text")
        yield flag(
            "length",
            "block",
            LIMITS,
            f"the post is {length}/{MAX_WEIGHTED_LENGTH} as X counts it; cut "
            f"{length - MAX_WEIGHTED_LENGTH}.",
            where,
        )


def photos(draft: Draft) -> Iterator[Finding]:
    if len(draft.photos) > MAX_PHOTOS:
        yield flag(
            "photos",
            "block",
            LIMITS,
            f"the post has {len(draft.photos)} photos; X takes at most {MAX_PHOTOS}, so remove "
            f"{len(draft.photos) - MAX_PHOTOS}.",
            Where("photo", index=MAX_PHOTOS),
        )


def poll(draft: Draft) -> Iterator[Finding]:
    poll = draft.poll
    if poll is None:
        return
    if draft.photos:
        yield flag(
            "poll",
            "block",
            LIMITS,
            "X does not allow a poll and photos in one post; remove one of them.",
            Where("poll"),
        )
    low, high = POLL_OPTIONS
    if not low <= len(poll.options) <= high:
        yield flag(
            "poll",
            "block",
            LIMITS,
            f"the poll has {len(poll.options)} option{'s' if len(poll.options) != 1 else ''}; "
            f"X needs {low} to {high}, so add or remove options.",
            Where("poll"),
        )
    for i, option in enumerate(poll.options):
        if not option.strip():
            yield flag(
                "poll",
                "block",
                LIMITS,
                f"poll option {i + 1} is empty; fill it in or remove it.",
                Where("poll", index=i),
            )
        elif len(option) > POLL_OPTION_LENGTH:
            yield flag(
                "poll",
                "block",
                LIMITS,
                f"poll option {i + 1} has {len(option)} characters; X allows "
                f"{POLL_OPTION_LENGTH}, so cut {len(option) - POLL_OPTION_LENGTH}.",
                Where("poll", index=i, start=POLL_OPTION_LENGTH, end=len(option)),
            )
    low, high = POLL_MINUTES
    if not low <= poll.minutes <= high:
        yield flag(
            "poll",
            "block",
            LIMITS,
            f"the poll runs {poll.minutes} minute{'s' if poll.minutes != 1 else ''}; set it "
            f"between {low} minutes and 7 days "
            f"({high} minutes), as X requires.",
            Where("poll"),
        )


def alt_text(draft: Draft) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        if not photo.alt.strip():
            yield flag(
                "alt-text",
                "block",
                ACCESSIBILITY,
                f"photo {i + 1} has no alt text; describe it for people who cannot see it.",
                Where("alt", index=i),
            )
        elif len(photo.alt.strip()) < MIN_ALT:
            yield flag(
                "alt-text",
                "confirm",
                ACCESSIBILITY,
                f"the alt text of photo {i + 1} is only “{photo.alt.strip()}”; describe what the "
                "photo shows in a few words, or confirm it says enough.",
                Where("alt", index=i, start=0, end=len(photo.alt)),
            )


def x_alt_text(draft: Draft) -> Iterator[Finding]:
    for i, photo in enumerate(draft.photos):
        if len(photo.alt) > MAX_ALT:
            yield flag(
                "alt-text",
                "block",
                ACCESSIBILITY,
                f"the alt text of photo {i + 1} has {len(photo.alt)} characters; X allows "
                f"{MAX_ALT}, so cut {len(photo.alt) - MAX_ALT}.",
                Where("alt", index=i, start=MAX_ALT, end=len(photo.alt)),
            )
