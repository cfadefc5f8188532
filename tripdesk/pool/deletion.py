"""Deleting an original from the phone folder, only once it is proven safe at that moment.

Before: the pool copy is there and still has the photo's hash, and the original is the very
file that was verified (same size, mtime, inode) with the same hash. After: `lstat` must fail,
the folder is fsynced, and the receipt goes into the catalogue and the audit log.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tripdesk import audit
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto, Source
from tripdesk.pool.transfer import SourceState, fsync_folder, hash_fd, hash_file


@dataclass(frozen=True)
class DeletionReceipt:
    """What became of one original: `deleted`, or why not (`reason`, one sentence)."""

    photo: PoolPhoto
    source: Path
    deleted: bool
    reason: str | None


def delete_source(
    conn: sqlite3.Connection, photo: PoolPhoto, source: Source, label: str
) -> DeletionReceipt:
    """Delete one original of `photo` if, and only if, every check passes now."""
    try:
        _check_and_delete(photo, source, label)
    except _Kept as kept:
        if kept.retired:
            catalogue.mark_gone(conn, source, why=kept.code)
        else:
            audit.record(
                conn, "pool.deletion_refused", photo=photo.id, source=source.id, why=kept.code
            )
        return DeletionReceipt(photo, source.path, False, kept.reason)
    catalogue.mark_deleted(conn, source, photo)
    return DeletionReceipt(photo, source.path, True, None)


class _Kept(Exception):
    """Why an original was not deleted: a sentence for the teacher (it names the file) and a
    code for the audit log (it must not); `retired` when it is no longer the verified file.
    """

    def __init__(self, code: str, reason: str, *, retired: bool = False) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.retired = retired


def _check_and_delete(photo: PoolPhoto, source: Source, label: str) -> None:
    if photo.damaged:
        raise _Kept(
            "damaged",
            f"{label} could not be decoded, so it is never deleted automatically: "
            "the phone may still hold a good copy.",
        )
    try:
        pool_ok = hash_file(photo.pool_path) == photo.sha256
    except OSError:
        pool_ok = False
    if not pool_ok:
        raise _Kept(
            "pool_copy_differs",
            f"The pool copy of {label} is missing or has changed, so the original was kept.",
        )
    gone = _Kept("gone", f"{label} is no longer in the inbox.", retired=True)
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise gone from None
    except OSError as error:
        raise _Kept(
            "unreadable", f"Cannot check {label} before deleting it: {error.strerror}; it was kept."
        ) from None
    try:
        if SourceState.of(os.fstat(fd)) != source.state:
            raise _Kept(
                "changed",
                f"{label} changed after it was pooled, so it was kept; it will be pooled anew.",
                retired=True,
            )
        if hash_fd(fd) != photo.sha256:
            raise _Kept(
                "differs", f"{label} no longer matches its pool copy, so it was kept.", retired=True
            )
        if SourceState.of(os.lstat(source.path)) != source.state:
            raise _Kept(
                "replaced",
                f"{label} was replaced while it was checked, so it was kept.",
                retired=True,
            )
        os.unlink(source.path)
    except FileNotFoundError:
        raise gone from None
    except OSError as error:
        raise _Kept(
            "undeletable", f"Cannot delete {label}: {error.strerror}; it was kept."
        ) from None
    finally:
        os.close(fd)
    try:
        os.lstat(source.path)
    except FileNotFoundError:
        _fsync_quietly(source.path.parent)
        return
    raise _Kept(
        "still_there", f"{label} is still in the inbox after deleting it; please check the folder."
    )


def _fsync_quietly(folder: Path) -> None:
    """The unlink is done and proven; a folder that cannot be synced does not undo it."""
    try:
        fsync_folder(folder)
    except OSError:
        return
