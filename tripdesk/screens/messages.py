"""The messages that cross screens: what the background services and the Tag screen report.

The app's threads only turn a report into one of these with `post_message` (thread-safe, never
blocking); the screen that shows the thing reacts on the event loop. Kept here, not in `app.py`,
so a screen can name them without importing the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tripdesk.pool.catalogue import PoolPhoto
    from tripdesk.pool.events import PoolEvent
    from tripdesk.publish.worker import OutboxStatus


@dataclass
class PoolChanged(Message):
    """The ingestor reported a step for one inbox file."""

    event: PoolEvent


@dataclass
class OutboxChanged(Message):
    """The outbox worker's state changed (online, paused, counts)."""

    status: OutboxStatus


@dataclass
class PhotosChanged(Message):
    """Photos were tagged or declared, or blurred copies made: show them as they now are."""

    photos: list[PoolPhoto]
