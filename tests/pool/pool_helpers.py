"""Helpers shared by the pool tests: recording events, making small distinct photos."""

from __future__ import annotations

import hashlib
import threading
from io import BytesIO
from pathlib import Path

from PIL import Image

from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.pool.events import PoolEvent
from tripdesk.pool.ingest import Ingestor


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


def make_ingestor(config: Config, on_event=lambda event: None) -> Ingestor:
    """An Ingestor on the trip's database, migrated once, as the commands make one."""
    open_database(config.database).close()
    return Ingestor(config, on_event, connect=lambda: open_database(config.database))


def mp4_bytes(*, with_moov: bool = True, mdat: bytes = b"\0" * 64) -> bytes:
    """A tiny ISO-BMFF movie: ftyp, mdat and (unless told not to) a movie header box."""
    import struct

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    movie = box(b"ftyp", b"isom\0\0\0\x01isommp42") + box(b"mdat", mdat)
    return movie + (box(b"moov", box(b"mvhd", bytes(100))) if with_moov else b"")


def motion_photo(seed: int, *, trailer: bytes | None = None) -> bytes:
    """A JPEG whose XMP announces a motion-photo video of `len(trailer)` bytes after its end."""
    video = mp4_bytes() if trailer is None else trailer
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
        '02/22-rdf-syntax-ns#"><rdf:Description xmlns:GCamera="http://ns.google.com/photos/1.0/'
        f'camera/" GCamera:MotionPhoto="1" GCamera:MicroVideoOffset="{len(mp4_bytes())}"/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()
    image = Image.frombytes("RGB", (64, 48), hashlib.shake_256(str(seed).encode()).digest(9216))
    out = BytesIO()
    image.save(out, "JPEG", quality=90, xmp=xmp)
    return out.getvalue() + video
