"""What the ingestor tells its listener, one typed event per step a teacher may care about.

Events are delivered by callback on the ingestor's threads, one at a time; a listener in the
TUI should hand them on (e.g. with `post_message`) and return quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tripdesk.pool.catalogue import PoolPhoto


@dataclass(frozen=True)
class PoolEvent:
    """Something happened to the inbox file at `source`."""

    source: Path


@dataclass(frozen=True)
class Arrived(PoolEvent):
    """A new file was noticed; it is pooled once it has stopped changing."""


@dataclass(frozen=True)
class Copying(PoolEvent):
    """The verified copy into the pool has begun."""


@dataclass(frozen=True)
class Pooled(PoolEvent):
    photo: PoolPhoto


@dataclass(frozen=True)
class MaybeIncomplete(Pooled):
    """Pooled, but its format says it may not be whole yet; the original is always kept."""

    reason: str


@dataclass(frozen=True)
class Duplicate(PoolEvent):
    """The same bytes are already in the pool; `photo` is the copy that is there."""

    photo: PoolPhoto


@dataclass(frozen=True)
class Damaged(PoolEvent):
    """Kept in the pool's quarantine; its source is never deleted automatically."""

    photo: PoolPhoto
    reason: str


@dataclass(frozen=True)
class AwaitingDeletion(PoolEvent):
    """Safely pooled; the original waits for the teacher to confirm its deletion."""

    photo: PoolPhoto


@dataclass(frozen=True)
class Deleted(PoolEvent):
    """The original was checked once more, deleted, and proven gone."""

    photo: PoolPhoto


@dataclass(frozen=True)
class Skipped(PoolEvent):
    """Not a photo or video: left where it is, reported once."""

    reason: str


@dataclass(frozen=True)
class Failed(PoolEvent):
    """One clear sentence; the source is untouched and will be tried again."""

    reason: str
