"""Which inbox files another program still holds open for writing (a sync client mid-file).

On Linux the `/proc/*/fd` table answers exactly: each descriptor's link is followed to the
file's identity, and its `fdinfo` flags say whether it was opened to write. Elsewhere psutil
lists open files by path; where it cannot say how a file was opened, an open file counts as
being written, since keeping an original is always the safe side. Processes of other users
cannot be seen; a sync client runs as the teacher.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from pathlib import Path

Identity = tuple[int, int]  # (device, inode)

_ACCESS = 0o3  # O_ACCMODE: 0 read-only, 1 write-only, 2 read-write


def being_written(files: Collection[Identity]) -> set[Identity]:
    """The files among `files` that some process has open for writing now."""
    if not files:
        return set()
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd"):
        return _from_proc(set(files))
    return _from_psutil(set(files))


def _from_proc(wanted: set[Identity]) -> set[Identity]:
    found: set[Identity] = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fds = f"/proc/{pid}/fd"
        try:
            numbers = os.listdir(fds)
        except OSError:
            continue
        for number in numbers:
            try:
                st = os.stat(f"{fds}/{number}")
            except OSError:
                continue
            identity = (st.st_dev, st.st_ino)
            if identity in wanted and identity not in found and _writes(pid, number):
                found.add(identity)
    return found


def _writes(pid: str, number: str) -> bool:
    try:
        with open(f"/proc/{pid}/fdinfo/{number}", encoding="ascii") as info:
            for line in info:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8) & _ACCESS != 0
    except (OSError, ValueError):
        return True  # closed meanwhile, or unreadable: the safe side
    return True


def _from_psutil(wanted: set[Identity]) -> set[Identity]:
    import psutil

    found: set[Identity] = set()
    for process in psutil.process_iter():
        try:
            opened = process.open_files()
        except (psutil.Error, OSError):
            continue
        for handle in opened:
            try:
                st = Path(handle.path).stat()
            except OSError:
                continue
            identity = (st.st_dev, st.st_ino)
            mode = getattr(handle, "mode", None)
            if identity in wanted and (mode is None or mode != "r"):
                found.add(identity)
    return found
