"""Content sniffing and damage checks: by bytes, not by name."""

from __future__ import annotations

import shutil
import struct
from datetime import datetime
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes

from tripdesk.pool.sniff import MediaType, examine, is_temporary, media_type, suffix_kind


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    return box(b"ftyp", major + b"\0\0\0\0" + b"".join(compatible))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1" + b"\0" * 20, MediaType("photo", "jpg")),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, MediaType("photo", "png")),
        (b"GIF89a" + b"\0" * 20, MediaType("photo", "gif")),
        (b"RIFF\0\0\0\0WEBPVP8 ", MediaType("photo", "webp")),
        (ftyp(b"heic", b"mif1", b"heic"), MediaType("photo", "heic")),
        (ftyp(b"mif1", b"mif1", b"miaf"), MediaType("photo", "heif")),
        (ftyp(b"qt  ", b"qt  "), MediaType("video", "mov")),
        (ftyp(b"isom", b"isom", b"avc1"), MediaType("video", "mp4")),
        (box(b"moov", b"\0" * 16), MediaType("video", "mov")),
        (ftyp(b"avif", b"avif", b"mif1"), None),
        (b"%PDF-1.7\n", None),
        (b"hello, this is a text file", None),
        (b"", None),
    ],
)
def test_the_first_bytes_decide_the_type(head: bytes, expected: MediaType | None) -> None:
    assert media_type(head) == expected


@pytest.mark.parametrize(
    "name",
    [
        ".IMG_0001.JPG",
        ".syncthing.IMG_0001.JPG.tmp",
        "~syncthing~IMG_0001.JPG.tmp",
        ".IMG_0001.JPG.~1a2b",
        "IMG_0001.JPG.part",
        "IMG_0001.JPG.crdownload",
        "IMG_0001.TMP",
    ],
)
def test_sync_and_browser_temporary_names_are_recognised(name: str) -> None:
    assert is_temporary(name)


@pytest.mark.parametrize("name", ["IMG_0001.JPG", "Sports day (2).heic", "partial.jpg", "tmp.png"])
def test_ordinary_names_are_not_temporary(name: str) -> None:
    assert not is_temporary(name)


def test_the_extension_says_what_a_file_was_meant_to_be() -> None:
    assert suffix_kind("IMG_0001.JPG") == "photo"
    assert suffix_kind("clip.MOV") == "video"
    assert suffix_kind("notes.txt") is None
    assert suffix_kind("README") is None


def test_a_good_photo_decodes_and_gives_its_capture_time(tmp_path: Path) -> None:
    path = tmp_path / "copy"
    path.write_bytes(jpeg_bytes(1, taken="2026:06:12 10:41:07"))
    found = examine(path, "IMG_0001.JPG")
    assert (found.kind, found.ext, found.damage) == ("photo", "jpg", None)
    assert found.captured_at == datetime(2026, 6, 12, 10, 41, 7)


def test_a_photo_without_exif_date_has_no_capture_time(tmp_path: Path) -> None:
    path = tmp_path / "copy"
    path.write_bytes(jpeg_bytes(2))
    assert examine(path, "x.jpg").captured_at is None


def test_content_wins_over_a_wrong_extension(tmp_path: Path, fixture_photos: Path) -> None:
    path = tmp_path / "copy"
    shutil.copy(fixture_photos / "IMG_0009.PNG", path)
    found = examine(path, "IMG_0009.JPG")
    assert (found.ext, found.damage) == ("png", None)


def test_the_fixture_heic_decodes_with_its_capture_time(
    tmp_path: Path, fixture_photos: Path
) -> None:
    path = tmp_path / "copy"
    shutil.copy(fixture_photos / "IMG_0005.HEIC", path)
    found = examine(path, "IMG_0005.HEIC")
    assert (found.kind, found.ext, found.damage) == ("photo", "heic", None)
    assert found.captured_at is not None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("IMG_0006_truncated.JPG", "ends too early"),
        ("IMG_0007_not_a_photo.JPG", "not a photo"),
        ("IMG_0008_empty.JPG", "empty"),
    ],
)
def test_the_broken_fixtures_are_damaged(
    tmp_path: Path, fixture_photos: Path, name: str, words: str
) -> None:
    path = tmp_path / "copy"
    shutil.copy(fixture_photos / name, path)
    found = examine(path, name)
    assert found.damage is not None and words in found.damage
    assert (found.kind, found.ext) == ("photo", "jpg")


def test_a_jpeg_cut_short_anywhere_in_its_data_is_damaged(tmp_path: Path) -> None:
    data = jpeg_bytes(3, size=(640, 480))
    path = tmp_path / "copy"
    path.write_bytes(data[: len(data) * 3 // 4])
    assert examine(path, "a.jpg").damage is not None


def test_a_whole_movie_passes_and_a_cut_one_does_not(tmp_path: Path) -> None:
    movie = ftyp(b"isom", b"isom") + box(b"moov", b"\0" * 100) + box(b"mdat", b"\1" * 5000)
    path = tmp_path / "copy"
    path.write_bytes(movie)
    assert examine(path, "clip.mp4").damage is None
    path.write_bytes(movie[:-10])
    assert "ends too early" in (examine(path, "clip.mp4").damage or "")
    path.write_bytes(ftyp(b"qt  ", b"qt  ") + box(b"mdat", b"\1" * 100))
    assert "movie header" in (examine(path, "clip.mov").damage or "")


def test_a_png_that_lost_only_its_end_is_damaged(tmp_path: Path, fixture_photos: Path) -> None:
    data = (fixture_photos / "IMG_0009.PNG").read_bytes()
    path = tmp_path / "copy"
    path.write_bytes(data[:-12])
    assert "ends too early" in (examine(path, "IMG_0009.PNG").damage or "")
