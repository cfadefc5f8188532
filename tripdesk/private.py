"""Owner-only files and folders: what tripdesk keeps is about children, so only the teacher's
account may read it, whatever the umask (files 0600, folders 0700).

`owner_only()` sets the process's umask once at start, so every file any part of tripdesk
writes is private; `write_file` and `make_folder` say so explicitly where it matters most, and
`tighten` fixes what an older tripdesk left readable by others.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
_OTHERS = 0o077


def owner_only() -> None:
    """From now on, this process creates files and folders for their owner only."""
    os.umask(_OTHERS)


def make_folder(path: Path) -> None:
    """Create `path` and any missing parents, each new one owner-only."""
    missing: list[Path] = []
    at = path
    while not at.is_dir():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)


def create_file(path: Path) -> None:
    """Make sure `path` exists, created owner-only when it is new (e.g. a database file).

    An existing file is never opened: closing any descriptor of a database file drops every
    lock this process's SQLite connections hold on it.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE))
    except FileExistsError:
        return


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, owner-only: a dry-run preview, a cached upload."""
    make_folder(path.parent)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def tighten(roots: Iterable[Path], *, skip: Iterable[Path] = ()) -> int:
    """Make every file and folder under `roots` owner-only; returns how many changed. The roots
    themselves are the teacher's or the school's folders and keep their modes; links are not
    followed, and the folders in `skip` (the phone's inbox) are left alone."""
    left_alone = {os.path.abspath(path) for path in skip}
    tops = {os.path.abspath(root) for root in roots}
    changed = 0
    stack = [(top, True) for top in tops]
    while stack:
        path, top = stack.pop()
        if path in left_alone:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        if st.st_mode & _OTHERS and not top:
            try:
                os.chmod(path, stat.S_IMODE(st.st_mode) & ~_OTHERS)
                changed += 1
            except OSError:
                pass
        if stat.S_ISDIR(st.st_mode):
            try:
                stack.extend((entry.path, False) for entry in os.scandir(path))
            except OSError:
                continue
    return changed


def tightened_sentence(count: int) -> str | None:
    """One sentence for the teacher when `tighten` changed anything."""
    if not count:
        return None
    things = "file or folder" if count == 1 else "files and folders"
    return (
        f"{count} {things} that an older tripdesk left readable by others "
        f"{'is' if count == 1 else 'are'} now readable by you only."
    )
