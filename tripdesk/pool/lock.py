"""One tripdesk at a time pools a trip's inbox: two at once would copy the same files and each
report the other's work wrongly. The lock is the operating system's (`flock`), so it goes
away with the process, even one that was killed."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from tripdesk import private

LOCK_NAME = "ingest.lock"


class IngestLock:
    """Held for one pass of work at a time, so a watching app and a `--once` run take turns."""

    def __init__(self, home: Path) -> None:
        self.path = home / LOCK_NAME
        self._fd: int | None = None
        self._guard = threading.Lock()

    def acquire(self, *, wait: bool) -> bool:
        """True once held; without `wait`, False at once when another process holds it."""
        with self._guard:
            if self._fd is None:
                private.make_folder(self.path.parent)
                self._fd = os.open(
                    self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, private.FILE_MODE
                )
            fd = self._fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        with self._guard:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._guard:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
