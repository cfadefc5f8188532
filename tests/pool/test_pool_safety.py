"""Nothing deleted that is not safely pooled, nothing outside the inbox touched (issue 11).

The races run as repeated trials, each with its own random timing, the way the crash test does.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pool_helpers import EventLog, jpeg_bytes, make_ingestor, motion_photo, mp4_bytes, sha256

from tripdesk import cli
from tripdesk.config import Config
from tripdesk.pool.events import AwaitingDeletion, Deleted, Duplicate, Pooled
from tripdesk.pool.transfer import INCOMING

TRIALS = 6


def pool_hashes(config: Config) -> set[str]:
    return {
        sha256(p.read_bytes())
        for p in config.trip.pool.rglob("*")
        if p.is_file() and INCOMING not in p.parts
    }


# -- 1. a folder swapped for a link while the file settles ------------------------------------


def test_a_folder_swapped_for_a_link_while_settling_never_touches_the_outside(
    trip: Callable[..., Config], tmp_path: Path
) -> None:
    config = trip(delete_source="auto", settle_seconds=0.3)
    inbox = config.trip.inbox
    outside = tmp_path / "teacher's documents" / "DCIM"
    outside.mkdir(parents=True)
    secret = jpeg_bytes(999)
    (outside / "IMG_0001.JPG").write_bytes(secret)
    (inbox / "DCIM").mkdir(parents=True)
    (inbox / "DCIM" / "IMG_0001.JPG").write_bytes(jpeg_bytes(1))
    log = EventLog()

    def swap_on_arrival(event: object) -> None:
        log(event)
        if type(event).__name__ == "Arrived":
            os.rename(inbox / "DCIM", inbox / "moved away")
            (inbox / "DCIM").symlink_to(outside, target_is_directory=True)

    make_ingestor(config, swap_on_arrival).scan_once()
    assert (outside / "IMG_0001.JPG").read_bytes() == secret
    assert sha256(secret) not in pool_hashes(config)
    assert not [e for e in log.of(Deleted) if "DCIM" in e.source.parts]


def test_swapping_folders_for_links_at_random_moments_never_reaches_outside(
    trip: Callable[..., Config], tmp_path: Path
) -> None:
    rng = random.Random(20261201)
    for trial in range(TRIALS):
        config = trip(delete_source="auto", settle_seconds=0.05)
        inbox = config.trip.inbox
        outside = tmp_path / f"outside-{trial}" / "DCIM"
        outside.mkdir(parents=True)
        secrets = {f"IMG_{i:04d}.JPG": jpeg_bytes(1000 + 10 * trial + i) for i in range(4)}
        for name, data in secrets.items():
            (outside / name).write_bytes(data)
        shutil.rmtree(inbox, ignore_errors=True)
        (inbox / "DCIM").mkdir(parents=True)
        for name in secrets:
            (inbox / "DCIM" / name).write_bytes(jpeg_bytes(10 * trial + int(name[4:8])))
        delay = rng.uniform(0, 0.08)

        def swap(
            trial: int = trial, delay: float = delay, outside: Path = outside, inbox: Path = inbox
        ) -> None:
            time.sleep(delay)
            os.rename(inbox / "DCIM", inbox / f"away-{trial}")
            (inbox / "DCIM").symlink_to(outside, target_is_directory=True)

        swapper = threading.Thread(target=swap)
        swapper.start()
        make_ingestor(config).scan_once()
        swapper.join()
        make_ingestor(config).scan_once()  # and once more with the link in place
        for name, data in secrets.items():
            assert (outside / name).read_bytes() == data, f"trial {trial}: {name} was touched"
            assert sha256(data) not in pool_hashes(config), f"trial {trial}: {name} was pooled"


# -- 2. an original still being written, or not whole, is kept ---------------------------------


def test_an_original_held_open_for_writing_is_pooled_but_kept(
    trip: Callable[..., Config],
) -> None:
    config = trip(delete_source="auto", settle_seconds=0.1)
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "VID_0001.MP4"
    movie = mp4_bytes()
    with source.open("wb") as writer:  # a sync client that paused with the file open
        writer.write(movie)
        writer.flush()
        old = time.time() - 60
        os.utime(source, (old, old))
        time.sleep(0.15)
        log = EventLog()
        make_ingestor(config, log).scan_once()
        assert source.read_bytes() == movie, "deleted while another program was writing it"
        assert not log.of(Deleted)
        said = " ".join(getattr(e, "reason", "") for e in log.events)
        assert "open" in said and "kept" in said
    # Closed and unchanged, it is deleted next time.
    time.sleep(0.15)
    later = EventLog()
    make_ingestor(config, later).scan_once()
    assert later.of(Deleted) and not source.exists()


def test_an_original_changed_moments_ago_is_not_deleted_on_request(
    trip: Callable[..., Config],
) -> None:
    config = trip(delete_source="ask", settle_seconds=1.0)
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "IMG_0001.JPG"
    source.write_bytes(jpeg_bytes(1))
    old = time.time() - 60
    os.utime(source, (old, old))
    pool = make_ingestor(config)
    pool.scan_once()
    [photo] = pool.awaiting_deletion()
    os.chmod(source, 0o640)  # touched again: its change time is now
    [receipt] = pool.delete_sources([photo])
    assert not receipt.deleted and "moments ago" in (receipt.reason or "")
    assert source.exists()
    time.sleep(1.05)
    [receipt] = pool.delete_sources([photo])
    assert receipt.deleted and not source.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("IMG_0001.JPG", jpeg_bytes(1)[:-2] + bytes(4096)),  # preallocated, the end still zeros
        ("PXL_0001.MP.JPG", motion_photo(2, trailer=b"")),  # the video not appended yet
        ("PXL_0002.MP.JPG", motion_photo(3, trailer=mp4_bytes()[:40])),  # half the video
    ],
    ids=["zeros-after-the-end", "motion-photo-without-video", "motion-photo-half-video"],
)
def test_a_file_that_is_not_whole_is_pooled_as_maybe_incomplete(
    trip: Callable[..., Config], name: str, data: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip(delete_source="ask")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    (config.trip.inbox / name).write_bytes(data)
    assert cli.main(["ingest", "--once", "--delete-source", "--json"]) in (0, 1)
    result = json.loads(capsys.readouterr().out)
    assert (config.trip.inbox / name).read_bytes() == data
    assert result["deleted"] == []
    [entry] = result["maybe_incomplete"]
    assert entry["source"].endswith(name) and "kept" in entry["reason"]
    assert sha256(data) in pool_hashes(config)  # pooled all the same
    assert result["awaiting_deletion"] == []  # and never offered for deletion


def test_whole_motion_photos_and_movies_are_deleted_as_usual(
    trip: Callable[..., Config],
) -> None:
    config = trip(delete_source="auto")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    (config.trip.inbox / "PXL_0003.MP.JPG").write_bytes(motion_photo(4))
    (config.trip.inbox / "VID_0002.MP4").write_bytes(mp4_bytes(mdat=b"\1" * 99))
    log = EventLog()
    make_ingestor(config, log).scan_once()
    assert len(log.of(Deleted)) == 2
    assert os.listdir(config.trip.inbox) == []


def test_deletion_trials_never_delete_what_is_being_written(
    trip: Callable[..., Config],
) -> None:
    """A writer appends to a photo at random moments while ingest deletes with `auto`."""
    rng = random.Random(112026)
    for trial in range(TRIALS):
        config = trip(delete_source="auto", settle_seconds=0.05)
        inbox = config.trip.inbox
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.mkdir(parents=True)
        whole = motion_photo(trial)
        cut = rng.randint(len(whole) // 2, len(whole) - 1)
        source = inbox / f"PXL_{trial:04d}.MP.JPG"

        def sync_client(cut: int = cut, source: Path = source, whole: bytes = whole) -> None:
            with source.open("wb") as out:
                out.write(whole[:cut])
                out.flush()
                time.sleep(rng.uniform(0.1, 0.3))
                out.write(whole[cut:])

        writer = threading.Thread(target=sync_client)
        writer.start()
        time.sleep(rng.uniform(0, 0.05))
        make_ingestor(config).scan_once()
        writer.join()
        if source.exists():
            assert source.read_bytes() == whole
        else:
            assert sha256(whole) in pool_hashes(config), f"trial {trial}: the tail was lost"
        make_ingestor(config).scan_once()
        assert not source.exists() and sha256(whole) in pool_hashes(config)


# -- 3. a duplicate's original is offered and deleted -------------------------------------------


def test_a_duplicate_original_is_offered_and_deleted(
    trip: Callable[..., Config], capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip(delete_source="ask")
    inbox = config.trip.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    data = jpeg_bytes(5)
    (inbox / "IMG_0005.JPG").write_bytes(data)
    assert cli.main(["ingest", "--once", "--delete-source", "--json"]) == 0
    capsys.readouterr()
    (inbox / "IMG_0005 (1).JPG").write_bytes(data)  # the phone syncs it again
    log = EventLog()
    pool = make_ingestor(config, log)
    pool.scan_once()
    assert log.of(Duplicate) and log.of(AwaitingDeletion)
    assert cli.main(["ingest", "--once", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [Path(w["source"]).name for w in result["awaiting_deletion"]] == ["IMG_0005 (1).JPG"]
    assert cli.main(["ingest", "--once", "--delete-source", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [Path(d["source"]).name for d in result["deleted"]] == ["IMG_0005 (1).JPG"]
    assert os.listdir(inbox) == []


# -- 7. the default inbox deleted while watched; two runs at once -------------------------------


@pytest.mark.parametrize("watch", ["inotify", "polling"])
def test_a_deleted_default_inbox_is_made_again_and_watched(
    trip: Callable[..., Config], watch: str
) -> None:
    config = trip(watch=watch, delete_source="never", settle_seconds=0.2)
    log = EventLog()
    pool = make_ingestor(config, log)
    pool.start()
    inbox = config.trip.inbox
    try:
        for trial in range(TRIALS):  # ext4 may hand the new folder the old one's inode
            (inbox / f"IMG_{trial:04d}.JPG").write_bytes(jpeg_bytes(trial))
            log.wait_for(Pooled, inbox / f"IMG_{trial:04d}.JPG")
            shutil.rmtree(inbox)
            deadline = time.monotonic() + 10
            while not inbox.is_dir():
                assert time.monotonic() < deadline, "the default inbox was not made again"
                time.sleep(0.02)
            time.sleep(0.3)
            late = inbox / f"IMG_{trial + 100:04d}.JPG"
            late.write_bytes(jpeg_bytes(trial + 100))
            log.wait_for(Pooled, late, timeout=5)  # well before the 30 s rescan
    finally:
        pool.stop()


def test_two_ingest_runs_at_once_agree(trip: Callable[..., Config], home: Path) -> None:
    """Two `ingest --once` at once (with or without --delete-source): they take turns, both
    exit 0, each photo is pooled by one of them, and the one that ran last names as waiting
    only originals that are still there."""
    rng = random.Random(7)
    env = {**os.environ, "TRIPDESK_HOME": str(home)}
    command = [sys.executable, "-m", "tripdesk", "ingest", "--once", "--json"]
    for trial, deleting in enumerate([(True, True), (True, False), (False, True), (True, True)]):
        config = trip(delete_source="ask", settle_seconds=0.05)
        inbox = config.trip.inbox
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.mkdir(parents=True)
        names = {
            f"T{trial}_IMG_{i:04d}.JPG": jpeg_bytes(100 * trial + i, size=(900, 700))
            for i in range(12)
        }
        for name, data in names.items():
            (inbox / name).write_bytes(data)
        runs = []
        for delete in deleting:
            runs.append(
                subprocess.Popen(
                    command + (["--delete-source"] if delete else []),
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            time.sleep(rng.uniform(0, 0.2))
        outs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], [err for _, err in outs]
        results = [json.loads(out) for out, _ in outs]
        assert all(result["errors"] == [] for result in results), results
        pooled = [e["source"] for result in results for e in result["pooled"]]
        assert sorted(Path(p).name for p in pooled) == sorted(names), "pooled twice, or not"
        waited = [i for i, (_, err) in enumerate(outs) if "waiting for it to finish" in err]
        assert len(waited) <= 1
        last = results[waited[0]] if waited else None
        for waiting in last["awaiting_deletion"] if last else []:
            assert Path(waiting["source"]).exists(), "a deleted original reported as waiting"
        for result in results:
            deleted = {d["source"] for d in result["deleted"]}
            assert not deleted & {w["source"] for w in result["awaiting_deletion"]}
        if any(deleting):
            assert os.listdir(inbox) == []


def test_a_hard_link_reached_through_a_swapped_folder_is_not_deleted(
    trip: Callable[..., Config], tmp_path: Path
) -> None:
    """The very file that was pooled, reached by a path that now leads outside: kept."""
    config = trip(delete_source="ask", settle_seconds=0.05)
    inbox = config.trip.inbox
    (inbox / "DCIM").mkdir(parents=True)
    source = inbox / "DCIM" / "IMG_0001.JPG"
    source.write_bytes(jpeg_bytes(1))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.link(source, outside / "IMG_0001.JPG")  # the same inode, outside the inbox
    pool = make_ingestor(config)
    pool.scan_once()
    [photo] = pool.awaiting_deletion()
    os.rename(inbox / "DCIM", inbox / "moved away")
    (inbox / "DCIM").symlink_to(outside, target_is_directory=True)
    time.sleep(0.1)
    [receipt] = pool.delete_sources([photo])
    assert not receipt.deleted and "link" in (receipt.reason or "")
    assert (outside / "IMG_0001.JPG").exists()
    assert (inbox / "moved away" / "IMG_0001.JPG").exists()
