"""Is a file whole? Its format says where it must end, and what it must contain.

A sync client can pause mid-file with everything written so far still decodable: a photo whose
motion-photo video is not appended yet, a file preallocated and still zeros at its end. Such a
file is pooled, but as "maybe incomplete", and its original is never deleted. A file is whole
when its format's structure reaches exactly its last byte:
- JPEG: it ends with its end-of-image marker, or with a known trailer that is itself whole (the
  video its XMP announces, an ISO-BMFF movie straight after the end-of-image, a Samsung trailer);
- ISO-BMFF (HEIC, HEIF, MP4, MOV): its top-level boxes tile the file and include the metadata box;
- PNG ends with IEND, GIF with its trailer byte, WebP's RIFF size is the file's.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable

MAYBE_INCOMPLETE = "It may be incomplete ({why}); it was pooled and the original kept."
_HEAD = 1 << 18  # where a JPEG's XMP is found
_EOI = b"\xff\xd9"
_PNG_END = b"\0\0\0\0IEND\xaeB`\x82"
_OFFSET = re.compile(rb'MicroVideoOffset\s*=\s*"(\d+)"|MicroVideoOffset>(\d+)<')
_ITEM = re.compile(rb"<Container:Item\b[^>]*>|<rdf:li\b[^>]*Item:[^>]*>")
_LENGTH = re.compile(rb'Item:Length\s*=\s*"(\d+)"')

Read = Callable[[int, int], bytes]


def problem(path: os.PathLike[str] | str, ext: str) -> str | None:
    """Why the complete copy at `path` (of a file of type `ext`) may not be whole, or None."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size

        def read(offset: int, length: int) -> bytes:
            return os.pread(fd, length, offset) if offset >= 0 and length > 0 else b""

        why = _why(read, size, ext)
    finally:
        os.close(fd)
    return None if why is None else MAYBE_INCOMPLETE.format(why=why)


def _why(read: Read, size: int, ext: str) -> str | None:
    if ext == "jpg":
        return _jpeg(read, size)
    if ext in ("heic", "heif"):
        return _boxes(read, 0, size, b"meta")
    if ext in ("mp4", "mov"):
        return _boxes(read, 0, size, b"moov")
    if ext == "png":
        return None if read(size - 12, 12) == _PNG_END else "it does not end where a PNG ends"
    if ext == "gif":
        return None if read(size - 1, 1) == b";" else "it does not end where a GIF ends"
    if ext == "webp":
        (riff,) = struct.unpack("<I", read(4, 4).ljust(4, b"\0"))
        return None if riff + 8 == size else "its length is not the one it declares"
    return None


def _jpeg(read: Read, size: int) -> str | None:
    announced = _announced_video(read(0, min(size, _HEAD)))
    if announced is not None:
        start = size - announced
        if start <= 2 or read(start - 2, 2) != _EOI or _boxes(read, start, size, b"moov"):
            return "its motion-photo video is missing or cut short"
        return None
    if read(size - 2, 2) == _EOI:
        return None
    if _samsung_trailer(read, size):
        return None
    data = read(0, size)
    at = data.find(b"ftyp")
    while at != -1:
        start = at - 4
        if (
            start >= 2
            and data[start - 2 : start] == _EOI
            and not _boxes(read, start, size, b"moov")
        ):
            return None
        at = data.find(b"ftyp", at + 1)
    return "it does not end where a JPEG ends"


def _announced_video(head: bytes) -> int | None:
    """The length of the video a motion photo's XMP says follows the JPEG, if it says so."""
    found = _OFFSET.search(head)
    if found:
        value = int(found.group(1) or found.group(2))
        return value or None
    for item in _ITEM.finditer(head):
        element = item.group(0)
        if b"MotionPhoto" in element or b"video/" in element:
            length = _LENGTH.search(element)
            if length and int(length.group(1)):
                return int(length.group(1))
    return None


def _samsung_trailer(read: Read, size: int) -> bool:
    """Samsung phones append a directory ending in `SEFT`, its length before it."""
    if size < 16 or read(size - 4, 4) != b"SEFT":
        return False
    (length,) = struct.unpack("<I", read(size - 8, 4))
    start = size - 8 - length
    return start > 0 and read(start, 4) == b"SEFH"


def tiling(read: Read, start: int, end: int, needed: bytes) -> str | None:
    """Top-level ISO-BMFF boxes from `start` must end exactly at `end` and include `needed`:
    None when they do, "cut" when the last box runs past the end, "missing" without `needed`."""
    offset = start
    seen: set[bytes] = set()
    while offset < end:
        header = read(offset, 16)
        if len(header) < 8:
            return "cut"
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1:
            if len(header) < 16:
                return "cut"
            (size,) = struct.unpack(">Q", header[8:16])
        elif size == 0:
            size = end - offset
        if size < 8 or offset + size > end:
            return "cut"
        seen.add(kind)
        offset += size
    return None if needed in seen else "missing"


def _boxes(read: Read, start: int, end: int, needed: bytes) -> str | None:
    problem = tiling(read, start, end, needed)
    if problem == "cut":
        return "its last box is cut short"
    if problem == "missing":
        return f"it has no '{needed.decode()}' box yet"
    return None
