"""The demo trip: a throwaway home with a made-up register, and photos that arrive by themselves.

Everything lives in a folder the caller throws away; publishing is dry-run, so nothing can be
posted from the demo however it is driven.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from importlib.resources import as_file, files
from pathlib import Path

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.consent.store import import_register
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError

TRIP = {"name": "Year 6 Natural History Museum (demo)", "hashtag": "#Y6Museum"}
PARTNERS = ["@NHM_London"]


def demo_file(*parts: str) -> Path:
    """A file of the demo material shipped in the package."""
    with as_file(files("tripdesk.assets").joinpath("demo", *parts)) as path:
        return Path(path)


def demo_photos() -> list[Path]:
    return sorted(demo_file("photos").glob("IMG_*"))


def build(home: Path) -> Config:
    """Set up a demo trip in `home`: settings, dry-run publishing, register and roster."""
    settings.load(home)
    settings.update(home, "trip", TRIP)
    settings.update(home, "guard", {"partners": PARTNERS})
    settings.update(home, "publish", {"backend": "dry-run"})
    settings.update(home, "ingest", {"settle_seconds": 0.5, "delete_source": "ask"})
    config = settings.update(home, "preview", {"mode": "auto"})
    conn = open_database(config.database)
    try:
        import_register(conn, config, demo_file("register.csv"), demo_file("roster.csv"))
    finally:
        conn.close()
    return config


class Feeder:
    """Drops photos into the inbox one at a time, the way a phone's sync folder fills up.

    Each is written under a hidden temporary name and renamed into place, so the watcher only
    ever sees complete files, as with a real sync client.
    """

    def __init__(
        self, photos: Sequence[Path], inbox: Path, *, first_after: float = 1.5, every: float = 1.5
    ) -> None:
        self.photos = list(photos)
        self.inbox = inbox
        self.first_after = first_after
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feeder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = self.first_after
        for photo in self.photos:
            if self._stop.wait(delay):
                return
            delay = self.every
            self.drop(photo)

    def drop(self, photo: Path) -> Path:
        """Copy one photo in under a hidden name, then give it its real name."""
        target = self.inbox / photo.name
        partial = self.inbox / f".{photo.name}.part"
        try:
            self.inbox.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(photo, partial)
            os.replace(partial, target)
        except OSError as error:
            raise TripdeskError(
                f"Cannot put the demo photo {photo.name} in {self.inbox}: {error.strerror}."
            ) from None
        return target
