"""The teacher's moves on a pool photo: tagging it, finding its faces, blurring them.

Face detection is slow and the model is large, so one lock keeps a single detection running
in the process whoever asks (the Photos preview, Tag, Compose, a command); the cache per
sha256 means each photo is looked at once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from tripdesk.config import Config
from tripdesk.desk import drafts_kept
from tripdesk.media.report import Box, FaceReport
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto

_detecting = threading.Lock()


def faces_in(
    conn: sqlite3.Connection, config: Config, photos: Sequence[PoolPhoto], *, detect: bool = True
) -> dict[int, FaceReport | None]:
    """Each photo's face report by photo id: from the cache, detecting the rest if `detect`."""
    from tripdesk.media.faces import face_report  # onnxruntime loads only when faces are asked

    reports: dict[int, FaceReport | None] = {}
    for photo in photos:
        path = catalogue.pool_file(config.trip.pool, photo)
        threshold = config.faces.threshold
        report = face_report(conn, path, photo.sha256, threshold=threshold, detect_missing=False)
        if report is None and detect:
            with _detecting:
                report = face_report(conn, path, photo.sha256, threshold=threshold)
        reports[photo.id] = report
    return reports


def tag(
    conn: sqlite3.Connection, photo: PoolPhoto, pupils: Sequence[str], *, no_children: bool
) -> PoolPhoto:
    """Record who is in the photo, or that no child can be identified in it."""
    return catalogue.set_tags(conn, photo.id, pupils, no_children)


def blurred_copy(
    conn: sqlite3.Connection, config: Config, photo: PoolPhoto, boxes: Sequence[Box]
) -> PoolPhoto:
    """A new pool photo with those faces blurred for good, carrying the original's tags.

    The copy is looked at again for faces at once, so the guard judges what is really left,
    and it takes the original's place in every kept draft.
    """
    from tripdesk.media.blur import blur_faces

    with _detecting:
        copy = blur_faces(conn, config, photo, boxes)
    if (photo.pupils or photo.no_children) and not (copy.pupils or copy.no_children):
        copy = catalogue.set_tags(conn, copy.id, photo.pupils, photo.no_children)
    drafts_kept.swap_photo(conn, photo.id, copy.id)
    return copy
