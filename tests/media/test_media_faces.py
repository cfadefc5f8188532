"""The face detector on the shared fixtures, its cache per sha256, and `draft_faces`."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.media import centerface, faces
from tripdesk.media.images import sha256_of
from tripdesk.media.report import FaceReport

BROKEN = ("IMG_0006_truncated.JPG", "IMG_0007_not_a_photo.JPG", "IMG_0008_empty.JPG")


@pytest.mark.parametrize(
    ("name", "at_least"),
    [("IMG_0001.JPG", 1), ("IMG_0004.JPG", 3), ("IMG_0005.HEIC", 1)],
)
def test_faces_are_found_in_the_photos_of_people(
    fixture_photos: Path, name: str, at_least: int
) -> None:
    report = faces.detect(fixture_photos / name, threshold=0.3)
    assert report.error is None
    assert report.count is not None and report.count >= at_least
    assert len(report.boxes) == report.count


@pytest.mark.parametrize("name", ["IMG_0002.JPG", "IMG_0003.JPG", "IMG_0009.PNG"])
def test_no_face_is_found_in_a_cup_a_cat_or_a_rocket(fixture_photos: Path, name: str) -> None:
    assert faces.detect(fixture_photos / name, threshold=0.3) == FaceReport(count=0)


def test_boxes_are_in_full_resolution_upright_pixels(fixture_photos: Path, tmp_path: Path) -> None:
    """IMG_0001 is stored turned (Orientation 6): its box must match the same face saved upright."""
    photo = fixture_photos / "IMG_0001.JPG"
    upright = ImageOps.exif_transpose(Image.open(photo)).convert("RGB")
    assert upright.size != Image.open(photo).size
    upright_copy = tmp_path / "upright.jpg"
    upright.save(upright_copy, quality=95)
    (turned_box,) = faces.detect(photo).boxes
    (upright_box,) = faces.detect(upright_copy).boxes
    left, top, right, bottom = turned_box
    assert 0 <= left < right <= upright.width and 0 <= top < bottom <= upright.height
    for mine, reference in zip(turned_box, upright_box, strict=True):
        assert abs(mine - reference) <= 0.02 * max(upright.size)


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_give_a_report_that_says_why(fixture_photos: Path, name: str) -> None:
    report = faces.detect(fixture_photos / name)
    assert report.count is None
    assert report.error and name in report.error
    assert "\n" not in report.error


def test_the_model_runs_at_any_size_from_the_wheel() -> None:
    rgb = np.full((96, 160, 3), 128, dtype=np.uint8)
    assert centerface.run(rgb, 0.3).shape == (0, 5)
    rgb = np.full((64, 64, 3), 128, dtype=np.uint8)
    assert centerface.run(rgb, 0.3).shape == (0, 5)


def test_overlapping_boxes_keep_only_the_most_certain() -> None:
    heatmap = np.zeros((8, 8), dtype=np.float32)
    heatmap[2, 2], heatmap[2, 3], heatmap[6, 6] = 0.9, 0.6, 0.5
    scale = np.full((2, 8, 8), np.log(3.0), dtype=np.float32)  # 12 px boxes
    offset = np.zeros((2, 8, 8), dtype=np.float32)
    boxes = faces.centerface.decode(heatmap, scale, offset, (32, 32), 0.3)
    assert [round(float(score), 1) for score in boxes[:, 4]] == [0.9, 0.5]
    assert boxes[0, :4].tolist() == [4.0, 4.0, 16.0, 16.0]
    assert boxes[1, 2] <= 32 and boxes[1, 3] <= 32


def test_one_session_serves_many_threads(fixture_photos: Path) -> None:
    photo = fixture_photos / "IMG_0004.JPG"
    results: list[FaceReport] = []
    threads = [
        threading.Thread(target=lambda: results.append(faces.detect(photo))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1 and results[0].count


def test_reports_are_cached_per_sha256_and_audited(
    fixture_photos: Path, conn: sqlite3.Connection, tmp_path: Path
) -> None:
    photo = tmp_path / "copy.jpg"
    shutil.copyfile(fixture_photos / "IMG_0001.JPG", photo)
    sha = sha256_of(photo)
    assert faces.face_report(conn, photo, sha, threshold=0.3, detect_missing=False) is None
    first = faces.face_report(conn, photo, sha, threshold=0.3)
    assert first is not None and first.count == 1
    photo.unlink()  # a cached report needs no file
    assert faces.face_report(conn, photo, sha, threshold=0.3) == first
    assert faces.face_report(conn, photo, sha, threshold=0.5, detect_missing=False) is None
    detections = list(audit.events(conn, kind_prefix="media.faces"))
    assert [(e.kind, e.facts["sha256"], e.facts["faces"]) for e in detections] == [
        ("media.faces_detected", sha, 1)
    ]


def test_draft_faces_reports_on_every_photo(
    fixture_photos: Path, conn: sqlite3.Connection, cfg: Config
) -> None:
    draft = Draft(
        text="Our day at the museum",
        photos=(
            DraftPhoto(path=str(fixture_photos / "IMG_0001.JPG"), pupils=("P1001",)),
            DraftPhoto(path=str(fixture_photos / "IMG_0002.JPG"), no_children=True),
            DraftPhoto(path=str(fixture_photos / "IMG_0007_not_a_photo.JPG")),
            DraftPhoto(path="nowhere/IMG_9999.JPG"),
        ),
    )
    _, before = faces.draft_faces(draft, conn, cfg, detect=False)
    assert list(before[:2]) == [None, None]
    assert before[3] == FaceReport(count=None, error="IMG_9999.JPG is not there.")

    checked, reports = faces.draft_faces(draft, conn, cfg)
    assert reports[0] is not None and reports[0].count == 1
    assert reports[1] == FaceReport(count=0)
    assert reports[2] is not None and reports[2].count is None and reports[2].error
    assert reports[3] is not None and reports[3].count is None
    assert [p.pupils for p in checked.photos] == [p.pupils for p in draft.photos]
    assert checked.photos[0].sha256 == sha256_of(fixture_photos / "IMG_0001.JPG")
    assert checked.photos[3].sha256 is None
    assert checked.text == draft.text

    assert faces.draft_faces(draft, conn, cfg, detect=False) == (checked, reports)


def test_a_detector_failure_is_reported_and_not_remembered(
    fixture_photos: Path, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = fixture_photos / "IMG_0002.JPG"
    sha = sha256_of(photo)

    def broken(rgb: np.ndarray, threshold: float) -> np.ndarray:
        raise RuntimeError("the model file is missing\nwith a long trace")

    monkeypatch.setattr(centerface, "run", broken)
    report = faces.face_report(conn, photo, sha, threshold=0.3)
    assert report == FaceReport(
        count=None, error="Face detection failed on IMG_0002.JPG: the model file is missing."
    )
    assert faces.face_report(conn, photo, sha, threshold=0.3, detect_missing=False) is None
    monkeypatch.undo()
    assert faces.face_report(conn, photo, sha, threshold=0.3) == FaceReport(count=0)


def test_the_audit_names_no_file(fixture_photos: Path, conn: sqlite3.Connection) -> None:
    """A phone's file name can name a child: the audit keeps hashes and counts only."""
    for name in ("IMG_0001.JPG", "IMG_0006_truncated.JPG"):
        photo = fixture_photos / name
        faces.face_report(conn, photo, sha256_of(photo), threshold=0.3)
    events = list(audit.events(conn, kind_prefix="media."))
    assert {e.kind for e in events} == {"media.faces_detected", "media.faces_failed"}
    for event in events:
        assert "IMG_" not in str(event.facts)
