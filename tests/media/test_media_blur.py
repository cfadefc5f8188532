"""Blurring: faces gone for the detector, the rest untouched, the original kept, all catalogued."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.media import faces
from tripdesk.media.blur import blur_faces, blur_regions
from tripdesk.media.images import open_upright, sha256_of
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.pool.transfer import SourceState


def pooled(conn: sqlite3.Connection, cfg: Config, fixture: Path) -> PoolPhoto:
    """A fixture photo put in the pool and catalogued as the ingest would."""
    folder = cfg.trip.pool / cfg.trip.slug / "2026-06-12"
    folder.mkdir(parents=True)
    target = folder / f"104107_{sha256_of(fixture)[:8]}{fixture.suffix.lower()}"
    shutil.copyfile(fixture, target)
    photo, _ = catalogue.add_pooled(
        conn,
        sha256=sha256_of(target),
        pool_path=target,
        source=cfg.trip.inbox / fixture.name,
        state=SourceState.of(os.stat(target)),
        captured_at=datetime(2026, 6, 12, 10, 41, 7),
        kind="photo",
        damage=None,
    )
    return photo


@pytest.mark.parametrize("name", ["IMG_0001.JPG", "IMG_0004.JPG", "IMG_0005.HEIC"])
def test_blurred_faces_are_not_found_again(fixture_photos: Path, tmp_path: Path, name: str) -> None:
    photo = fixture_photos / name
    report = faces.detect(photo)
    assert report.count
    image, _ = open_upright(photo)
    blurred = tmp_path / "blurred.jpg"
    blur_regions(image, report.boxes).save(blurred, quality=92)
    assert faces.detect(blurred, threshold=0.3) == faces.FaceReport(count=0)


def test_only_the_enlarged_boxes_change() -> None:
    rng = np.random.default_rng(1)
    image = Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8))
    out = np.asarray(blur_regions(image, [(100, 100, 200, 150)]), dtype=np.int16)
    before = np.asarray(image, dtype=np.int16)
    changed = np.argwhere(np.any(out != before, axis=2))
    # a 100×50 box grown 1.6× about its centre (150, 125) spans 70–230 × 85–165
    assert changed[:, 1].min() >= 70 and changed[:, 1].max() < 230
    assert changed[:, 0].min() >= 85 and changed[:, 0].max() < 165
    inside = out[90:160, 75:225]
    assert inside.std() < before[90:160, 75:225].std() / 4, "noise inside must be wiped out"


def test_boxes_at_the_edge_or_outside_do_no_harm() -> None:
    image = Image.new("RGB", (100, 80), (10, 200, 30))
    out = blur_regions(image, [(90, 70, 130, 120), (200, 200, 220, 230), (5, 5, 5, 5)])
    assert out.size == image.size


def test_blur_faces_adds_a_catalogued_copy_beside_the_original(
    fixture_photos: Path, conn: sqlite3.Connection, cfg: Config
) -> None:
    photo = pooled(conn, cfg, fixture_photos / "IMG_0001.JPG")
    original_bytes = photo.pool_path.read_bytes()
    boxes = faces.detect(photo.pool_path).boxes

    derived = blur_faces(conn, cfg, photo, boxes)

    assert photo.pool_path.read_bytes() == original_bytes
    assert derived.derived_from == photo.id and derived.id != photo.id
    assert derived.pool_path.parent == photo.pool_path.parent
    assert derived.pool_path.is_file() and sha256_of(derived.pool_path) == derived.sha256
    assert catalogue.photo_by_sha(conn, derived.sha256) == derived
    cached = faces.face_report(
        conn, derived.pool_path, derived.sha256, threshold=0.3, detect_missing=False
    )
    assert cached == faces.FaceReport(count=0), "the guard sees the re-checked copy at once"
    (event,) = audit.events(conn, kind_prefix="media.blurred")
    assert event.facts["source_sha256"] == photo.sha256
    assert event.facts["sha256"] == derived.sha256 and event.facts["boxes"] == 1
    with Image.open(derived.pool_path) as image:
        assert image.size == (2016, 1512)  # upright and full size
        assert not image.getexif()


def test_the_same_blur_twice_writes_one_file(
    fixture_photos: Path, conn: sqlite3.Connection, cfg: Config
) -> None:
    photo = pooled(conn, cfg, fixture_photos / "IMG_0004.JPG")
    boxes = faces.detect(photo.pool_path).boxes
    first = blur_faces(conn, cfg, photo, boxes)
    assert blur_faces(conn, cfg, photo, boxes) == first
    other = blur_faces(conn, cfg, photo, boxes[:1])
    assert other.pool_path != first.pool_path
    assert len(list(photo.pool_path.parent.iterdir())) == 3
    assert not [p for p in photo.pool_path.parent.iterdir() if p.name.startswith(".")]


def test_blurring_nothing_is_refused(
    fixture_photos: Path, conn: sqlite3.Connection, cfg: Config
) -> None:
    photo = pooled(conn, cfg, fixture_photos / "IMG_0002.JPG")
    with pytest.raises(TripdeskError, match="at least one face"):
        blur_faces(conn, cfg, photo, [])


def test_a_damaged_pool_photo_cannot_be_blurred(
    fixture_photos: Path, conn: sqlite3.Connection, cfg: Config
) -> None:
    photo = pooled(conn, cfg, fixture_photos / "IMG_0006_truncated.JPG")
    with pytest.raises(TripdeskError, match="damaged"):
        blur_faces(conn, cfg, photo, [(10, 10, 50, 50)])
    assert [p.name for p in photo.pool_path.parent.iterdir()] == [photo.pool_path.name]
