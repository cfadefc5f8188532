"""Kill `tripdesk ingest` with SIGKILL at random moments; after every kill nothing is lost.

The invariant after each kill: every original is still in the inbox byte for byte, or (deleted
only because deletion was asked for) its exact bytes are in the pool; no file under a final
pool name is partial; damaged originals and other files are never deleted. A last, unkilled run
must then finish the work: every photo catalogued once, every stray temporary file cleared.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes, motion_photo, sha256

from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.pool import catalogue
from tripdesk.pool.transfer import INCOMING

KILLS = 32
FILES_PER_ROUND = 6


def batch(round_no: int) -> dict[str, bytes]:
    files = {
        f"R{round_no}/DCIM/IMG_{i:04d}.JPG": jpeg_bytes(round_no * 100 + i, size=(700, 500))
        for i in range(FILES_PER_ROUND)
    }
    whole = jpeg_bytes(round_no * 100 + 99, size=(700, 500))
    files[f"R{round_no}/IMG_cut.JPG"] = whole[: len(whole) // 2]
    files[f"R{round_no}/notes.txt"] = f"round {round_no}".encode()
    return files


def pool_files(config: Config) -> list[Path]:
    return [p for p in config.trip.pool.rglob("*") if p.is_file() and INCOMING not in p.parts]


def check(config: Config, originals: dict[str, bytes]) -> None:
    in_pool = set()
    for path in pool_files(config):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest.startswith(path.stem.split("_")[1][:8]), f"partial pool file {path}"
        in_pool.add(digest)
    for name, data in originals.items():
        left = config.trip.inbox / name
        if name.endswith(("_cut.JPG", ".txt")):
            assert left.read_bytes() == data, f"{name} must never be deleted"
        elif left.exists():
            assert left.read_bytes() == data, f"{name} changed in the inbox"
        else:
            assert sha256(data) in in_pool, f"{name} was deleted without a pool copy"


def run_ingest(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tripdesk", "ingest", "--once", "--delete-source"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_sigkill_at_random_moments_loses_nothing(trip, home: Path) -> None:
    config = trip(delete_source="never", settle_seconds=0.05)
    env = {**os.environ, "TRIPDESK_HOME": str(home)}
    rng = random.Random(20261124)
    originals: dict[str, bytes] = {}
    kills = 0
    round_no = 0
    while kills < KILLS:
        files = batch(round_no)
        for name, data in files.items():
            path = config.trip.inbox / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.utime(path, (time.time() - 60, time.time() - 60))
        originals.update(files)
        for _ in range(4):
            process = run_ingest(env)
            assert process.stdout is not None
            for _ in range(rng.randint(1, 3 * FILES_PER_ROUND + 8)):
                if not process.stdout.readline():
                    break
            time.sleep(rng.uniform(0, 0.02))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait()
            process.stdout.close()
            check(config, originals)
        finished = subprocess.run(
            [sys.executable, "-m", "tripdesk", "ingest", "--once", "--delete-source"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert finished.returncode == 0, finished.stderr
        check(config, originals)
        round_no += 1

    assert list((config.trip.pool / INCOMING).iterdir()) == []
    for name in originals:
        if not name.endswith((".txt", "_cut.JPG")):
            assert not (config.trip.inbox / name).exists(), f"{name} was left in the inbox"
    conn = open_database(config.database)
    catalogued = {photo.sha256 for photo in catalogue.list_photos(conn)}
    conn.close()
    expected = {sha256(data) for name, data in originals.items() if not name.endswith(".txt")}
    assert catalogued == expected
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in pool_files(config)} == expected
    assert len(pool_files(config)) == len(expected)


NEW_RULE_KILLS = 12


def test_sigkill_never_deletes_what_may_still_be_written(trip, home: Path) -> None:
    """The deletion rules under random kills: an original held open for writing, one whose end
    is still zeros, and a motion photo whose video is not there yet are never deleted."""
    config = trip(delete_source="never", settle_seconds=0.05)
    env = {**os.environ, "TRIPDESK_HOME": str(home)}
    rng = random.Random(20261201)
    kept: dict[Path, bytes] = {}
    kills = 0
    round_no = 0
    while kills < NEW_RULE_KILLS:
        folder = config.trip.inbox / f"R{round_no}"
        folder.mkdir(parents=True)
        whole = {
            folder / f"IMG_{i:04d}.JPG": jpeg_bytes(5000 + 10 * round_no + i) for i in range(4)
        }
        kept = {
            folder / "IMG_zeros.JPG": jpeg_bytes(6000 + round_no)[:-2] + bytes(2048),
            folder / "PXL_novideo.MP.JPG": motion_photo(7000 + round_no, trailer=b""),
        }
        for path, data in {**whole, **kept}.items():
            path.write_bytes(data)
        held = folder / "IMG_held.JPG"
        held_bytes = jpeg_bytes(8000 + round_no)
        with held.open("wb") as writer:  # a sync client still has it open
            writer.write(held_bytes)
            writer.flush()
            for _ in range(3):
                process = run_ingest(env)
                assert process.stdout is not None
                for _ in range(rng.randint(1, 20)):
                    if not process.stdout.readline():
                        break
                time.sleep(rng.uniform(0, 0.02))
                if process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    kills += 1
                process.wait()
                process.stdout.close()
                assert held.read_bytes() == held_bytes, "deleted while held open for writing"
                for path, data in kept.items():
                    assert path.read_bytes() == data, f"{path.name} was deleted, maybe incomplete"
                for path, data in whole.items():
                    assert path.exists() or sha256(data) in {
                        hashlib.sha256(p.read_bytes()).hexdigest() for p in pool_files(config)
                    }, f"{path.name} was deleted without a pool copy"
        time.sleep(0.1)  # closed now, and rested past the settle window
        finished = subprocess.run(
            [sys.executable, "-m", "tripdesk", "ingest", "--once", "--delete-source"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        assert not held.exists() and not any(path.exists() for path in whole)
        assert all(path.read_bytes() == data for path, data in kept.items())
        round_no += 1


pytestmark = pytest.mark.slow
