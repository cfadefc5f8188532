"""How fast photos are prepared, thumbnailed and checked for faces, against a same-run baseline.

    /work/venv/bin/python benchmarks/media.py [--runs N]

The baseline is the plain full-size Pillow pipeline (open, turn upright, rebuild without
metadata, save at quality 85), timed on the same synthetic 12-megapixel phone JPEG in the same
run, so the ratio holds whatever the machine is doing. Face detection runs on the shared
fixture photos when they are beside the repository, else on the synthetic photo.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from tripdesk.media import centerface
from tripdesk.media.faces import detect
from tripdesk.media.prepare import prepare
from tripdesk.media.thumbs import thumbnail

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "photos"
FACE_PHOTOS = ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG", "IMG_0005.HEIC")


def phone_jpeg(folder: Path) -> Path:
    """A 4032×3024 JPEG with smooth shapes and sensor-like noise, EXIF turned like a phone's."""
    rng = np.random.default_rng(12)
    y, x = np.mgrid[0:3024, 0:4032].astype(np.float32)
    base = np.stack(
        [
            128 + 90 * np.sin(x / 310) * np.cos(y / 270),
            128 + 90 * np.cos((x + y) / 420),
            128 + 90 * np.sin(y / 190),
        ],
        axis=2,
    )
    pixels = np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: stored turned, as phones do
    path = folder / "phone.jpg"
    Image.fromarray(pixels).save(path, quality=90, exif=exif)
    return path


def baseline(photo: Path) -> None:
    """The plain pipeline: full decode, upright, pixels only, saved at full size."""
    with Image.open(photo) as image:
        upright = ImageOps.exif_transpose(image)
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    clean.save(io.BytesIO(), "JPEG", quality=85)


def median_seconds(job: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        photo = phone_jpeg(folder)
        size_mb = photo.stat().st_size / 1e6
        print(f"synthetic phone photo: 4032×3024 JPEG, {size_mb:.1f} MB, {runs} runs each")

        counter = iter(range(10**6))

        def fresh_cache() -> Path:
            return folder / f"cache-{next(counter)}"

        plain = median_seconds(lambda: baseline(photo), runs)
        prepared = median_seconds(lambda: prepare(photo, cache_dir=fresh_cache()), runs)
        cached_dir = fresh_cache()
        prepare(photo, cache_dir=cached_dir)
        cached = median_seconds(lambda: prepare(photo, cache_dir=cached_dir), runs)
        thumb = median_seconds(lambda: thumbnail(photo, 480, cache_dir=fresh_cache()), runs)
        result = prepare(photo, cache_dir=cached_dir)
        print(f"baseline, full-size Pillow pipeline: {plain * 1000:7.0f} ms")
        print(
            f"prepare (to {result.width}×{result.height}, {result.size / 1e6:.2f} MB): "
            f"{prepared * 1000:7.0f} ms   ratio {plain / prepared:.1f}× faster (target < 250 ms)"
        )
        print(f"prepare, from the cache:             {cached * 1000:7.1f} ms")
        print(f"thumbnail 480 px:                    {thumb * 1000:7.0f} ms   (target < 100 ms)")

        start = time.perf_counter()
        centerface.session()
        print(
            f"face model load (once per process):  {(time.perf_counter() - start) * 1000:7.0f} ms"
        )
        photos = [FIXTURES / name for name in FACE_PHOTOS if (FIXTURES / name).is_file()]
        photos = photos or [photo]
        per_photo = [median_seconds(lambda p=p: detect(p), max(1, runs // 2)) for p in photos]
        print(
            f"face detection, median over {len(photos)} photo(s): "
            f"{statistics.median(per_photo) * 1000:7.0f} ms   (target < 1 s)"
        )
        for path, seconds in zip(photos, per_photo, strict=True):
            print(f"    {path.name:16} {seconds * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
