"""The face guard's eyes: how many faces a photo shows and where, remembered per pool sha256.

Faces are looked for on an upright copy scaled to roughly 1280 px along its longer edge, with a
low threshold so that a doubtful face is reported rather than missed: the guard turns the report
into findings.
A photo that cannot be looked at gets `count=None` with the reason, never a silent zero.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from tripdesk import audit, store
from tripdesk.config import Config
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.media import centerface
from tripdesk.media.images import open_upright, sha256_of
from tripdesk.media.report import Box, FaceReport

DETECT_LONG_SIDE = 1280
# Bumped whenever the model or the way we run it changes, so old cached reports are not reused.
DETECTOR = "centerface-1"


def detect(photo: Path, *, threshold: float = 0.3) -> FaceReport:
    """Look for faces; boxes are (left, top, right, bottom) in full-resolution upright pixels."""
    return _detect(photo, threshold)[0]


def _detect(photo: Path, threshold: float) -> tuple[FaceReport, bool]:
    """The report, and whether it belongs to the content (worth caching) rather than the moment."""
    try:
        image, full = open_upright(photo, at_least=DETECT_LONG_SIDE)
    except TripdeskError as error:
        return FaceReport(count=None, error=error.message), photo.is_file()
    try:
        rgb, scale_x, scale_y = _network_input(image, full)
        found = centerface.run(rgb, threshold)
    except Exception as error:  # any detector failure must become "could not look"
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".")
        report = FaceReport(count=None, error=f"Face detection failed on {photo.name}: {reason}.")
        return report, False
    boxes = tuple(_to_full(row, scale_x, scale_y, full) for row in found)
    return FaceReport(count=len(boxes), boxes=boxes), True


def face_report(
    conn: sqlite3.Connection,
    photo: Path,
    sha256: str,
    *,
    threshold: float,
    detect_missing: bool = True,
) -> FaceReport | None:
    """The cached report for this content, detecting (and remembering) it when asked."""
    key = (sha256, round(threshold, 3), DETECTOR)
    row = conn.execute(
        "SELECT count, boxes, error FROM media_faces "
        "WHERE sha256 = ? AND threshold = ? AND detector = ?",
        key,
    ).fetchone()
    if row is not None:
        boxes = tuple(tuple(int(v) for v in box) for box in json.loads(row["boxes"]))
        return FaceReport(count=row["count"], boxes=boxes, error=row["error"])  # type: ignore[arg-type]
    if not detect_missing:
        return None
    report, lasting = _detect(photo, threshold)
    if lasting:
        _remember(conn, sha256, report, threshold=threshold)
    else:
        audit.record(conn, "media.faces_failed", sha256=sha256, cause="detector")
    return report


def _remember(
    conn: sqlite3.Connection, sha256: str, report: FaceReport, *, threshold: float
) -> None:
    """Cache a report that belongs to this content (faces found, or a file that cannot be read).

    The audit gets the sha256 and counts only: a file name can name a child.
    """
    with store.transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO media_faces "
            "(sha256, threshold, detector, count, boxes, error, detected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sha256,
                round(threshold, 3),
                DETECTOR,
                report.count,
                json.dumps([list(box) for box in report.boxes]),
                report.error,
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        if report.count is None:
            audit.record(conn, "media.faces_failed", sha256=sha256, cause="unreadable")
        else:
            audit.record(
                conn,
                "media.faces_detected",
                sha256=sha256,
                faces=report.count,
                threshold=round(threshold, 3),
                detector=DETECTOR,
            )


def draft_faces(
    draft: Draft, conn: sqlite3.Connection, config: Config, *, detect: bool = True
) -> tuple[Draft, tuple[FaceReport | None, ...]]:
    """The face report of every photo in the draft, for the guard to judge.

    Reports come from the cache; missing ones are detected when `detect` is true and left as
    None otherwise. A photo that is missing or unreadable gets a report with `count=None`.
    A photo without a sha256 gets the one its report is about, so the audit can name it.
    """
    found = [_photo_faces(photo, conn, config, detect_missing=detect) for photo in draft.photos]
    return draft.with_photos(photo for photo, _ in found), tuple(report for _, report in found)


def _photo_faces(
    photo: DraftPhoto, conn: sqlite3.Connection, config: Config, *, detect_missing: bool
) -> tuple[DraftPhoto, FaceReport | None]:
    path = Path(photo.path)
    if not path.is_file():
        return photo, FaceReport(count=None, error=f"{path.name} is not there.")
    try:
        sha256 = sha256_of(path)
    except TripdeskError as error:
        return photo, FaceReport(count=None, error=error.message)
    report = face_report(
        conn, path, sha256, threshold=config.faces.threshold, detect_missing=detect_missing
    )
    return replace(photo, sha256=photo.sha256 or sha256), report


def _network_input(image: Image.Image, full: tuple[int, int]) -> tuple[np.ndarray, float, float]:
    """RGB pixels about 1280 px long, sides rounded to the model's multiple of 32."""
    scale = min(1.0, DETECT_LONG_SIDE / max(full))
    width = max(32, round(full[0] * scale / 32) * 32)
    height = max(32, round(full[1] * scale / 32) * 32)
    rgb = image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(rgb), width / full[0], height / full[1]


def _to_full(row: np.ndarray, scale_x: float, scale_y: float, full: tuple[int, int]) -> Box:
    left = max(0, int(np.floor(row[0] / scale_x)))
    top = max(0, int(np.floor(row[1] / scale_y)))
    right = min(full[0], int(np.ceil(row[2] / scale_x)))
    bottom = min(full[1], int(np.ceil(row[3] / scale_y)))
    return (left, top, right, bottom)
