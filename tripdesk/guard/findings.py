"""What every rule shares: the policy's sections, and how a finding is worded and placed.

A finding names the part of the policy that asks for it and points at where in the draft
(text, photo, alt text, poll option) the teacher must look.
"""

from __future__ import annotations

from collections.abc import Iterator

from tripdesk.consent.register import Pupil
from tripdesk.draft import Draft
from tripdesk.verdict import Finding, Severity, Where

PHOTO_CONSENT = "Photo consent"
FIRST_NAMES = "First names only"
MENTIONS = "Mentions"
BROADCAST = "Broadcast only"
HOMEWORK = "Homework"
E_SAFETY = "E-safety"
LIMITS = "X's limits"
ACCESSIBILITY = "Accessibility"


def flag(
    rule: str, severity: Severity, section: str, message: str, where: Where | None = None
) -> Finding:
    """A finding whose message opens with its section, so the teacher sees which rule asks."""
    return Finding(
        rule=rule,
        severity=severity,
        message=f"{section}: {message}",
        section=section,
        where=where or Where(),
    )


def who(pupil: Pupil) -> str:
    """How a pupil is named on screen: first name and id, never the surname."""
    return f"{pupil.display_name} ({pupil.id})"


def fields_of(draft: Draft) -> Iterator[tuple[str, Where]]:
    """Every piece of text that goes out with the post, and where it sits in the draft."""
    yield draft.text, Where("text")
    for i, photo in enumerate(draft.photos):
        yield photo.alt, Where("alt", index=i)
    if draft.poll:
        for i, option in enumerate(draft.poll.options):
            yield option, Where("poll", index=i)


def at(where: Where, start: int, end: int) -> Where:
    """The same field, narrowed to the characters the teacher must change."""
    return Where(where.field, index=where.index, start=start, end=end)


def place_of(where: Where) -> str:
    """Where a piece of text sits, in words; nothing for the post's own text."""
    if where.field == "alt":
        return f" in the alt text of photo {(where.index or 0) + 1}"
    if where.field == "poll":
        return f" in poll option {(where.index or 0) + 1}"
    return ""
