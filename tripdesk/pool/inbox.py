"""Reaching files inside the inbox without ever being led out of it.

A folder inside the inbox can be swapped for a link at any moment (by a sync client, or by
someone who means harm), so no path below the inbox is handed to the system whole. Every step
is opened relative to the folder handle before it, refusing links (`O_NOFOLLOW`) and anything
that is not a folder (`O_DIRECTORY`); a file is then judged by `fstat` on its own handle, and
removed by its name inside the parent folder that was opened this way. Only the inbox folder
itself is opened by its configured path, which may be a link the teacher made on purpose.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from tripdesk.pool.sniff import is_temporary
from tripdesk.pool.transfer import SourceState

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class OutsideInbox(OSError):
    """The path is not below the inbox, or one of its folders is a link."""


@dataclass
class InboxFile:
    """An inbox file opened for reading, with the handle of the folder that holds it.

    Close it (or use it in a `with`) once done: it holds two file descriptors.
    """

    path: Path
    folder: int
    name: str
    fd: int

    def state(self) -> SourceState:
        return SourceState.of(os.fstat(self.fd))

    def state_by_name(self) -> SourceState:
        """What the name in the verified folder points at now (a link is not followed)."""
        return SourceState.of(os.stat(self.name, dir_fd=self.folder, follow_symlinks=False))

    def unlink(self) -> None:
        """Remove the name from the verified folder, never a file reached through a link."""
        os.unlink(self.name, dir_fd=self.folder)

    def gone(self) -> bool:
        try:
            os.stat(self.name, dir_fd=self.folder, follow_symlinks=False)
        except FileNotFoundError:
            return True
        return False

    def sync_folder(self) -> None:
        """Make the removal survive a power cut; a folder that cannot be synced does not undo it."""
        with suppress(OSError):
            os.fsync(self.folder)

    def close(self) -> None:
        os.close(self.fd)
        os.close(self.folder)

    def __enter__(self) -> InboxFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Inbox:
    """The inbox folder, opened afresh for each use: a phone's folder may be unplugged."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def parts(self, path: Path) -> tuple[str, ...]:
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            raise OutsideInbox(errno.EXDEV, "not inside the inbox", str(path)) from None
        if not parts or ".." in parts:
            raise OutsideInbox(errno.EXDEV, "not a file inside the inbox", str(path))
        return parts

    def _open_folder(self, parts: tuple[str, ...]) -> int:
        """The folder `parts` below the inbox, each step refusing links."""
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for part in parts:
                inner = os.open(part, _FOLDER, dir_fd=fd)
                os.close(fd)
                fd = inner
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise OutsideInbox(error.errno, "a folder on the way is a link", None) from None
            raise
        return fd

    def lstat(self, path: Path) -> os.stat_result:
        """`lstat` of a path below the inbox, reached through verified folders only."""
        parts = self.parts(path)
        folder = self._open_folder(parts[:-1])
        try:
            return os.stat(parts[-1], dir_fd=folder, follow_symlinks=False)
        finally:
            os.close(folder)

    def open(self, path: Path) -> InboxFile:
        """Open a regular file below the inbox for reading; OSError (ELOOP for a link) if not."""
        parts = self.parts(path)
        folder = self._open_folder(parts[:-1])
        try:
            fd = os.open(parts[-1], _FILE, dir_fd=folder)
        except OSError:
            os.close(folder)
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            os.close(folder)
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return InboxFile(path, folder, parts[-1], fd)

    def walk(self, path: Path | None = None) -> Iterator[Path]:
        """Every name below `path` (the inbox by default) that is not a folder, sorted, skipping
        temporary names; folders are entered through their handles, links are listed, not
        entered. Raises OSError when `path` itself cannot be opened."""
        parts = () if path is None or path == self.root else self.parts(path)
        fd = self._open_folder(parts)
        try:
            yield from self._walk(fd, self.root.joinpath(*parts))
        finally:
            os.close(fd)

    def _walk(self, fd: int, at: Path) -> Iterator[Path]:
        with os.scandir(fd) as listing:
            entries = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing)
        for name, is_folder in entries:
            if is_temporary(name):
                continue
            if not is_folder:
                yield at / name
                continue
            try:
                inner = os.open(name, _FOLDER, dir_fd=fd)
            except OSError:
                yield at / name  # swapped for a link or gone meanwhile: the caller looks again
                continue
            try:
                yield from self._walk(inner, at / name)
            finally:
                os.close(inner)


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
