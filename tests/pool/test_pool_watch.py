"""The watcher with the real observers (inotify and polling) on real folders.

Every wait polls for the expected event with a generous timeout; nothing sleeps and asserts.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pool_helpers import EventLog, jpeg_bytes, make_ingestor, sha256

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.pool.events import Arrived, Damaged, Duplicate, Failed, Pooled
from tripdesk.pool.ingest import Ingestor, mount_type


@pytest.fixture(params=["inotify", "polling"])
def watching(
    request: pytest.FixtureRequest, trip: Callable[..., Config], events: EventLog
) -> Iterator[tuple[Config, EventLog, Ingestor]]:
    config = trip(watch=request.param, delete_source="never", settle_seconds=1.0)
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    ingestor = make_ingestor(config, events)
    ingestor.start()
    yield config, events, ingestor
    ingestor.stop()


def test_a_slow_write_is_pooled_once_whole(watching: tuple[Config, EventLog, Ingestor]) -> None:
    config, log, _ = watching
    data = jpeg_bytes(1, size=(1200, 900))
    target = config.trip.inbox / "IMG_0001.JPG"
    with target.open("wb") as handle:
        for start in range(0, len(data), len(data) // 6 + 1):
            handle.write(data[start : start + len(data) // 6 + 1])
            handle.flush()
            time.sleep(0.05)
    photo = log.wait_for(Pooled, target).photo
    assert photo.sha256 == sha256(data)
    assert photo.pool_path.read_bytes() == data
    assert not log.of(Damaged)


def test_a_file_moved_in_is_pooled(
    watching: tuple[Config, EventLog, Ingestor], tmp_path: Path
) -> None:
    config, log, _ = watching
    outside = tmp_path / "IMG_0002.JPG"
    outside.write_bytes(jpeg_bytes(2))
    target = config.trip.inbox / "IMG_0002.JPG"
    os.rename(outside, target)
    assert log.wait_for(Pooled, target).photo.sha256 == sha256(jpeg_bytes(2))


def test_a_folder_moved_in_is_pooled_with_its_subfolders(
    watching: tuple[Config, EventLog, Ingestor], tmp_path: Path
) -> None:
    config, log, _ = watching
    card = tmp_path / "DCIM"
    (card / "100APPLE").mkdir(parents=True)
    (card / "100APPLE" / "IMG_0003.JPG").write_bytes(jpeg_bytes(3))
    os.rename(card, config.trip.inbox / "DCIM")
    log.wait_for(Pooled, config.trip.inbox / "DCIM" / "100APPLE" / "IMG_0003.JPG")


def test_a_sync_client_temp_file_is_taken_only_after_its_rename(
    watching: tuple[Config, EventLog, Ingestor],
) -> None:
    config, log, _ = watching
    temp = config.trip.inbox / ".syncthing.IMG_0004.JPG.tmp"
    data = jpeg_bytes(4, size=(800, 600))
    with temp.open("wb") as handle:
        handle.write(data[:1000])
        handle.flush()
        time.sleep(0.1)
        handle.write(data[1000:])
    final = config.trip.inbox / "IMG_0004.JPG"
    os.rename(temp, final)
    assert log.wait_for(Pooled, final).photo.sha256 == sha256(data)
    assert all(event.source != temp for event in log.events)


def test_duplicates_and_broken_files_while_watching(
    watching: tuple[Config, EventLog, Ingestor], fixture_photos: Path
) -> None:
    config, log, _ = watching
    inbox = config.trip.inbox
    shutil.copyfile(fixture_photos / "IMG_0002.JPG", inbox / "IMG_0002.JPG")
    log.wait_for(Pooled, inbox / "IMG_0002.JPG")
    shutil.copyfile(fixture_photos / "IMG_0002.JPG", inbox / "IMG_0002 (1).JPG")
    shutil.copyfile(fixture_photos / "IMG_0006_truncated.JPG", inbox / "IMG_0006.JPG")
    (inbox / "IMG_0008.JPG").touch()
    log.wait_for(Duplicate, inbox / "IMG_0002 (1).JPG")
    log.wait_for(Damaged, inbox / "IMG_0006.JPG")
    log.wait_for(Damaged, inbox / "IMG_0008.JPG")
    assert len(log.of(Pooled)) == 1


def test_scan_now_while_watching(watching: tuple[Config, EventLog, Ingestor]) -> None:
    config, log, ingestor = watching
    target = config.trip.inbox / "IMG_0005.JPG"
    target.write_bytes(jpeg_bytes(5))
    ingestor.scan_once()
    log.wait_for(Pooled, target)
    assert len(log.of(Pooled, target)) == 1


def test_stop_joins_the_threads(trip: Callable[..., Config], events: EventLog) -> None:
    config = trip(watch="inotify")
    ingestor = make_ingestor(config, events)
    before = threading.active_count()
    ingestor.start()
    ingestor.stop()
    assert threading.active_count() == before


def test_an_inbox_that_goes_away_is_watched_again_when_it_returns(
    trip: Callable[..., Config], home: Path, tmp_path: Path, events: EventLog
) -> None:
    trip(watch="inotify", delete_source="never", settle_seconds=0.5)
    phone = tmp_path / "phone"
    phone.mkdir()
    config = settings.update(home, "trip", {"inbox": str(phone)})
    ingestor = make_ingestor(config, events)
    ingestor.start()
    try:
        (phone / "IMG_0001.JPG").write_bytes(jpeg_bytes(1))
        events.wait_for(Pooled, phone / "IMG_0001.JPG")
        shutil.rmtree(phone)
        assert "not there" in events.wait_for(Failed, phone).reason
        phone.mkdir()
        (phone / "IMG_0002.JPG").write_bytes(jpeg_bytes(2))
        events.wait_for(Pooled, phone / "IMG_0002.JPG")
        (phone / "IMG_0003.JPG").write_bytes(jpeg_bytes(3))
        events.wait_for(Pooled, phone / "IMG_0003.JPG")
    finally:
        ingestor.stop()


def test_files_already_there_at_start_are_found(
    trip: Callable[..., Config], events: EventLog
) -> None:
    config = trip(watch="inotify")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    (config.trip.inbox / "IMG_0009.JPG").write_bytes(jpeg_bytes(9))
    ingestor = make_ingestor(config, events)
    ingestor.start()
    try:
        events.wait_for(Pooled, config.trip.inbox / "IMG_0009.JPG")
        assert len(events.of(Arrived, config.trip.inbox / "IMG_0009.JPG")) == 1
    finally:
        ingestor.stop()


def test_the_mount_under_a_folder_decides_the_observer() -> None:
    mounts = (
        "/dev/vda / ext4 rw 0 0\n"
        "proc /proc proc rw 0 0\n"
        "gvfsd-fuse /run/user/1000/gvfs fuse.gvfsd-fuse rw 0 0\n"
        "//school/pool /mnt/school\\040pool cifs rw 0 0\n"
    )
    assert mount_type("/home/teacher/Pictures", mounts) == "ext4"
    assert mount_type("/run/user/1000/gvfs/mtp:host=Apple/DCIM", mounts) == "fuse.gvfsd-fuse"
    assert mount_type("/mnt/school pool/trip", mounts) == "cifs"
    assert mount_type("/mnt/school", mounts) == "ext4"
