"""Telling the listener what happened, once per news: every part of the ingestor reports here.

Events are handed on from whichever thread made them, one at a time; a listener's own failure
never stops the pooling. A failure or skip of the same file for the same reason is told once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from tripdesk.pool.events import Damaged, Duplicate, Failed, Pooled, PoolEvent, Skipped
from tripdesk.pool.transfer import SourceState

log = logging.getLogger(__name__)


class Reporter:
    def __init__(self, on_event: Callable[[PoolEvent], None]) -> None:
        self._on_event = on_event
        self._lock = threading.RLock()
        self._skipped: dict[Path, SourceState] = {}
        self._failed: dict[Path, str] = {}
        self._collected: list[PoolEvent] | None = None

    def collect(self) -> None:
        """Keep a copy of every event from now on (for a summary) until `collected`."""
        with self._lock:
            self._collected = []

    def collected(self) -> list[PoolEvent]:
        with self._lock:
            events, self._collected = self._collected or [], None
        return events

    def report(self, event: PoolEvent) -> None:
        with self._lock:
            if isinstance(event, Pooled | Duplicate | Damaged):
                self._failed.pop(event.source, None)  # a later failure is news again
            if self._collected is not None:
                self._collected.append(event)
            try:
                self._on_event(event)
            except Exception as error:  # a listener's bug must not stop the pooling
                log.error("a pool event listener raised %s", type(error).__name__)

    def skip(self, path: Path, state: SourceState, reason: str) -> None:
        with self._lock:
            self._skipped[path] = state
            self.report(Skipped(path, reason))

    def skipped_as(self, path: Path) -> SourceState | None:
        """The state a skipped file had when it was skipped: unchanged, it is not news."""
        with self._lock:
            return self._skipped.get(path)

    def fail(self, path: Path, reason: str) -> None:
        """Report a failure once; the same failure of the same file is not repeated."""
        with self._lock:
            if self._failed.get(path) != reason:
                self._failed[path] = reason
                self.report(Failed(path, reason))

    def failing(self, path: Path) -> bool:
        with self._lock:
            return path in self._failed

    def recovered(self, path: Path) -> None:
        with self._lock:
            self._failed.pop(path, None)
