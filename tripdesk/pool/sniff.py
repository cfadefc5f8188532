"""Telling photos and videos from everything else by their bytes, and spotting broken ones.

A name can lie (a text file called IMG_0007.JPG) and a name can be missing its extension, so the
first bytes decide what a file is. A file whose name or bytes say "photo" but which does not
decode all the way is damaged: it is kept in quarantine, never mistaken for a good copy.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import pillow_heif
from PIL import Image

from tripdesk.pool.complete import tiling

pillow_heif.register_heif_opener()

Kind = Literal["photo", "video"]

# Extensions whose files are expected to be photos or videos (lower case, without the dot).
MEDIA_SUFFIXES: dict[str, Kind] = {
    "jpg": "photo",
    "jpeg": "photo",
    "heic": "photo",
    "heif": "photo",
    "png": "photo",
    "webp": "photo",
    "gif": "photo",
    "mov": "video",
    "mp4": "video",
}

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"3gp4",
    b"3gp5",
    b"3gp6",
    b"dash",
}
# Old QuickTime files start with one of these atoms instead of `ftyp`.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
SNIFF_BYTES = 64

CUT_SHORT = "The file ends too early, as if its transfer was cut short."
_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class MediaType:
    kind: Kind
    ext: str  # the pool's extension for it, lower case, without the dot


@dataclass(frozen=True)
class Inspection:
    """What a complete copy turned out to be."""

    kind: Kind
    ext: str
    damage: str | None
    captured_at: datetime | None


def is_temporary(name: str) -> bool:
    """Names sync clients and browsers write to before renaming: never taken as they are."""
    lower = name.lower()
    return (
        name.startswith(".")
        or name.startswith("~syncthing~")
        or lower.endswith((".part", ".crdownload", ".tmp"))
    )


def suffix_kind(name: str) -> Kind | None:
    """The kind a file's name promises, if its extension is a photo or video one."""
    _, dot, ext = name.rpartition(".")
    return MEDIA_SUFFIXES.get(ext.lower()) if dot else None


def media_type(head: bytes) -> MediaType | None:
    """The photo or video type the first bytes of a file show, if any."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType("photo", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType("photo", "png")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType("photo", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType("photo", "webp")
    if head[4:8] == b"ftyp":
        return _ftyp_type(head)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS:
        return MediaType("video", "mov")
    return None


def _ftyp_type(head: bytes) -> MediaType | None:
    (box_size,) = struct.unpack(">I", head[:4])
    brands = {head[8:12]}
    end = min(box_size, len(head))
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    if b"avif" in brands:
        return None
    if head[8:12] == b"qt  ":
        return MediaType("video", "mov")
    if brands & _HEIC_BRANDS:
        return MediaType("photo", "heic")
    if brands & _HEIF_BRANDS:
        return MediaType("photo", "heif")
    if brands & _MP4_BRANDS:
        return MediaType("video", "mp4")
    return None


def examine(path: Path, name: str) -> Inspection:
    """Decode a complete copy all the way and read its capture time.

    `name` is the original file name: when the bytes are no photo or video at all, its
    extension says what the file was meant to be.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    found = media_type(head)
    if found is None:
        meant = suffix_kind(name)
        ext = name.rpartition(".")[2].lower() if meant else "bin"
        what = "empty" if not head else f"not a {meant or 'photo'} (its content is something else)"
        return Inspection(meant or "photo", ext, f"The file is {what}.", None)
    if found.kind == "video":
        return Inspection("video", found.ext, _movie_damage(path), None)
    damage, captured = _decode_photo(path)
    return Inspection("photo", found.ext, damage, captured)


def _decode_photo(path: Path) -> tuple[str | None, datetime | None]:
    """Every pixel decoded (JPEGs at 1/8 scale: the whole stream is still read and checked).
    A PNG's chunks are checked to its end too: its pixels can be whole while its end is lost.
    """
    try:
        with Image.open(path) as image:
            if image.format == "PNG":
                image.verify()
        with Image.open(path) as image:
            captured = _exif_time(image)
            if image.format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception as error:  # any failure to decode, whatever the codec raises, is damage
        if "truncated" in str(error):
            return CUT_SHORT, None
        return "The photo cannot be decoded.", None
    return None, captured


def _exif_time(image: Image.Image) -> datetime | None:
    """EXIF DateTimeOriginal: the camera's local clock when the shutter fired."""
    try:
        raw = image.getexif().get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except Exception:  # absent, blank or malformed dates all mean: use the file's time
        return None


def _movie_damage(path: Path) -> str | None:
    """A movie's top-level boxes must tile the file exactly and include the movie header."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        problem = tiling(
            lambda offset, length: os.pread(handle.fileno(), length, offset), 0, size, b"moov"
        )
    if problem == "cut":
        return CUT_SHORT
    if problem == "missing":
        return "The video has no movie header, so it cannot be played."
    return None


def file_time(mtime_ns: int) -> datetime:
    """The local time a file was last written, for files without a capture time."""
    return datetime.fromtimestamp(mtime_ns / 1e9)


def read_head(fd: int) -> bytes:
    """The first bytes of an open file, without moving its offset."""
    return os.pread(fd, SNIFF_BYTES, 0)
