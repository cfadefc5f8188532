"""The verified copy into the pool: the safe sequence from the ingest notes, step by step.

Wherever a crash falls, the original is still intact or the pool holds a whole, checked copy under
its final name; a half-written copy only ever exists under a hidden temporary name inside the pool's
`.incoming` folder, which the next start clears.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from tripdesk.errors import TripdeskError
from tripdesk.hashing import hash_file

INCOMING = ".incoming"
CHUNK = 1 << 20
# Photos of children: readable by the teacher's account only.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


@dataclass(frozen=True)
class SourceState:
    """What must still hold for an inbox file to be the one that was copied."""

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, st: os.stat_result) -> SourceState:
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@dataclass(frozen=True)
class Copy:
    """A complete copy under a temporary name, read back from the disk and proven identical."""

    temp: Path
    sha256: str
    source: SourceState


class SourceChanged(Exception):
    """The source changed while it was copied: it is still being written, so try again later."""


def copy_verified(fd: int, pool: Path, label: str, *, recheck: Callable[[], SourceState]) -> Copy:
    """Steps 2–4: copy while hashing, fsync, check the source held still (`recheck` looks at
    its name again), re-read from disk."""
    before = SourceState.of(os.fstat(fd))
    incoming = pool / INCOMING
    ensure_folder(incoming, pool, label)
    temp = incoming / f"{os.getpid()}-{secrets.token_hex(6)}.tmp"
    try:
        out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except OSError as error:
        raise pool_error(error, pool, label) from None
    verified = False
    try:
        digest, copied = _copy_hashing(fd, out, before.size, pool, label)
        _fsync(out, pool, label)
        try:
            after = recheck()
        except FileNotFoundError:
            raise TripdeskError(
                f"{label} vanished from the inbox while it was being copied; nothing was pooled."
            ) from None
        if after != before or copied != before.size:
            raise SourceChanged
        os.posix_fadvise(out, 0, 0, os.POSIX_FADV_DONTNEED)
        if hash_file(temp) != digest:
            raise TripdeskError(
                f"The pool copy of {label} did not read back the same; it was discarded and "
                "the original stays in the inbox."
            )
        verified = True
        return Copy(temp, digest, before)
    finally:
        os.close(out)
        if not verified:
            temp.unlink(missing_ok=True)


def _copy_hashing(fd: int, out: int, size: int, pool: Path, label: str) -> tuple[str, int]:
    """Copy the `size` bytes the source had when it was opened; growth shows in the re-check."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    copied = 0
    while copied < size:
        try:
            n = os.preadv(fd, [view[: min(CHUNK, size - copied)]], copied)
        except OSError as error:
            raise source_error(error, label) from None
        if n == 0:
            break
        digest.update(view[:n])
        try:
            _write_all(out, view[:n])
        except OSError as error:
            raise pool_error(error, pool, label) from None
        copied += n
    return digest.hexdigest(), copied


def _write_all(fd: int, data: memoryview) -> None:
    """Where the bytes reach the pool's disk (tests inject a full disk here)."""
    while data:
        data = data[os.write(fd, data) :]


def _fsync(fd: int, pool: Path, label: str) -> None:
    try:
        os.fsync(fd)
    except OSError as error:
        raise pool_error(error, pool, label) from None


def place(copy: Copy, folder: Path, stem: str, ext: str, pool: Path, label: str) -> Path:
    """Step 5: give the copy its final name without ever overwriting, then fsync the folder.

    If the name is taken by the very same bytes (a crash after this step last time, or another
    tripdesk pooling the same photo), that file is the result; other bytes get `-2`, `-3`, ….
    """
    ensure_folder(folder, pool, label)
    try:
        for n in count(1):
            final = folder / (f"{stem}.{ext}" if n == 1 else f"{stem}-{n}.{ext}")
            try:
                _link(copy.temp, final)
            except FileExistsError:
                if hash_file(final) == copy.sha256:
                    break
                continue
            break
        copy.temp.unlink(missing_ok=True)
        fsync_folder(folder)
    except OSError as error:
        raise pool_error(error, pool, label) from None
    return final


def _link(temp: Path, final: Path) -> None:
    """`os.link` refuses to overwrite; filesystems without hard links (FAT) get a checked rename."""
    try:
        os.link(temp, final)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(final)) from None
        os.rename(temp, final)


def ensure_folder(folder: Path, pool: Path, label: str) -> None:
    """Create `folder` and any missing parents, each one made durable in its parent."""
    missing: list[Path] = []
    at = folder
    while not at.is_dir():
        missing.append(at)
        at = at.parent
    try:
        for path in reversed(missing):
            path.mkdir(mode=FOLDER_MODE, exist_ok=True)
            fsync_folder(path.parent)
    except OSError as error:
        raise pool_error(error, pool, label) from None


def fsync_folder(folder: Path) -> None:
    """Make a folder's new or removed names survive a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno != errno.EINVAL:  # some filesystems cannot sync a folder
            raise
    finally:
        os.close(fd)


def clear_stray(pool: Path) -> int:
    """Remove temporary copies left by a tripdesk that is no longer running; count them."""
    removed = 0
    try:
        entries = list(os.scandir(pool / INCOMING))
    except OSError:
        return 0
    for entry in entries:
        pid, dash, _ = entry.name.partition("-")
        if not dash or not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # nothing of ours is in flight yet when the stray ones are cleared
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def source_error(error: OSError, label: str) -> TripdeskError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return TripdeskError(f"tripdesk may not read {label}; it stays in the inbox.")
    if error.errno == errno.ELOOP:
        return TripdeskError(f"{label} is a link; tripdesk never follows links out of the inbox.")
    if error.errno == errno.EIO:
        return TripdeskError(
            f"Reading {label} failed (was the phone unplugged?); it stays in the inbox."
        )
    return TripdeskError(f"Cannot read {label}: {error.strerror}; it stays in the inbox.")


def pool_error(error: OSError, pool: Path, label: str) -> TripdeskError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return TripdeskError(
            f"The pool's disk is full; {label} stays in the inbox until there is room."
        )
    if error.errno == errno.EROFS:
        return TripdeskError(f"The pool folder {pool} is read-only; {label} stays in the inbox.")
    if error.errno in (errno.EACCES, errno.EPERM):
        return TripdeskError(
            f"tripdesk may not write to the pool folder {pool}; {label} stays in the inbox."
        )
    if error.errno == errno.ENOENT:
        return TripdeskError(
            f"The pool folder {pool} is not there (is its disk plugged in?); "
            f"{label} stays in the inbox."
        )
    return TripdeskError(
        f"Cannot write {label} to the pool folder {pool}: {error.strerror}; it stays in the inbox."
    )
