"""Pooling what lands in the inbox, without ever losing a photo: the loop and its lanes.

The parts each do one job: `watch` keeps an observer on the inbox, `settle` decides when a file
is complete, `pooling` pools one file, `deletion` deletes an original once it is proven safe.
Here one worker thread runs them in turn (with helper lanes when several files are ready at
once), and a rescan at start and every `rescan_seconds` finds what the observer missed. Work
on the pool is done under the trip's ingest lock, so two tripdesks never pool at once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto, Source
from tripdesk.pool.deletion import DeletionReceipt, Rules, delete_source
from tripdesk.pool.events import (
    AwaitingDeletion,
    Damaged,
    Deleted,
    Duplicate,
    Failed,
    MaybeIncomplete,
    Pooled,
    PoolEvent,
    Skipped,
)
from tripdesk.pool.inbox import Inbox, display_name
from tripdesk.pool.lock import IngestLock
from tripdesk.pool.pooling import Pooler
from tripdesk.pool.reporting import Reporter
from tripdesk.pool.settle import Settler
from tripdesk.pool.transfer import SourceState
from tripdesk.pool.watch import InboxWatcher, mount_type
from tripdesk.pool.writers import being_written

__all__ = [
    "DeletionReceipt",
    "IngestSummary",
    "Ingestor",
    "display_name",
    "mount_type",
]

log = logging.getLogger(__name__)

_TICK = 0.1  # how often files that are still settling are looked at again
_IDLE = 1.0  # how often an idle watcher checks that the inbox is still the same folder
_PUT_OFF = 3  # an original that keeps changing is kept, and told, after this many waits
LANES = 3  # files pooled at once: 3 beat 2 and matched 4 on two cores (benchmarks/ingest.py)
BUSY = "Another tripdesk is pooling this trip's inbox; waiting for it to finish."


@dataclass(frozen=True)
class IngestSummary:
    """What one `scan_once` did, event by event, sorted by outcome; `waiting` is every photo
    whose verified original is still in the inbox when the scan ended (this run's or before)."""

    pooled: list[Pooled] = field(default_factory=list)
    maybe_incomplete: list[MaybeIncomplete] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    awaiting: list[AwaitingDeletion] = field(default_factory=list)
    deleted: list[Deleted] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    waiting: list[PoolPhoto] = field(default_factory=list)

    @classmethod
    def of(cls, events: Sequence[PoolEvent], waiting: Sequence[PoolPhoto] = ()) -> IngestSummary:
        summary = cls(waiting=list(waiting))
        lists: dict[type, list] = {
            Pooled: summary.pooled,
            MaybeIncomplete: summary.maybe_incomplete,
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
    `connect` makes a new connection to the trip's database, already migrated; the ingestor
    closes the connections it makes.
    """

    def __init__(
        self,
        config: Config,
        on_event: Callable[[PoolEvent], None],
        *,
        connect: Callable[[], sqlite3.Connection],
    ) -> None:
        self.config = config
        self.inbox = config.trip.inbox
        self.pool = config.trip.pool
        self._connect = connect
        self._reporter = Reporter(on_event)
        self._folder = Inbox(self.inbox)
        self._rules = Rules(self._folder, self.pool, config.ingest.settle_seconds)
        self._watcher = InboxWatcher(config, self._reporter)
        # Automatic deletions by source id: when due, and how often it was put off already.
        self._due: dict[int, tuple[float, Source, int]] = {}
        self._due_lock = threading.Lock()
        self._pooler = Pooler(config, self._folder, self._reporter, self._deletion_due)
        self._lock = IngestLock(config.home)
        self._stopping = threading.Event()
        self._deleting = threading.Lock()
        self._work = threading.Lock()  # the worker and scan_once take turns
        self._thread: threading.Thread | None = None

    # -- the public API ------------------------------------------------------------------

    def start(self) -> None:
        """Watch the inbox on a worker thread until `stop`; problems arrive as Failed events."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._watcher.start()
        self._thread = threading.Thread(target=self._run, name="tripdesk-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; a copy in progress is finished first (up to `timeout` seconds)."""
        self._stopping.set()
        self._watcher.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._lock.close()

    def scan_once(self, *, waiting: Callable[[str], None] | None = None) -> IngestSummary:
        """Pool every complete file in the inbox now, waiting for files still being written
        and for automatic deletions to come due.

        Raises TripdeskError when the inbox or the pool folder is missing or misplaced. While
        `start` is watching, the watcher pauses until the scan is done; while another tripdesk
        pools this trip, the scan waits for it, telling `waiting` once.
        """
        with self._work:
            if self._thread is None:
                self._stopping.clear()  # an ingestor stopped earlier may still scan
            if not self._lock.acquire(wait=False):
                if waiting is not None:
                    waiting(BUSY)
                self._lock.acquire(wait=True)
            self._reporter.collect()
            try:
                self._watcher.prepare(strict=True)
                self._pooler.prepare_pool()
                with closing(self._connect()) as conn:
                    settler = self._settler_for(conn)
                    self._rescan(conn, settler)
                    while settler or self._due:
                        time.sleep(_TICK)
                        self._tick(conn, settler)
                    found = self._awaiting(conn)
                return IngestSummary.of(self._reporter.collected(), found)
            finally:
                self._reporter.collected()
                self._lock.release()

    def awaiting_deletion(self) -> list[PoolPhoto]:
        """Photos verified in the pool whose original is still in the inbox (not damaged nor
        maybe incomplete ones); each names its waiting original as `source_path`."""
        with closing(self._connect()) as conn:
            return self._awaiting(conn)

    def delete_sources(self, photos: Sequence[PoolPhoto]) -> list[DeletionReceipt]:
        """Delete the inbox originals of these photos, each checked once more right before."""
        with self._deleting, closing(self._connect()) as conn:
            sources = [
                (catalogue.photo_by_id(conn, photo.id) or photo, source)
                for photo in photos
                for source in catalogue.waiting_sources(conn, photo.id)
            ]
            writing = self._being_written([source for _, source in sources])
            return [self._delete(conn, photo, source, writing) for photo, source in sources]

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        settler: Settler | None = None
        next_rescan = 0.0
        next_check = time.monotonic() + _IDLE  # `start` has just scheduled the observer
        while not self._stopping.is_set():
            watched = self._watcher.watched is not None
            due = (next_check if not watched else min(next_check, next_rescan)) - time.monotonic()
            busy = bool(settler) or bool(self._due)
            arrived = self._watcher.wait(max(0.0, min(due, _TICK if busy else _IDLE)))
            if self._watcher.watched is None and watched:
                next_check = 0.0  # the folder itself went: follow it now
            with self._work:
                try:
                    if conn is None:
                        conn = self._connect()
                        settler = self._settler_for(conn)
                        self._pooler.prepare_pool()
                    assert settler is not None
                    now = time.monotonic()
                    if now >= next_check:
                        next_check = now + _IDLE
                        if self._watcher.follow():
                            next_rescan = now
                    for path, closed in arrived:
                        settler.notice(Path(path), closed=closed)
                    if not self._lock.acquire(wait=False):
                        continue  # another tripdesk is at work: look again next tick
                    try:
                        if now >= next_rescan and self._watcher.watched is not None:
                            next_rescan = now + self.config.ingest.rescan_seconds
                            self._rescan(conn, settler)
                        self._tick(conn, settler)
                    finally:
                        self._lock.release()
                except TripdeskError as error:
                    self._reporter.fail(self.pool, error.message)
                    self._stopping.wait(_IDLE)
                except Exception as error:  # the watcher must outlive any one failure
                    log.error("the ingest worker recovered from %s", type(error).__name__)
                    self._reporter.fail(
                        self.inbox, "Something went wrong while watching; tripdesk goes on."
                    )
                    self._stopping.wait(_IDLE)
        if conn is not None:
            conn.close()

    def _settler_for(self, conn: sqlite3.Connection) -> Settler:
        """Files settling for one connection's work (the worker's, or one scan's)."""

        def pooled_already(path: Path, state: SourceState) -> bool:
            known = catalogue.waiting_source(conn, path)
            return known is not None and known.state == state

        return Settler(
            self._folder,
            self.config.ingest.settle_seconds,
            self._reporter,
            pooled_already,
            retry_pooled=self.config.ingest.delete_source == "auto",
        )

    def _rescan(self, conn: sqlite3.Connection, settler: Settler) -> None:
        """Look through the whole inbox, and forget originals that left it by other hands."""
        try:
            for path in self._folder.walk():
                settler.notice(path, closed=False)
        except FileNotFoundError:
            pass
        except OSError as error:
            self._reporter.fail(self.inbox, f"Cannot look inside {self.inbox}: {error.strerror}.")
        for source in catalogue.waiting_sources(conn):
            try:
                self._folder.lstat(source.path)
            except FileNotFoundError:
                catalogue.mark_gone(conn, source)
            except OSError:
                continue
        self._tick(conn, settler)

    def _tick(self, conn: sqlite3.Connection, settler: Settler) -> None:
        """Take every file that is complete now, then delete the originals that are due.

        Files that land meanwhile are noticed between two files, so each is reported as it
        arrives, not after the whole batch; news of a file being taken waits for the batch.
        """
        ready = settler.ready(self._stopping.is_set)
        taking, later = set(ready), []
        watching = threading.current_thread() is self._thread  # a scan leaves them to the worker

        def notice_arrivals() -> None:
            for path, closed in self._watcher.wait(0) if watching else ():
                if Path(path) in taking:
                    later.append((path, closed))
                else:
                    settler.notice(Path(path), closed=closed)

        for path in self._take_all(conn, ready, notice_arrivals):
            settler.again(path)
        for path, closed in later:
            settler.notice(Path(path), closed=closed)
        self._delete_due(conn)

    def _take_all(
        self,
        conn: sqlite3.Connection,
        paths: list[Path],
        between: Callable[[], None] = lambda: None,
    ) -> list[Path]:
        """Pool complete files in a few lanes at once, so that one file's decode overlaps
        another's copy and fsync (hashing, decoding and disk waits all release the GIL).
        They are still catalogued in the order they were found. Returns the files that
        changed while they were copied, to be looked at again.
        """
        todo = enumerate(paths)
        turn = threading.Lock()
        order = _Order()
        again: list[Path] = []

        def lane(lane_conn: sqlite3.Connection, between: Callable[[], None] = lambda: None) -> None:
            while not self._stopping.is_set():
                between()
                with turn:
                    index, path = next(todo, (-1, None))
                if path is None:
                    return
                try:
                    if not self._pooler.take(lane_conn, path, partial(order.wait, index)):
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
        lane(conn, between)
        for helper in helpers:
            helper.join()
        return again

    # -- deleting originals ------------------------------------------------------------------

    def _deletion_due(self, source: Source) -> None:
        """Pooling asks for an original to be deleted (`auto`): done at the end of the pass."""
        with self._due_lock:
            self._due[source.id] = (time.monotonic(), source, 0)

    def _delete_due(self, conn: sqlite3.Connection) -> None:
        """Delete the originals whose time has come, finding open writers once for them all."""
        now = time.monotonic()
        with self._due_lock:
            due = [(source, put_off) for when, source, put_off in self._due.values() if when <= now]
            for source, _ in due:
                del self._due[source.id]
        if not due:
            return
        writing = self._being_written([source for source, _ in due])
        with self._deleting:
            for source, put_off in due:
                photo = catalogue.photo_by_id(conn, source.photo_id)
                if photo is None:
                    continue
                receipt = self._delete(conn, photo, source, writing)
                if receipt.wait and put_off < _PUT_OFF:
                    with self._due_lock:
                        when = time.monotonic() + receipt.wait
                        self._due[source.id] = (when, source, put_off + 1)
                elif not receipt.deleted and receipt.reason:
                    self._reporter.fail(source.path, receipt.reason)

    def _being_written(self, sources: Sequence[Source]) -> set[tuple[int, int]]:
        return being_written({(s.state.device, s.state.inode) for s in sources})

    def _delete(
        self,
        conn: sqlite3.Connection,
        photo: PoolPhoto,
        source: Source,
        writing: set[tuple[int, int]],
    ) -> DeletionReceipt:
        label = display_name(source.path, self.inbox)
        receipt = delete_source(conn, photo, source, label, self._rules, writing)
        if receipt.deleted:
            self._reporter.report(
                Deleted(source.path, catalogue.photo_by_id(conn, photo.id) or photo)
            )
        return receipt

    def _awaiting(self, conn: sqlite3.Connection) -> list[PoolPhoto]:
        photos: dict[int, PoolPhoto] = {}
        for source in catalogue.waiting_sources(conn):
            if source.photo_id in photos:
                continue
            photo = catalogue.photo_by_id(conn, source.photo_id)
            if photo is None or photo.damaged or photo.incomplete:
                continue
            try:
                present = SourceState.of(self._folder.lstat(source.path)) == source.state
            except FileNotFoundError:
                catalogue.mark_gone(conn, source)
                continue
            except OSError:
                continue
            if present:
                photos[photo.id] = replace(photo, source_path=str(source.path))
        return list(photos.values())
