"""How fast `tripdesk ingest --once` pools phone-sized photos, against doing it by hand.

In one run, on the same synthetic photos: the by-hand verified copy (`sha256sum` of the
sources, `cp`, `sync`, `sha256sum` of the copies), a plain `cp`, and `tripdesk ingest --once`.
Then, with the watcher running, the time from a photo's close in the inbox to its Pooled event.

    python benchmarks/ingest.py                 # 200 photos of ~5 MB, 100 for latency
    python benchmarks/ingest.py --count 20 --latency-count 20
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from tripdesk import config as settings
from tripdesk.desk.database import open_database
from tripdesk.pool.events import Pooled, PoolEvent
from tripdesk.pool.ingest import Ingestor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="photos to pool (default 200)")
    parser.add_argument("--size", type=float, default=5.0, help="MB per photo (default 5)")
    parser.add_argument("--latency-count", type=int, default=100, help="photos for latency")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tripdesk-bench-", dir=args.dir))
    try:
        photos = make_photos(args.count + args.latency_count, args.size)
        inbox = work / "inbox"
        inbox.mkdir()
        for i, data in enumerate(photos[: args.count]):
            (inbox / f"IMG_{i:04d}.JPG").write_bytes(data)
        total_mb = sum(len(d) for d in photos[: args.count]) / 1e6
        print(f"{args.count} photos, {total_mb / args.count:.1f} MB each, {total_mb:.0f} MB")

        # Each run starts with nothing left to write back, so none pays for another's writes.
        settled()
        plain = timed(lambda: plain_copy(inbox, work / "plain"))
        settled()
        by_hand = timed(lambda: verified_by_hand(inbox, work / "by-hand"))
        settled()
        env = trip_home(work / "home", inbox)
        ingest = timed(lambda: tripdesk_once(env))
        report("by hand (sha256sum, cp, sync, sha256sum)", args.count, total_mb, by_hand)
        report("plain cp", args.count, total_mb, plain)
        report("tripdesk ingest --once", args.count, total_mb, ingest)
        print(f"ingest vs verified by hand: {by_hand / ingest:.2f}× the speed (target ≥ 1.00)")
        print(f"ingest vs plain cp:         {plain / ingest:.2f}× the speed")

        if args.latency_count:
            latencies = arrival_latency(work / "watch", photos[args.count :])
            p50 = statistics.median(latencies) * 1000
            p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else p50
            print(
                f"arrival latency over {len(latencies)} photos: p50 {p50:.0f} ms, "
                f"p95 {p95:.0f} ms (target p95 < 500 ms)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_photos(count: int, size_mb: float) -> list[bytes]:
    """Distinct 12 MP JPEGs of about `size_mb`: one encoded image, a unique EXIF block each."""
    rng = np.random.default_rng(2026)
    h, w = 3024, 4032
    y = np.linspace(0, 255, h)[:, None] * np.ones((1, w))
    x = np.ones((h, 1)) * np.linspace(0, 255, w)[None, :]
    base = np.stack([y * 0.6 + x * 0.4, x * 0.7, 255 - y], axis=-1)
    for noise in range(4, 60, 2):
        pixels = np.clip(base + rng.normal(0, noise, (h, w, 3)), 0, 255).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=90)
        if out.tell() >= size_mb * 1e6 * 0.95:
            break
    body = out.getvalue()[2:]  # after SOI
    photos = []
    for i in range(count):
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = (
            f"2026:06:12 {9 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        )
        block = exif.tobytes()  # starts with the APP1 "Exif\0\0" header
        segment = b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block
        photos.append(b"\xff\xd8" + segment + body)
    return photos


def settled() -> None:
    subprocess.run(["sync"], check=True)


def timed(job) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def verified_by_hand(source: Path, target: Path) -> None:
    target.mkdir()
    files = sorted(str(p) for p in source.iterdir())
    before = subprocess.run(["sha256sum", *files], capture_output=True, text=True, check=True)
    subprocess.run(["cp", *files, str(target)], check=True)
    subprocess.run(["sync"], check=True)
    copies = sorted(str(p) for p in target.iterdir())
    after = subprocess.run(["sha256sum", *copies], capture_output=True, text=True, check=True)
    if [line.split()[0] for line in before.stdout.splitlines()] != [
        line.split()[0] for line in after.stdout.splitlines()
    ]:
        raise SystemExit("the by-hand copy differs")


def plain_copy(source: Path, target: Path) -> None:
    target.mkdir()
    subprocess.run(["cp", *sorted(str(p) for p in source.iterdir()), str(target)], check=True)


def trip_home(home: Path, inbox: Path) -> dict[str, str]:
    """A TRIPDESK_HOME whose inbox is the benchmark's folder; originals are kept."""
    home.mkdir()
    settings.update(home, "trip", {"inbox": str(inbox)})
    settings.update(home, "ingest", {"delete_source": "never"})
    return {**os.environ, "TRIPDESK_HOME": str(home)}


def tripdesk_once(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tripdesk", "ingest", "--once", "--json"],
        env=env,
        capture_output=True,
        check=True,
    )
    if b'"errors": []' not in done.stdout:
        raise SystemExit(f"ingest reported errors: {done.stdout[-500:]!r}")


def arrival_latency(home: Path, photos: list[bytes]) -> list[float]:
    """Seconds from each photo's close in the inbox to its Pooled event, one photo at a time."""
    home.mkdir()
    config = settings.update(home, "ingest", {"delete_source": "never"})
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    pooled_at: dict[str, float] = {}
    arrived = threading.Condition()

    def on_event(event: PoolEvent) -> None:
        if isinstance(event, Pooled):
            with arrived:
                pooled_at[event.source.name] = time.perf_counter()
                arrived.notify_all()

    open_database(config.database).close()
    ingestor = Ingestor(config, on_event, connect=lambda: open_database(config.database))
    ingestor.start()
    latencies = []
    try:
        for i, data in enumerate(photos):
            name = f"IMG_{i:04d}.JPG"
            with open(config.trip.inbox / name, "wb") as handle:
                handle.write(data)
            closed = time.perf_counter()
            with arrived:
                if not arrived.wait_for(lambda n=name: n in pooled_at, timeout=30):
                    raise SystemExit(f"{name} was never pooled")
            latencies.append(pooled_at[name] - closed)
    finally:
        ingestor.stop()
    return latencies


def report(what: str, count: int, total_mb: float, seconds: float) -> None:
    print(
        f"{what:<42} {seconds:6.2f} s  {count / seconds:6.1f} photos/s  "
        f"{total_mb / seconds:7.1f} MB/s"
    )


if __name__ == "__main__":
    main()
