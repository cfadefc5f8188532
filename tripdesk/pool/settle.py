"""Deciding that an inbox file is complete: closed after writing, or unchanged long enough.

Every path the watcher or a rescan reports is noted with its state; a file is ready once the
observer saw it closed after writing, or once it has not changed for `settle_seconds` (by its
change time, which a sync client cannot set back the way it sets the modification time). An
empty file may be a sync client's placeholder, so it always waits the full interval.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from tripdesk.pool.events import Arrived
from tripdesk.pool.inbox import Inbox
from tripdesk.pool.reporting import Reporter
from tripdesk.pool.sniff import is_temporary
from tripdesk.pool.transfer import SourceState


@dataclass
class _Pending:
    """An inbox file seen but not yet taken: its last state and since when it has held."""

    state: SourceState
    since: float
    changed: float  # its change time (ctime), on the wall clock
    closed: bool = False

    def restart(self, st: os.stat_result, now: float, *, closed: bool) -> None:
        """It changed: it must hold still again from now."""
        self.state, self.since, self.changed, self.closed = (
            SourceState.of(st),
            now,
            st.st_ctime,
            closed,
        )


class Settler:
    """The files still settling. `pooled_already(path, state)` says whether that very file is
    catalogued with its original waiting: it is then taken again only when `retry_pooled`
    (deletion is automatic, and its deletion may still be due)."""

    def __init__(
        self,
        inbox: Inbox,
        settle_seconds: float,
        reporter: Reporter,
        pooled_already: Callable[[Path, SourceState], bool],
        *,
        retry_pooled: bool,
    ) -> None:
        self.inbox = inbox
        self.settle_seconds = settle_seconds
        self.reporter = reporter
        self._pooled_already = pooled_already
        self._retry_pooled = retry_pooled
        self._pending: dict[Path, _Pending] = {}

    def __bool__(self) -> bool:
        return bool(self._pending)

    def notice(self, path: Path, *, closed: bool) -> None:
        """Take note of a path the observer or a rescan reported."""
        try:
            parts = self.inbox.parts(path)
        except OSError:
            return
        if any(is_temporary(part) for part in parts):
            return
        try:
            st = self.inbox.lstat(path)
        except OSError:
            self._pending.pop(path, None)
            return
        if stat.S_ISDIR(st.st_mode):
            with suppress(OSError):
                for inner in self.inbox.walk(path):
                    self.notice(inner, closed=False)
            return
        state = SourceState.of(st)
        if self.reporter.skipped_as(path) == state:
            return
        if not stat.S_ISREG(st.st_mode):
            what = "a link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
            self.reporter.skip(path, state, f"It is {what}; tripdesk leaves it where it is.")
            return
        entry = self._pending.get(path)
        now = time.monotonic()
        if entry is None:
            if self._pooled_already(path, state):
                if not self._retry_pooled:
                    return  # pooled already; its original waits for the teacher, or is kept
            elif not self.reporter.failing(path):
                self.reporter.report(Arrived(path))
            self._pending[path] = _Pending(state, now, st.st_ctime, closed)
        elif entry.state != state:
            entry.restart(st, now, closed=closed)
        elif closed:
            entry.closed = True

    def ready(self, stopping: Callable[[], bool]) -> list[Path]:
        """The files complete now, in the order they were noticed; they are no longer pending."""
        ready: list[Path] = []
        for path in list(self._pending):
            if stopping():
                break
            entry = self._pending[path]
            try:
                st = self.inbox.lstat(path)
            except OSError:
                del self._pending[path]
                continue
            state = SourceState.of(st)
            now = time.monotonic()
            if state != entry.state or not stat.S_ISREG(st.st_mode):
                entry.restart(st, now, closed=False)
                continue
            if self._complete(entry, now):
                del self._pending[path]
                ready.append(path)
        return ready

    def again(self, path: Path) -> None:
        """A file that changed while it was copied settles once more."""
        try:
            st = self.inbox.lstat(path)
        except OSError:
            return
        self._pending[path] = _Pending(SourceState.of(st), time.monotonic(), st.st_ctime)

    def _complete(self, entry: _Pending, now: float) -> bool:
        settle = self.settle_seconds
        if now - entry.since >= settle:
            return True
        if entry.state.size == 0:
            return False
        return entry.closed or settle <= time.time() - entry.changed
