"""Is a file whole? Format by format, and who still holds an original open for writing."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image
from pool_helpers import jpeg_bytes, motion_photo, mp4_bytes

from tripdesk.pool import complete, writers


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 30)).save(out, fmt)
    return out.getvalue()


def samsung_trailer() -> bytes:
    body = b"SEFH" + bytes(20)
    return body + struct.pack("<I", len(body)) + b"SEFT"


WHOLE = [
    ("jpg", jpeg_bytes(1)),
    ("jpg", motion_photo(2)),
    ("jpg", jpeg_bytes(3) + mp4_bytes()),  # a motion photo its XMP does not announce
    ("jpg", jpeg_bytes(4) + samsung_trailer()),
    ("mp4", mp4_bytes()),
    ("png", image_bytes("PNG")),
    ("gif", image_bytes("GIF")),
    ("webp", image_bytes("WEBP")),
]
CUT = [
    ("jpg", jpeg_bytes(1) + bytes(100)),
    ("jpg", motion_photo(2)[:-10]),
    ("jpg", jpeg_bytes(3) + mp4_bytes()[:30]),
    ("mp4", mp4_bytes(with_moov=False)),
    ("mp4", mp4_bytes()[:-1]),
    ("png", image_bytes("PNG")[:-12]),
    ("gif", image_bytes("GIF")[:-1]),
    ("webp", image_bytes("WEBP") + b"\0\0"),
]


@pytest.mark.parametrize(("ext", "data"), WHOLE)
def test_whole_files_are_whole(tmp_path: Path, ext: str, data: bytes) -> None:
    path = tmp_path / f"file.{ext}"
    path.write_bytes(data)
    assert complete.problem(path, ext) is None


@pytest.mark.parametrize(("ext", "data"), CUT)
def test_files_not_whole_say_why_in_one_sentence(tmp_path: Path, ext: str, data: bytes) -> None:
    path = tmp_path / f"file.{ext}"
    path.write_bytes(data)
    why = complete.problem(path, ext)
    assert why is not None and why.endswith("the original kept.") and why.count(".") == 1


def test_the_fixture_heic_is_whole(fixture_photos: Path, tmp_path: Path) -> None:
    heic = (fixture_photos / "IMG_0005.HEIC").read_bytes()
    assert complete.problem(fixture_photos / "IMG_0005.HEIC", "heic") is None
    (tmp_path / "cut.heic").write_bytes(heic + b"\0\0\x10\0mdat" + bytes(8))  # 16 of 4096
    assert complete.problem(tmp_path / "cut.heic", "heic") is not None


@pytest.mark.parametrize("find", [writers._from_proc, writers._from_psutil])
def test_a_file_open_for_writing_is_found_and_one_open_for_reading_is_not(
    tmp_path: Path, find
) -> None:
    written, read = tmp_path / "written.jpg", tmp_path / "read.jpg"
    read.write_bytes(b"x")
    identity = {p: (p.stat().st_dev, p.stat().st_ino) for p in (read,)}
    with written.open("ab") as _, read.open("rb") as __:
        identity[written] = (written.stat().st_dev, written.stat().st_ino)
        assert find(set(identity.values())) == {identity[written]}
    assert find(set(identity.values())) == set()
    assert writers.being_written(()) == set()
