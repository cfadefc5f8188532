"""Thumbnails for the grid: small, upright, cached, and a placeholder for anything unreadable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from tripdesk.media import thumbs
from tripdesk.media.thumbs import thumbnail

PHOTOS = ("IMG_0001.JPG", "IMG_0004.JPG", "IMG_0005.HEIC", "IMG_0009.PNG")
BROKEN = ("IMG_0006_truncated.JPG", "IMG_0007_not_a_photo.JPG", "IMG_0008_empty.JPG")


@pytest.mark.parametrize("name", PHOTOS)
def test_thumbnails_are_small_and_upright(fixture_photos: Path, tmp_path: Path, name: str) -> None:
    photo = fixture_photos / name
    path = thumbnail(photo, 240, cache_dir=tmp_path)
    reference = ImageOps.exif_transpose(Image.open(photo)).convert("RGB")
    with Image.open(path) as image:
        assert max(image.size) == 240
        assert abs(image.width / image.height - reference.width / reference.height) < 0.02
        small = np.asarray(reference.resize(image.size, Image.Resampling.BOX), dtype=np.int16)
        assert np.abs(small - np.asarray(image.convert("RGB"), dtype=np.int16)).mean() < 8
        assert not image.getexif() and "comment" not in image.info


def test_a_thumbnail_is_made_once(fixture_photos: Path, tmp_path: Path) -> None:
    photo = fixture_photos / "IMG_0002.JPG"
    first = thumbnail(photo, 120, cache_dir=tmp_path)
    made = first.stat().st_mtime_ns
    assert thumbnail(photo, 120, cache_dir=tmp_path) == first
    assert first.stat().st_mtime_ns == made
    assert thumbnail(photo, 60, cache_dir=tmp_path) != first


def test_a_small_photo_is_not_enlarged(tmp_path: Path) -> None:
    photo = tmp_path / "tiny.png"
    Image.new("RGBA", (50, 40), (0, 0, 255, 0)).save(photo)
    with Image.open(thumbnail(photo, 480, cache_dir=tmp_path / "cache")) as image:
        assert image.size == (50, 40)
        assert image.getpixel((0, 0)) == pytest.approx(thumbs.BACKGROUND, abs=3)


@pytest.mark.parametrize("name", [*BROKEN, "IMG_0404_never_there.JPG"])
def test_unreadable_files_get_the_placeholder(
    fixture_photos: Path, tmp_path: Path, name: str
) -> None:
    path = thumbnail(fixture_photos / name, 200, cache_dir=tmp_path)
    assert path == thumbs.placeholder(200, cache_dir=tmp_path)
    with Image.open(path) as image:
        assert image.size == (200, 200)
        colours = np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)
        assert len(colours) > 2  # drawn, not blank
