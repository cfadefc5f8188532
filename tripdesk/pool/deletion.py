"""Deleting an original from the phone folder, only once it is proven safe at that moment.

Before: the pool copy is there and still has the photo's hash; the photo is whole (not damaged,
not maybe incomplete); the original, reached through verified folder handles only, is the very
file that was verified (same size, mtime, inode) with the same hash; it has rested for the settle
window and no program holds it open for writing. Then its name is removed from the verified
folder; after, it must be gone, the folder is fsynced, and the receipt goes into the catalogue
and the audit log.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tripdesk import audit
from tripdesk.hashing import hash_fd, hash_file
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto, Source
from tripdesk.pool.inbox import Inbox, InboxFile, OutsideInbox
from tripdesk.pool.transfer import SourceState
from tripdesk.pool.writers import Identity


@dataclass(frozen=True)
class DeletionReceipt:
    """What became of one original: `deleted`, or why not (`reason`, one sentence). `wait` is
    how many seconds until it may be deleted, when it only has to rest a little longer."""

    photo: PoolPhoto
    source: Path
    deleted: bool
    reason: str | None
    wait: float = 0.0


@dataclass(frozen=True)
class Rules:
    """What deletion checks against: where things are, and the teacher's settle window."""

    inbox: Inbox
    pool: Path
    settle_seconds: float


def delete_source(
    conn: sqlite3.Connection,
    photo: PoolPhoto,
    source: Source,
    label: str,
    rules: Rules,
    writing: Collection[Identity] = (),
) -> DeletionReceipt:
    """Delete one original of `photo` if, and only if, every check passes now. `writing` holds
    the files found open for writing (`writers.being_written`) just before."""
    try:
        _check_and_delete(photo, source, label, rules, writing)
    except _Kept as kept:
        if kept.retired:
            catalogue.mark_gone(conn, source, why=kept.code)
        elif not kept.wait:
            audit.record(
                conn, "pool.deletion_refused", photo=photo.id, source=source.id, why=kept.code
            )
        return DeletionReceipt(photo, source.path, False, kept.reason, kept.wait)
    catalogue.mark_deleted(conn, source, photo)
    return DeletionReceipt(photo, source.path, True, None)


class _Kept(Exception):
    """Why an original was not deleted: a sentence for the teacher (it names the file) and a
    code for the audit log (it must not); `retired` when it is no longer the verified file,
    `wait` when it only has to rest that many seconds more.
    """

    def __init__(self, code: str, reason: str, *, retired: bool = False, wait: float = 0) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.retired = retired
        self.wait = wait


def _check_and_delete(
    photo: PoolPhoto, source: Source, label: str, rules: Rules, writing: Collection[Identity]
) -> None:
    if photo.damaged:
        raise _Kept(
            "damaged",
            f"{label} could not be decoded, so it is never deleted automatically: "
            "the phone may still hold a good copy.",
        )
    if photo.incomplete:
        raise _Kept("incomplete", f"{label}: {photo.incomplete}")
    try:
        pool_ok = hash_file(catalogue.pool_file(rules.pool, photo)) == photo.sha256
    except OSError:
        pool_ok = False
    if not pool_ok:
        raise _Kept(
            "pool_copy_differs",
            f"The pool copy of {label} is missing or has changed, so the original was kept.",
        )
    gone = _Kept("gone", f"{label} is no longer in the inbox.", retired=True)
    try:
        original = rules.inbox.open(source.path)
    except FileNotFoundError:
        raise gone from None
    except OutsideInbox:
        raise _Kept(
            "outside",
            f"{label} is not reached inside the inbox folder (a folder on its way is a link, or "
            "the inbox moved), so it was kept.",
        ) from None
    except OSError as error:
        raise _Kept(
            "unreadable", f"Cannot check {label} before deleting it: {error.strerror}; it was kept."
        ) from None
    with original:
        _check_original(original, photo, source, label, rules, writing)


def _check_original(
    original: InboxFile,
    photo: PoolPhoto,
    source: Source,
    label: str,
    rules: Rules,
    writing: Collection[Identity],
) -> None:
    try:
        st = os.fstat(original.fd)
        if SourceState.of(st) != source.state:
            raise _Kept(
                "changed",
                f"{label} changed after it was pooled, so it was kept; it will be pooled anew.",
                retired=True,
            )
        rested = time.time() - st.st_ctime
        if rested < rules.settle_seconds:
            raise _Kept(
                "settling",
                f"{label} changed moments ago, so it was kept for now; it can be deleted once "
                f"it has rested {rules.settle_seconds:g} seconds.",
                wait=rules.settle_seconds - rested,
            )
        if (st.st_dev, st.st_ino) in writing:
            raise _Kept(
                "open_for_writing",
                f"{label} is still open in another program (a sync client may still be writing "
                "it), so it was kept.",
            )
        if hash_fd(original.fd) != photo.sha256:
            raise _Kept(
                "differs", f"{label} no longer matches its pool copy, so it was kept.", retired=True
            )
        if original.state_by_name() != source.state:
            raise _Kept(
                "replaced",
                f"{label} was replaced while it was checked, so it was kept.",
                retired=True,
            )
        original.unlink()
        if not original.gone():
            raise _Kept(
                "still_there",
                f"{label} is still in the inbox after deleting it; please check the folder.",
            )
    except FileNotFoundError:
        raise _Kept("gone", f"{label} is no longer in the inbox.", retired=True) from None
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise _Kept("gone", f"{label} is no longer in the inbox.", retired=True) from None
        raise _Kept(
            "undeletable", f"Cannot delete {label}: {error.strerror}; it was kept."
        ) from None
    original.sync_folder()
