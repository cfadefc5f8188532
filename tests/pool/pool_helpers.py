"""Helpers shared by the pool tests: recording events, making small distinct photos."""

from __future__ import annotations

import hashlib
import threading
from io import BytesIO
from pathlib import Path

from PIL import Image

from tripdesk.pool.events import PoolEvent


class EventLog:
    """Collects events from the worker thread; `wait_for` polls for one, up to a timeout."""

    def __init__(self) -> None:
        self.events: list[PoolEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: PoolEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type, source: Path | None = None) -> list:
        with self._changed:
            return [
                e
                for e in self.events
                if isinstance(e, kind) and (source is None or e.source == source)
            ]

    def wait_for(self, kind: type, source: Path | None = None, timeout: float = 10.0):
        with self._changed:
            found = self._changed.wait_for(lambda: self.of(kind, source), timeout)
        assert found, f"no {kind.__name__} event for {source} within {timeout} s: {self.events}"
        return found[0]


def jpeg_bytes(seed: int, *, taken: str | None = None, size: tuple[int, int] = (96, 64)) -> bytes:
    """A small JPEG whose pixels depend on `seed`, with an EXIF DateTimeOriginal if given."""
    image = Image.frombytes(
        "RGB", size, hashlib.shake_256(str(seed).encode()).digest(size[0] * size[1] * 3)
    )
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
