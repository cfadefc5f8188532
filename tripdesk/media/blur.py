"""Blurring faces for good: a new photo in the pool beside the original, linked in the catalogue.

Each box is enlarged 1.6× about its centre (a detector's box is tight round the features; hair,
ears and chin identify too, and at 1.3× the detector still found a head in the small faces of a
group photo), reduced to a coarse mosaic, which throws the detail away, then blurred so that the
mosaic edges give nothing back. The original is never changed, so the teacher can blur again.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageFilter

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.media import faces
from tripdesk.media.images import open_upright, sha256_of
from tripdesk.media.report import Box
from tripdesk.pool.catalogue import PoolPhoto, add_derived, photo_by_sha, pool_file

ENLARGE = 1.6
MOSAIC_CELLS = 6  # across the longer side of a face: far too few to recognise anyone
QUALITY = 92
REASON = "faces blurred"


def blur_regions(
    image: Image.Image, boxes: Sequence[Box], *, enlarge: float = ENLARGE
) -> Image.Image:
    """A copy of `image` with every box (enlarged about its centre) mosaicked, then blurred."""
    out = image.convert("RGB")
    for box in boxes:
        area = _enlarged(box, enlarge, out.size)
        if area is None:
            continue
        width, height = area[2] - area[0], area[3] - area[1]
        cell = max(2, math.ceil(max(width, height) / MOSAIC_CELLS))
        region = out.crop(area)
        mosaic = region.resize(
            (max(1, math.ceil(width / cell)), max(1, math.ceil(height / cell))),
            Image.Resampling.BOX,
        ).resize((width, height), Image.Resampling.NEAREST)
        out.paste(mosaic.filter(ImageFilter.GaussianBlur(cell / 2)), area[:2])
    return out


def blur_faces(
    conn: sqlite3.Connection, config: Config, photo: PoolPhoto, boxes: Sequence[Box]
) -> PoolPhoto:
    """Write a blurred copy of a pool photo into the pool, catalogue it and check it again.

    `boxes` are in the photo's full-resolution upright pixels (as `faces.detect` gives them);
    boxes drawn by hand are as welcome as detected ones.
    """
    if not boxes:
        raise TripdeskError("Choose at least one face to blur.")
    source = pool_file(config.trip.pool, photo)
    image, _ = open_upright(source)
    buffer = io.BytesIO()
    blur_regions(image, boxes).save(buffer, "JPEG", quality=QUALITY)
    data = buffer.getvalue()
    sha256 = hashlib.sha256(data).hexdigest()
    existing = photo_by_sha(conn, sha256)
    if existing is not None:  # the very same blur was made before: reuse it, write nothing
        return existing
    target = _write_new(source, data)
    if sha256_of(target) != sha256:
        raise TripdeskError(f"The blurred copy of {source.name} did not read back intact.")
    derived = add_derived(conn, photo, target, sha256, REASON)
    audit.record(
        conn,
        "media.blurred",
        source_sha256=photo.sha256,
        sha256=sha256,
        boxes=len(boxes),
        pool_path=str(derived.pool_path),
    )
    faces.face_report(conn, target, sha256, threshold=config.faces.threshold)
    return derived


def _enlarged(box: Box, enlarge: float, size: tuple[int, int]) -> Box | None:
    left, top, right, bottom = box
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    half_w, half_h = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
    area = (
        max(0, math.floor(centre_x - half_w)),
        max(0, math.floor(centre_y - half_h)),
        min(size[0], math.ceil(centre_x + half_w)),
        min(size[1], math.ceil(centre_y + half_h)),
    )
    if area[2] <= area[0] or area[3] <= area[1]:
        return None
    return area


def _write_new(original: Path, data: bytes) -> Path:
    """Put the blurred photo beside the original under a name not yet taken, never replacing."""
    folder = original.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".blur-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            for number in range(1, 1000):
                suffix = "" if number == 1 else f"-{number}"
                target = folder / f"{original.stem}_blurred{suffix}.jpg"
                try:
                    os.link(tmp, target)
                except FileExistsError:
                    continue
                break
            else:
                raise TripdeskError(f"Too many blurred copies of {original.name} already.")
        finally:
            Path(tmp).unlink(missing_ok=True)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        raise TripdeskError(
            f"Cannot write the blurred copy of {original.name}: {error.strerror}."
        ) from None
    return target
