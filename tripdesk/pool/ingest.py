"""Watching the inbox and pooling what lands in it, without ever losing a photo.

One worker thread decides what to take (the watchdog observer only hands it paths), with a
helper lane when several files are ready at once. A file is taken once it is complete (closed
after writing, or unchanged for `settle_seconds`), copied and verified (`transfer`),
catalogued, and then its original is deleted, offered for deletion or kept, as `delete_source`
says. A rescan at start and every `rescan_seconds` finds what the observer missed, and an inbox
that disappears (a phone unplugged) is watched again when it comes back.

An empty file may be a sync client's placeholder, so it always waits out `settle_seconds`,
whatever the observer says; if it is still empty then, it is quarantined as damaged.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from tripdesk import store
from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto, Source
from tripdesk.pool.deletion import DeletionReceipt, delete_source
from tripdesk.pool.events import (
    Arrived,
    AwaitingDeletion,
    Copying,
    Damaged,
    Deleted,
    Duplicate,
    Failed,
    Pooled,
    PoolEvent,
    Skipped,
)
from tripdesk.pool.sniff import (
    Inspection,
    examine,
    file_time,
    is_temporary,
    media_type,
    read_head,
    suffix_kind,
)
from tripdesk.pool.transfer import (
    Copy,
    SourceChanged,
    SourceState,
    clear_stray,
    copy_verified,
    open_source,
    place,
)

__all__ = ["DeletionReceipt", "IngestSummary", "Ingestor", "display_name", "mount_type"]

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
# Filesystems whose changes inotify cannot see: network shares and FUSE mounts (phones over MTP).
_REMOTE_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "davfs"}
_TICK = 0.1  # how often files that are still settling are looked at again
_IDLE = 1.0  # how often an idle watcher checks that the inbox is still the same folder
LANES = 3  # files pooled at once: 3 beat 2 and matched 4 on two cores (benchmarks/ingest.py)


@dataclass(frozen=True)
class IngestSummary:
    """What one `scan_once` did, event by event, sorted by outcome."""

    pooled: list[Pooled] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    awaiting: list[AwaitingDeletion] = field(default_factory=list)
    deleted: list[Deleted] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)

    @classmethod
    def of(cls, events: Sequence[PoolEvent]) -> IngestSummary:
        summary = cls()
        lists: dict[type, list] = {
            Pooled: summary.pooled,
            Duplicate: summary.duplicates,
            Damaged: summary.damaged,
            AwaitingDeletion: summary.awaiting,
            Deleted: summary.deleted,
            Skipped: summary.skipped,
            Failed: summary.failed,
        }
        for event in events:
            if type(event) in lists:
                lists[type(event)].append(event)
        return summary


@dataclass
class _Pending:
    """An inbox file seen but not yet taken: its last state and since when it has held."""

    state: SourceState
    since: float
    closed: bool = False


class _Order:
    """Lanes copy at once but take turns, by index, to catalogue what they copied."""

    def __init__(self) -> None:
        self._next = 0
        self._changed = threading.Condition()

    def wait(self, index: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._next == index)

    def done(self, index: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._next == index)
            self._next += 1
            self._changed.notify_all()


class Ingestor:
    """Pools the inbox into the pool.

    `on_event` is called from the ingestor's own threads (and from the caller's during
    `scan_once`), one event at a time; it should hand the event on and return quickly.
    """

    def __init__(self, config: Config, on_event: Callable[[PoolEvent], None]) -> None:
        self.config = config
        self.inbox = config.trip.inbox
        self.pool = config.trip.pool
        self._on_event = on_event
        self._queue: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._deleting = threading.Lock()
        self._work = threading.Lock()  # the worker and scan_once take turns
        self._reporting = threading.RLock()  # lanes take turns to report
        self._thread: threading.Thread | None = None
        self._observer: BaseObserver | None = None
        self._watch: ObservedWatch | None = None
        self._watched: tuple[int, int] | None = None
        self._pending: dict[Path, _Pending] = {}
        self._skipped: dict[Path, SourceState] = {}
        self._failed: dict[Path, str] = {}
        self._collected: list[PoolEvent] | None = None
        self._cleared = False

    # -- the public API ------------------------------------------------------------------

    def start(self) -> None:
        """Watch the inbox on a worker thread until `stop`; problems arrive as Failed events."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._observer = self._make_observer()
        try:
            self._follow_inbox()
        except TripdeskError:
            self._observer = None
            raise
        self._observer.start()
        self._thread = threading.Thread(target=self._run, name="tripdesk-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; a copy in progress is finished first (up to `timeout` seconds)."""
        self._stopping.set()
        self._queue.put(("", False))
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._watch = None
        self._watched = None

    def scan_once(self) -> IngestSummary:
        """Pool every complete file in the inbox now, waiting for files still being written.

        Raises TripdeskError when the inbox or the pool folder is missing or misplaced. While
        `start` is watching, the watcher pauses until the scan is done.
        """
        with self._work:
            if self._thread is None:
                self._stopping.clear()  # an ingestor stopped earlier may still scan
            self._collected = []
            try:
                self._prepare_inbox(strict=True)
                self._prepare_pool()
                with closing(self._connect()) as conn:
                    self._rescan(conn)
                    while self._pending:
                        time.sleep(_TICK)
                        self._tick(conn)
                return IngestSummary.of(self._collected)
            finally:
                self._collected = None

    def awaiting_deletion(self) -> list[PoolPhoto]:
        """Photos verified in the pool whose original is still in the inbox (not damaged ones)."""
        photos: dict[int, PoolPhoto] = {}
        with closing(self._connect()) as conn:
            for source in catalogue.waiting_sources(conn):
                photo = catalogue.photo_by_id(conn, source.photo_id)
                if photo is None or photo.damaged:
                    continue
                try:
                    present = SourceState.of(os.lstat(source.path)) == source.state
                except FileNotFoundError:
                    catalogue.mark_gone(conn, source)
                    continue
                if present:
                    photos[photo.id] = photo
        return list(photos.values())

    def delete_sources(self, photos: Sequence[PoolPhoto]) -> list[DeletionReceipt]:
        """Delete the inbox originals of these photos, each checked once more right before."""
        receipts: list[DeletionReceipt] = []
        with self._deleting, closing(self._connect()) as conn:
            for photo in photos:
                current = catalogue.photo_by_id(conn, photo.id) or photo
                for source in catalogue.waiting_sources(conn, photo.id):
                    receipts.append(self._delete(conn, current, source))
        return receipts

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        next_rescan = 0.0
        next_check = time.monotonic() + _IDLE  # `start` has just scheduled the observer
        while not self._stopping.is_set():
            due = (next_check if self._watched is None else min(next_check, next_rescan)) - (
                time.monotonic()
            )
            arrived = self._wait(max(0.0, min(due, _TICK if self._pending else _IDLE)))
            with self._work:
                try:
                    if conn is None:
                        conn = self._connect()
                        self._prepare_pool()
                    now = time.monotonic()
                    if now >= next_check:
                        next_check = now + _IDLE
                        if self._follow_inbox():
                            next_rescan = now
                    if now >= next_rescan and self._watched is not None:
                        next_rescan = now + self.config.ingest.rescan_seconds
                        self._rescan(conn)
                    for path, closed in arrived:
                        self._notice(conn, Path(path), closed=closed)
                    self._tick(conn)
                except TripdeskError as error:
                    self._fail(self.pool, error.message)
                    self._stopping.wait(_IDLE)
                except Exception as error:  # the watcher must outlive any one failure
                    log.error("the ingest worker recovered from %s", type(error).__name__)
                    self._fail(self.inbox, "Something went wrong while watching; tripdesk goes on.")
                    self._stopping.wait(_IDLE)
        if conn is not None:
            conn.close()

    def _wait(self, timeout: float) -> list[tuple[str, bool]]:
        """Paths the observer reported, waiting up to `timeout` for the first one."""
        try:
            items = [self._queue.get(timeout=timeout)]
        except queue.Empty:
            return []
        with suppress(queue.Empty):
            while True:
                items.append(self._queue.get_nowait())
        return [item for item in items if item[0]]

    def _make_observer(self) -> BaseObserver:
        mode = self.config.ingest.watch
        if mode == "polling" or (mode == "auto" and _needs_polling(self.inbox)):
            return PollingObserver(timeout=min(1.0, self.config.ingest.settle_seconds))
        return Observer()

    def _follow_inbox(self) -> bool:
        """Keep the observer on the inbox as it is now; True when it was (re)scheduled."""
        identity = self._prepare_inbox(strict=False)
        if identity == self._watched:
            return False
        if self._watch is not None and self._observer is not None:
            with suppress(KeyError):
                self._observer.unschedule(self._watch)
            self._watch = None
        self._watched = identity
        if identity is None or self._observer is None:
            return False
        try:
            self._watch = self._observer.schedule(
                _Handler(self._queue), str(self.inbox), recursive=True
            )
        except OSError as error:  # e.g. the system's limit of inotify watches
            self._fail(
                self.inbox,
                f"Cannot watch the inbox ({error.strerror}); it is looked through every "
                f"{self.config.ingest.rescan_seconds:g} seconds instead.",
            )
        return True

    def _rescan(self, conn: sqlite3.Connection) -> None:
        """Look through the whole inbox, and forget originals that left it by other hands."""
        for path in self._walk(self.inbox):
            self._notice(conn, path, closed=False)
        for source in catalogue.waiting_sources(conn):
            if not os.path.lexists(source.path):
                catalogue.mark_gone(conn, source)
        self._tick(conn)

    def _walk(self, folder: Path) -> Iterator[Path]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            return
        except OSError as error:
            self._fail(folder, f"Cannot look inside {self._label(folder)}: {error.strerror}.")
            return
        for entry in entries:
            if is_temporary(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_folder:
                yield from self._walk(path)
            else:
                yield path

    def _notice(self, conn: sqlite3.Connection, path: Path, *, closed: bool) -> None:
        """Take note of a path the observer or a rescan reported."""
        try:
            parts = path.relative_to(self.inbox).parts
        except ValueError:
            return
        if not parts or any(is_temporary(part) for part in parts):
            return
        try:
            st = os.lstat(path)
        except OSError:
            self._pending.pop(path, None)
            return
        if stat.S_ISDIR(st.st_mode):
            for inner in self._walk(path):
                self._notice(conn, inner, closed=False)
            return
        state = SourceState.of(st)
        if self._skipped.get(path) == state:
            return
        if not stat.S_ISREG(st.st_mode):
            what = "a link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
            self._skip(path, state, f"It is {what}; tripdesk leaves it where it is.")
            return
        entry = self._pending.get(path)
        now = time.monotonic()
        if entry is None:
            known = catalogue.waiting_source(conn, path)
            if known is not None and known.state == state:
                if self.config.ingest.delete_source != "auto":
                    return  # pooled already; its original waits for the teacher, or is kept
            elif path not in self._failed:
                self._report(Arrived(path))
            self._pending[path] = _Pending(state, now, closed)
        elif entry.state != state:
            entry.state, entry.since, entry.closed = state, now, closed
        elif closed:
            entry.closed = True

    def _tick(self, conn: sqlite3.Connection) -> None:
        """Look at every file still settling; take those that are complete."""
        ready: list[Path] = []
        for path in list(self._pending):
            if self._stopping.is_set():
                break
            entry = self._pending[path]
            try:
                state = SourceState.of(os.lstat(path))
            except OSError:
                del self._pending[path]
                continue
            now = time.monotonic()
            if state != entry.state:
                entry.state, entry.since, entry.closed = state, now, False
                continue
            if self._complete(entry, now):
                del self._pending[path]
                ready.append(path)
        for path in self._take_all(conn, ready):
            with suppress(OSError):
                self._pending[path] = _Pending(SourceState.of(os.lstat(path)), time.monotonic())

    def _take_all(self, conn: sqlite3.Connection, paths: list[Path]) -> list[Path]:
        """Pool complete files in a few lanes at once, so that one file's decode overlaps
        another's copy and fsync (hashing, decoding and disk waits all release the GIL).
        They are still catalogued in the order they were found. Returns the files that
        changed while they were copied, to be looked at again.
        """
        todo = enumerate(paths)
        turn = threading.Lock()
        order = _Order()
        again: list[Path] = []

        def lane(lane_conn: sqlite3.Connection) -> None:
            while not self._stopping.is_set():
                with turn:
                    index, path = next(todo, (-1, None))
                if path is None:
                    return
                try:
                    if not self._take(lane_conn, path, partial(order.wait, index)):
                        again.append(path)
                finally:
                    order.done(index)

        def helper_lane() -> None:
            try:
                lane_conn = self._connect()
            except TripdeskError:
                return  # the other lanes then take every file
            with closing(lane_conn):
                lane(lane_conn)

        helpers = [
            threading.Thread(target=helper_lane, name="tripdesk-ingest-lane", daemon=True)
            for _ in range(min(LANES, len(paths)) - 1)
        ]
        for helper in helpers:
            helper.start()
        lane(conn)
        for helper in helpers:
            helper.join()
        return again

    def _complete(self, entry: _Pending, now: float) -> bool:
        """Closed after writing, or unchanged long enough. An empty file may still be syncing,
        so it always waits out the full interval before it counts (and is then quarantined).
        """
        settle = self.config.ingest.settle_seconds
        if now - entry.since >= settle:
            return True
        if entry.state.size == 0:
            return False
        age = time.time() - entry.state.mtime_ns / 1e9
        return entry.closed or settle <= age

    # -- one file ----------------------------------------------------------------------------

    def _take(
        self, conn: sqlite3.Connection, path: Path, in_turn: Callable[[], None] = lambda: None
    ) -> bool:
        """Pool one complete file; False when it changed meanwhile and must settle again.
        `in_turn` returns once the files found before this one are catalogued."""
        label = self._label(path)
        try:
            self._pool(conn, path, label, in_turn)
        except SourceChanged:
            return False
        except TripdeskError as error:
            self._fail(path, error.message)
        except OSError as error:
            self._fail(path, f"Cannot pool {label}: {error.strerror}; it stays in the inbox.")
        except Exception as error:  # one file's surprise must not stop the others
            log.error("pooling a file failed with %s", type(error).__name__)
            self._fail(path, f"Could not pool {label}; it stays in the inbox.")
        return True

    def _pool(
        self, conn: sqlite3.Connection, path: Path, label: str, in_turn: Callable[[], None]
    ) -> None:
        """The safe sequence for one inbox file, then its original deleted as configured."""
        copy = self._copy(conn, path, label)
        if copy is None:
            return
        try:
            # Decoding takes longest: done before waiting for the turn to catalogue, unless
            # the bytes are already in the pool.
            pooled = catalogue.photo_by_sha(conn, copy.sha256)
            found = None if pooled else examine(copy.temp, path.name)
            in_turn()
            source = self._record(conn, path, copy, found, label)
        finally:
            copy.temp.unlink(missing_ok=True)
        self._after_pooling(conn, source)

    def _copy(self, conn: sqlite3.Connection, path: Path, label: str) -> Copy | None:
        """Steps 1–4 for a photo or video not pooled yet; None when there is nothing to copy."""
        fd = open_source(path, label)
        try:
            state = SourceState.of(os.fstat(fd))
            known = catalogue.waiting_source(conn, path)
            if known is not None and known.state == state:
                if self.config.ingest.delete_source == "auto":
                    self._after_pooling(conn, known)
                return None
            if known is not None:  # changed since it was pooled: no longer that original
                catalogue.mark_gone(conn, known, why="changed")
            if media_type(read_head(fd)) is None and suffix_kind(path.name) is None:
                self._skip(path, state, "It is not a photo or video; it was left where it is.")
                return None
            self._report(Copying(path))
            self._prepare_pool()
            return copy_verified(fd, path, self.pool, label)
        finally:
            os.close(fd)

    def _record(
        self,
        conn: sqlite3.Connection,
        path: Path,
        copy: Copy,
        found: Inspection | None,
        label: str,
    ) -> Source:
        """Steps 5–6: new bytes are placed and catalogued; bytes already pooled are a duplicate."""
        existing = catalogue.photo_by_sha(conn, copy.sha256)
        if existing is None:
            found = found or examine(copy.temp, path.name)
            captured = found.captured_at or file_time(copy.source.mtime_ns)
            folder = self._folder(captured, quarantined=found.damage is not None)
            stem = f"{captured:%H%M%S}_{copy.sha256[:8]}"
            final = place(copy, folder, stem, found.ext, self.pool, label)
            try:
                photo, source = catalogue.add_pooled(
                    conn,
                    sha256=copy.sha256,
                    pool_path=final,
                    source=path,
                    state=copy.source,
                    captured_at=captured,
                    kind=found.kind,
                    damage=found.damage,
                )
            except sqlite3.IntegrityError:  # another lane or tripdesk catalogued them first
                existing = catalogue.photo_by_sha(conn, copy.sha256)
                if existing is None:
                    raise
                if existing.pool_path != final:
                    final.unlink(missing_ok=True)
            else:
                if found.damage is not None:
                    self._report(Damaged(path, photo, found.damage))
                else:
                    self._report(Pooled(path, photo))
                return source
        source = catalogue.add_source(conn, existing, path, copy.source)
        self._report(Duplicate(path, existing))
        return source

    def _after_pooling(self, conn: sqlite3.Connection, source: Source) -> None:
        """Step 7, as `delete_source` says: delete now, offer it to the teacher, or keep."""
        mode = self.config.ingest.delete_source
        photo = None if mode == "never" else catalogue.photo_by_id(conn, source.photo_id)
        if photo is None or photo.damaged:
            return
        if mode == "auto":
            with self._deleting:
                receipt = self._delete(conn, photo, source)
            if not receipt.deleted and receipt.reason:
                self._fail(source.path, receipt.reason)
        elif mode == "ask":
            self._report(AwaitingDeletion(source.path, photo))

    def _delete(
        self, conn: sqlite3.Connection, photo: PoolPhoto, source: Source
    ) -> DeletionReceipt:
        receipt = delete_source(conn, photo, source, self._label(source.path))
        if receipt.deleted:
            self._report(Deleted(source.path, catalogue.photo_by_id(conn, photo.id) or photo))
        return receipt

    def _folder(self, captured: datetime, *, quarantined: bool) -> Path:
        trip = self.pool / self.config.trip.slug
        return (trip / QUARANTINE if quarantined else trip) / f"{captured:%Y-%m-%d}"

    # -- folders ---------------------------------------------------------------------------

    def _prepare_inbox(self, *, strict: bool) -> tuple[int, int] | None:
        """The inbox's identity, creating the default one; a missing one raises or is reported."""
        if self.inbox == self.config.home / "inbox":
            self.inbox.mkdir(parents=True, exist_ok=True)
        try:
            st = os.stat(self.inbox)
        except OSError:
            st = None
        if st is None or not stat.S_ISDIR(st.st_mode):
            message = f"The inbox folder {self.inbox} is not there"
            if strict:
                raise TripdeskError(f"{message}; check [trip] inbox in {self.config.path}.")
            self._fail(self.inbox, f"{message}; tripdesk will pick it up when it comes back.")
            return None
        self._failed.pop(self.inbox, None)
        if _inside(self.pool, self.inbox) or _inside(self.inbox, self.pool):
            raise TripdeskError(
                f"The pool folder {self.pool} and the inbox {self.inbox} must not be inside "
                f"one another; change [trip] in {self.config.path}."
            )
        return (st.st_dev, st.st_ino)

    def _prepare_pool(self) -> None:
        """The default pool is created; a configured one that is missing is an error."""
        if self.pool == self.config.home / "pool":
            try:
                self.pool.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise TripdeskError(
                    f"Cannot create the pool folder {self.pool}: {error.strerror}; "
                    "photos stay in the inbox."
                ) from None
        if not self.pool.is_dir():
            raise TripdeskError(
                f"The pool folder {self.pool} is not there (is its disk plugged in?); "
                "photos stay in the inbox."
            )
        if not self._cleared:
            self._cleared = True
            clear_stray(self.pool)

    # -- reporting ---------------------------------------------------------------------------

    def _report(self, event: PoolEvent) -> None:
        with self._reporting:
            if isinstance(event, Pooled | Duplicate | Damaged):
                self._failed.pop(event.source, None)  # a later failure is news again
            if self._collected is not None:
                self._collected.append(event)
            try:
                self._on_event(event)
            except Exception as error:  # a listener's bug must not stop the pooling
                log.error("a pool event listener raised %s", type(error).__name__)

    def _skip(self, path: Path, state: SourceState, reason: str) -> None:
        with self._reporting:
            self._skipped[path] = state
            self._report(Skipped(path, reason))

    def _fail(self, path: Path, reason: str) -> None:
        """Report a failure once; the same failure of the same file is not repeated."""
        with self._reporting:
            if self._failed.get(path) != reason:
                self._failed[path] = reason
                self._report(Failed(path, reason))

    def _label(self, path: Path) -> str:
        return display_name(path, self.inbox)

    def _connect(self) -> sqlite3.Connection:
        conn = store.connect(self.config.database)
        catalogue.migrate(conn)
        return conn


class _Handler(FileSystemEventHandler):
    """Hands paths to the worker: created, written, closed, or moved in under a new name.

    A folder's own "modified" (a file came or went inside it) is left out: the file's event
    says more, and walking the whole folder for it again would be wasted work.
    """

    def __init__(self, out: queue.SimpleQueue[tuple[str, bool]]) -> None:
        self.out = out

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind == "moved":
            self.out.put((os.fsdecode(event.dest_path), False))
        elif kind == "created" or (kind in ("modified", "closed") and not event.is_directory):
            self.out.put((os.fsdecode(event.src_path), kind == "closed"))


def display_name(path: Path, inbox: Path) -> str:
    """A path as the teacher reads it: inside the inbox, printable, whatever bytes it holds."""
    try:
        relative = path.relative_to(inbox)
    except ValueError:
        relative = path
    if relative == Path("."):
        relative = inbox
    text = os.fsencode(relative).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
