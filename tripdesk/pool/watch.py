"""Watching the inbox folder: the observer, and following the folder when it goes and returns.

The observer only hands paths to a queue; the ingestor's worker decides what to do with them.
inotify sees local changes only, so network shares and FUSE mounts (a phone over MTP) get the
polling observer. An inbox that disappears (a phone unplugged, the default folder deleted) is
watched again when it is back: the default inbox is made again at once. The observer tells
when the watched folder itself was deleted, since a new folder can get the old one's inode.
"""

from __future__ import annotations

import os
import queue
import re
import stat
from contextlib import suppress
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.pool.reporting import Reporter
from tripdesk.pool.transfer import FOLDER_MODE

# Filesystems whose changes inotify cannot see: network shares and FUSE mounts (phones over MTP).
_REMOTE_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "davfs"}
LOST = "\0the inbox folder itself was deleted"

Arrival = tuple[str, bool]  # a path, and whether it was closed after writing


class InboxWatcher:
    """Keeps an observer on the inbox folder as it is now; paths arrive in `arrivals`."""

    def __init__(self, config: Config, reporter: Reporter) -> None:
        self.config = config
        self.inbox = config.trip.inbox
        self.pool = config.trip.pool
        self.reporter = reporter
        self.arrivals: queue.SimpleQueue[Arrival] = queue.SimpleQueue()
        self._observer: BaseObserver | None = None
        self._watch: ObservedWatch | None = None
        self.watched: tuple[int, int] | None = None

    def start(self) -> None:
        mode = self.config.ingest.watch
        if mode == "polling" or (mode == "auto" and _needs_polling(self.inbox)):
            self._observer = PollingObserver(timeout=min(1.0, self.config.ingest.settle_seconds))
        else:
            self._observer = Observer()
        try:
            self.follow()
        except TripdeskError:
            self._observer = None
            raise
        self._observer.start()

    def stop(self, timeout: float) -> None:
        self.arrivals.put(("", False))
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None
        self._watch = None
        self.watched = None

    def wait(self, timeout: float) -> list[Arrival]:
        """Paths the observer reported, waiting up to `timeout` for the first one. When the
        folder itself was deleted, it is followed afresh on the next `follow`."""
        try:
            items = [self.arrivals.get(timeout=timeout)]
        except queue.Empty:
            return []
        with suppress(queue.Empty):
            while True:
                items.append(self.arrivals.get_nowait())
        if any(path == LOST for path, _ in items):
            self.watched = None
        return [item for item in items if item[0] and item[0] != LOST]

    def follow(self) -> bool:
        """Keep the observer on the inbox as it is now; True when it was (re)scheduled."""
        identity = self.prepare(strict=False)
        if identity == self.watched:
            return False
        if self._watch is not None and self._observer is not None:
            with suppress(KeyError):
                self._observer.unschedule(self._watch)
            self._watch = None
        self.watched = identity
        if identity is None or self._observer is None:
            return False
        try:
            self._watch = self._observer.schedule(
                _Handler(self.arrivals, self.inbox), str(self.inbox), recursive=True
            )
        except OSError as error:  # e.g. the system's limit of inotify watches
            self.reporter.fail(
                self.inbox,
                f"Cannot watch the inbox ({error.strerror}); it is looked through every "
                f"{self.config.ingest.rescan_seconds:g} seconds instead.",
            )
        return True

    def prepare(self, *, strict: bool) -> tuple[int, int] | None:
        """The inbox's identity, creating the default one; a missing one raises or is reported."""
        if self.inbox == self.config.home / "inbox":
            with suppress(OSError):
                self.inbox.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        try:
            st = os.stat(self.inbox)
        except OSError:
            st = None
        if st is None or not stat.S_ISDIR(st.st_mode):
            message = f"The inbox folder {self.inbox} is not there"
            if strict:
                raise TripdeskError(f"{message}; check [trip] inbox in {self.config.path}.")
            self.reporter.fail(
                self.inbox, f"{message}; tripdesk will pick it up when it comes back."
            )
            return None
        self.reporter.recovered(self.inbox)
        if _inside(self.pool, self.inbox) or _inside(self.inbox, self.pool):
            raise TripdeskError(
                f"The pool folder {self.pool} and the inbox {self.inbox} must not be inside "
                f"one another; change [trip] in {self.config.path}."
            )
        return (st.st_dev, st.st_ino)


class _Handler(FileSystemEventHandler):
    """Hands paths to the worker: created, written, closed, or moved in under a new name.

    A folder's own "modified" (a file came or went inside it) is left out: the file's event
    says more, and walking the whole folder for it again would be wasted work.
    """

    def __init__(self, out: queue.SimpleQueue[Arrival], inbox: Path) -> None:
        self.out = out
        self.inbox = os.fsencode(inbox)

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind == "moved":
            self.out.put((os.fsdecode(event.dest_path), False))
        elif kind == "deleted" and os.fsencode(event.src_path).rstrip(b"/") == self.inbox:
            self.out.put((LOST, False))
        elif kind == "created" or (kind in ("modified", "closed") and not event.is_directory):
            self.out.put((os.fsdecode(event.src_path), kind == "closed"))


def _inside(inner: Path, outer: Path) -> bool:
    inner, outer = Path(os.path.realpath(inner)), Path(os.path.realpath(outer))
    return inner == outer or outer in inner.parents


def _needs_polling(folder: Path) -> bool:
    """True on network shares and FUSE mounts (phones over MTP), where inotify misses changes."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            fstype = mount_type(os.path.realpath(folder), mounts.read())
    except OSError:
        return False
    return fstype in _REMOTE_FILESYSTEMS or fstype.startswith("fuse")


def mount_type(path: str, mounts: str) -> str:
    """The filesystem type of the mount holding `path`, from a /proc/self/mounts table."""
    best, fstype = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fstype = point, fields[2]
    return fstype
