"""Only one process sends at a time: an exclusive lock on a file, which the OS drops when the
process dies, so a killed sender never leaves the outbox locked and recovery is safe."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class SendLock:
    """`with SendLock(path) as locked:`; `locked` is False when another process holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+b")
        try:
            _lock(self.handle)
        except OSError:
            self.handle.close()
            self.handle = None
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            _unlock(self.handle)
            self.handle.close()
            self.handle = None


if os.name == "nt":  # pragma: no cover - the school laptops may run Windows
    import msvcrt

    def _lock(handle: Any) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: Any) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
