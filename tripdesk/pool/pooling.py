"""Pooling one complete inbox file: the verified copy, the catalogue, quarantine or duplicate.

The original is reached through verified folder handles only (`inbox.Inbox`), copied while
hashed, read back from the disk, placed under its final name and catalogued. Damaged files go
to the pool's quarantine; files whose format says they may not be whole are pooled as maybe
incomplete; both keep their originals for ever. What becomes of a good original afterwards
(deleted, offered, kept) is decided by `after_pooling`, which hands deletions to the caller.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue, complete
from tripdesk.pool.catalogue import Source
from tripdesk.pool.events import (
    AwaitingDeletion,
    Copying,
    Damaged,
    Duplicate,
    MaybeIncomplete,
    Pooled,
)
from tripdesk.pool.inbox import Inbox, OutsideInbox, display_name
from tripdesk.pool.reporting import Reporter
from tripdesk.pool.sniff import Inspection, examine, file_time, media_type, read_head, suffix_kind
from tripdesk.pool.transfer import (
    FOLDER_MODE,
    Copy,
    SourceChanged,
    clear_stray,
    copy_verified,
    place,
    source_error,
)

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"


class Pooler:
    """Pools single files into the pool; `delete` is called for originals to delete now."""

    def __init__(
        self,
        config: Config,
        inbox: Inbox,
        reporter: Reporter,
        delete: Callable[[Source], None],
    ) -> None:
        self.config = config
        self.inbox = inbox
        self.pool = config.trip.pool
        self.reporter = reporter
        self._delete = delete
        self._cleared = False

    def label(self, path: Path) -> str:
        return display_name(path, self.inbox.root)

    def take(
        self, conn: sqlite3.Connection, path: Path, in_turn: Callable[[], None] = lambda: None
    ) -> bool:
        """Pool one complete file; False when it changed meanwhile and must settle again.
        `in_turn` returns once the files found before this one are catalogued."""
        label = self.label(path)
        try:
            self._pool(conn, path, label, in_turn)
        except SourceChanged:
            return False
        except TripdeskError as error:
            self.reporter.fail(path, error.message)
        except OSError as error:
            self.reporter.fail(
                path, f"Cannot pool {label}: {error.strerror}; it stays in the inbox."
            )
        except Exception as error:  # one file's surprise must not stop the others
            log.error("pooling a file failed with %s", type(error).__name__)
            self.reporter.fail(path, f"Could not pool {label}; it stays in the inbox.")
        return True

    def _pool(
        self, conn: sqlite3.Connection, path: Path, label: str, in_turn: Callable[[], None]
    ) -> None:
        """The safe sequence for one inbox file, then its original dealt with as configured."""
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
        self.after_pooling(conn, source)

    def _copy(self, conn: sqlite3.Connection, path: Path, label: str) -> Copy | None:
        """Steps 1–4 for a photo or video not pooled yet; None when there is nothing to copy."""
        try:
            original = self.inbox.open(path)
        except OutsideInbox:
            raise TripdeskError(
                f"{label} is reached through a link; tripdesk never follows links out of the inbox."
            ) from None
        except OSError as error:
            if error.errno == errno.EINVAL:
                raise TripdeskError(
                    f"{label} is not a regular file; it was left where it is."
                ) from None
            raise source_error(error, label) from None
        with original:
            state = original.state()
            known = catalogue.waiting_source(conn, path)
            if known is not None and known.state == state:
                if self.config.ingest.delete_source == "auto":
                    self.after_pooling(conn, known)
                return None
            if known is not None:  # changed since it was pooled: no longer that original
                catalogue.mark_gone(conn, known, why="changed")
            if media_type(read_head(original.fd)) is None and suffix_kind(path.name) is None:
                self.reporter.skip(
                    path, state, "It is not a photo or video; it was left where it is."
                )
                return None
            self.reporter.report(Copying(path))
            self.prepare_pool()
            return copy_verified(original.fd, self.pool, label, recheck=original.state_by_name)

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
            incomplete = None if found.damage else complete.problem(copy.temp, found.ext)
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
                    incomplete=incomplete,
                )
            except sqlite3.IntegrityError:  # another lane or tripdesk catalogued them first
                existing = catalogue.photo_by_sha(conn, copy.sha256)
                if existing is None:
                    raise
                if existing.pool_path != final:
                    final.unlink(missing_ok=True)
            else:
                if found.damage is not None:
                    self.reporter.report(Damaged(path, photo, found.damage))
                elif incomplete is not None:
                    self.reporter.report(MaybeIncomplete(path, photo, incomplete))
                else:
                    self.reporter.report(Pooled(path, photo))
                return source
        source = catalogue.add_source(conn, existing, path, copy.source)
        self.reporter.report(Duplicate(path, existing))
        return source

    def after_pooling(self, conn: sqlite3.Connection, source: Source) -> None:
        """Step 7, as `delete_source` says: delete now, offer it to the teacher, or keep.
        Damaged and maybe incomplete photos keep their originals whatever it says."""
        mode = self.config.ingest.delete_source
        photo = None if mode == "never" else catalogue.photo_by_id(conn, source.photo_id)
        if photo is None or photo.damaged or photo.incomplete:
            return
        if mode == "auto":
            self._delete(source)
        elif mode == "ask":
            self.reporter.report(AwaitingDeletion(source.path, photo))

    def _folder(self, captured: datetime, *, quarantined: bool) -> Path:
        trip = self.pool / self.config.trip.slug
        return (trip / QUARANTINE if quarantined else trip) / f"{captured:%Y-%m-%d}"

    def prepare_pool(self) -> None:
        """The default pool is created; a configured one that is missing is an error."""
        if self.pool == self.config.home / "pool":
            try:
                self.pool.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
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
