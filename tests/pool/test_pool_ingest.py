"""`Ingestor.scan_once` on real folders: what is pooled, quarantined, skipped, deleted, kept."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from pool_helpers import EventLog, jpeg_bytes, make_ingestor, sha256

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue, transfer
from tripdesk.pool.events import (
    Arrived,
    AwaitingDeletion,
    Damaged,
    Deleted,
    Duplicate,
    Failed,
    Pooled,
    Skipped,
)
from tripdesk.pool.ingest import Ingestor
from tripdesk.pool.transfer import INCOMING

GOOD = [
    "IMG_0001.JPG",
    "IMG_0002.JPG",
    "IMG_0003.JPG",
    "IMG_0004.JPG",
    "IMG_0005.HEIC",
    "IMG_0009.PNG",
]
BROKEN = ["IMG_0006_truncated.JPG", "IMG_0007_not_a_photo.JPG", "IMG_0008_empty.JPG"]
POOL_NAME = re.compile(r"^\d{6}_[0-9a-f]{8}(-\d+)?\.(jpg|heic|heif|png|webp|gif|mov|mp4)$")


def fill(
    config: Config, fixture_photos: Path, names: list[str], under: str = "DCIM/100APPLE"
) -> None:
    folder = config.trip.inbox / under
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(fixture_photos / name, folder / name)


def pool_files(config: Config) -> list[Path]:
    return sorted(p for p in config.trip.pool.rglob("*") if p.is_file() and INCOMING not in p.parts)


def scan(config: Config, log: EventLog | None = None) -> tuple[Ingestor, EventLog]:
    log = log or EventLog()
    ingestor = make_ingestor(config, log)
    ingestor.scan_once()
    return ingestor, log


def db(config: Config):
    conn = open_database(config.database)
    return conn


def test_photos_are_pooled_under_capture_time_and_hash(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="never")
    fill(config, fixture_photos, GOOD)
    _, log = scan(config)
    pooled = log.of(Pooled)
    assert sorted(e.source.name for e in pooled) == sorted(GOOD)
    for event in pooled:
        photo = event.photo
        original = (fixture_photos / event.source.name).read_bytes()
        assert photo.pool_path.read_bytes() == original
        assert photo.sha256 == sha256(original)
        assert POOL_NAME.match(photo.pool_path.name)
        assert photo.pool_path.name.split("_")[1][:8] == photo.sha256[:8]
        assert photo.pool_path.parent.parent == config.trip.pool / config.trip.slug
        assert photo.original_name == event.source.name
        assert (
            photo.pool_path.name
            == f"{photo.captured_at:%H%M%S}_{photo.sha256[:8]}{photo.pool_path.suffix}"
        )
        assert photo.pool_path.parent.name == f"{photo.captured_at:%Y-%m-%d}"
        assert event.source.read_bytes() == original  # never: the originals stay
    first = next(e.photo for e in pooled if e.source.name == "IMG_0001.JPG")
    assert first.captured_at == datetime(2026, 6, 12, 10, 41, 7)
    assert first.pool_path.suffix == ".jpg"
    heic = next(e.photo for e in pooled if e.source.name == "IMG_0005.HEIC")
    assert heic.pool_path.suffix == ".heic"
    assert not log.of(AwaitingDeletion) and not log.of(Deleted)
    assert len(pool_files(config)) == len(GOOD)


def test_without_exif_the_file_time_names_the_day(trip: Callable[..., Config]) -> None:
    config = trip()
    source = config.trip.inbox / "screenshot.jpg"
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source.write_bytes(jpeg_bytes(1))
    stamp = datetime(2026, 3, 4, 5, 6, 7).timestamp()
    os.utime(source, (stamp, stamp))
    _, log = scan(config)
    photo = log.wait_for(Pooled).photo
    assert photo.pool_path.parent.name == "2026-03-04"
    assert photo.pool_path.name.startswith("050607_")


def test_broken_files_are_quarantined_and_never_deleted(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, BROKEN)
    _, log = scan(config)
    damaged = {e.source.name: e for e in log.of(Damaged)}
    assert sorted(damaged) == sorted(BROKEN)
    for name, event in damaged.items():
        assert event.photo.damaged and event.photo.damage_reason == event.reason
        assert "quarantine" in event.photo.pool_path.parts
        assert event.photo.pool_path.read_bytes() == (fixture_photos / name).read_bytes()
        assert event.source.exists()
    assert not log.of(Deleted) and not log.of(Pooled)
    # Asked explicitly, the ingestor still refuses.
    ingestor = make_ingestor(config, log)
    assert ingestor.awaiting_deletion() == []
    receipts = ingestor.delete_sources([e.photo for e in damaged.values()])
    assert receipts and all(not r.deleted and "never deleted" in (r.reason or "") for r in receipts)
    assert all((config.trip.inbox / "DCIM/100APPLE" / name).exists() for name in BROKEN)


def test_an_empty_file_gets_time_to_fill_before_it_counts(trip: Callable[..., Config]) -> None:
    config = trip(settle_seconds=0.5)
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "IMG_0100.JPG"
    source.touch()
    data = jpeg_bytes(7)
    log = EventLog()

    def fill_once_seen(event: object) -> None:  # the sync client catches up right after
        log(event)
        if isinstance(event, Arrived):
            source.write_bytes(data)

    make_ingestor(config, fill_once_seen).scan_once()
    assert log.wait_for(Pooled).photo.sha256 == sha256(data)
    assert not log.of(Damaged)


def test_the_same_photo_twice_is_one_pool_file(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0002.JPG"])
    fill(config, fixture_photos, ["IMG_0002.JPG"], under="Camera Roll")
    _, log = scan(config)
    assert len(log.of(Pooled)) == 1 and len(log.of(Duplicate)) == 1
    assert log.of(Duplicate)[0].photo.id == log.of(Pooled)[0].photo.id
    assert len(pool_files(config)) == 1
    assert len(log.of(Deleted)) == 2  # both originals, each checked against the pool copy
    # Arriving again later, it is still a duplicate, not a second copy.
    fill(config, fixture_photos, ["IMG_0002.JPG"], under="again")
    _, later = scan(config)
    assert len(later.of(Duplicate)) == 1 and not later.of(Pooled)
    assert len(pool_files(config)) == 1


def test_other_files_are_left_alone_and_reported_once(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    inbox = config.trip.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "notes.txt").write_text("packed lunches")
    (inbox / "IMG_0001.AAE").write_text("<plist/>")
    log = EventLog()
    ingestor = make_ingestor(config, log)
    ingestor.scan_once()
    ingestor.scan_once()
    assert sorted(e.source.name for e in log.of(Skipped)) == ["IMG_0001.AAE", "notes.txt"]
    assert (inbox / "notes.txt").read_text() == "packed lunches"
    assert pool_files(config) == []


def test_temporary_names_wait_for_their_rename(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    inbox = config.trip.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    names = [
        ".syncthing.IMG_0001.JPG.tmp",
        "~syncthing~IMG_0001.JPG.tmp",
        ".IMG_0001.JPG.~1a2b",
        "IMG_0001.JPG.part",
        "IMG_0001.JPG.crdownload",
        ".hidden.jpg",
    ]
    for name in names:
        shutil.copyfile(fixture_photos / "IMG_0001.JPG", inbox / name)
    (inbox / ".stversions").mkdir()
    shutil.copyfile(fixture_photos / "IMG_0002.JPG", inbox / ".stversions" / "IMG_0002.JPG")
    _, log = scan(config)
    assert log.events == []
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*names, ".stversions"])
    os.rename(inbox / "IMG_0001.JPG.part", inbox / "IMG_0001.JPG")
    _, log = scan(config)
    assert [e.source.name for e in log.of(Pooled)] == ["IMG_0001.JPG"]


def test_odd_names_are_pooled_and_never_reach_the_pool_name(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    inbox = config.trip.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    names = ["Amira Khan at the museum.jpg", "Zoë Łukasz 😀.jpg", "line\nbreak.jpg"]
    for seed, name in enumerate(names):
        (inbox / name).write_bytes(jpeg_bytes(seed))
    raw = os.path.join(os.fsencode(inbox), b"caf\xe9 latin-1.jpg")
    with open(raw, "wb") as handle:
        handle.write(jpeg_bytes(99))
    _, log = scan(config)
    assert len(log.of(Pooled)) == 4 and len(log.of(Deleted)) == 4
    assert os.listdir(inbox) == []
    for event in log.of(Pooled):
        assert POOL_NAME.match(event.photo.pool_path.name)
    conn = db(config)
    originals = {photo.original_name for photo in catalogue.list_photos(conn)}
    # Names are kept to show the teacher, so a line break is kept as a visible escape.
    shown_names = {"Amira Khan at the museum.jpg", "Zoë Łukasz 😀.jpg", "line\\x0abreak.jpg"}
    assert shown_names <= originals and "caf\\xe9 latin-1.jpg" in originals
    facts = " ".join(str(event.facts) for event in audit.events(conn, kind_prefix="pool."))
    for word in ("Amira", "Khan", "Zoë", "caf", "line"):
        assert word not in facts


def test_links_are_not_followed_out_of_the_inbox(
    trip: Callable[..., Config], tmp_path: Path, fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    inbox = config.trip.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    shutil.copyfile(fixture_photos / "IMG_0001.JPG", secret / "IMG_0001.JPG")
    (inbox / "link.jpg").symlink_to(secret / "IMG_0001.JPG")
    (inbox / "linked folder").symlink_to(secret, target_is_directory=True)
    log = EventLog()
    ingestor = make_ingestor(config, log)
    ingestor.scan_once()
    ingestor.scan_once()
    assert sorted(e.source.name for e in log.of(Skipped)) == ["link.jpg", "linked folder"]
    assert all("link" in e.reason for e in log.of(Skipped))
    assert not log.of(Pooled) and pool_files(config) == []
    assert (secret / "IMG_0001.JPG").exists() and (inbox / "link.jpg").is_symlink()


def test_auto_deletion_leaves_receipts_in_the_audit_log(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0001.JPG", "IMG_0003.JPG"])
    _, log = scan(config)
    assert len(log.of(Deleted)) == 2
    assert not any((config.trip.inbox / "DCIM/100APPLE").iterdir())
    conn = db(config)
    receipts = list(audit.events(conn, kind_prefix="pool.source_deleted"))
    assert sorted(r.facts["sha256"] for r in receipts) == sorted(
        e.photo.sha256 for e in log.of(Deleted)
    )
    for event in log.of(Deleted):
        assert event.photo.source_deleted_at is not None
        assert (
            event.photo.pool_path.read_bytes() == (fixture_photos / event.source.name).read_bytes()
        )
    assert catalogue.counts(conn).awaiting_deletion == 0


def test_ask_waits_for_the_teacher_then_deletes(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="ask")
    fill(config, fixture_photos, ["IMG_0001.JPG", "IMG_0002.JPG"])
    ingestor, log = scan(config)
    assert len(log.of(AwaitingDeletion)) == 2 and not log.of(Deleted)
    waiting = ingestor.awaiting_deletion()
    assert sorted(p.original_name for p in waiting) == ["IMG_0001.JPG", "IMG_0002.JPG"]
    assert catalogue.counts(db(config)).awaiting_deletion == 2
    receipts = ingestor.delete_sources([p for p in waiting if p.original_name == "IMG_0001.JPG"])
    assert [(r.source.name, r.deleted, r.reason) for r in receipts] == [
        ("IMG_0001.JPG", True, None)
    ]
    assert not receipts[0].source.exists()
    assert [p.original_name for p in ingestor.awaiting_deletion()] == ["IMG_0002.JPG"]
    # A later scan neither pools the waiting original again nor announces it again.
    _, again = scan(config)
    assert again.events == []


def test_never_keeps_every_original(trip: Callable[..., Config], fixture_photos: Path) -> None:
    config = trip(delete_source="never")
    fill(config, fixture_photos, ["IMG_0001.JPG"])
    _, log = scan(config)
    assert log.of(Pooled) and not log.of(AwaitingDeletion) and not log.of(Deleted)
    assert (config.trip.inbox / "DCIM/100APPLE/IMG_0001.JPG").exists()


def test_deletion_is_refused_when_the_pool_copy_is_gone_or_differs(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="ask")
    fill(config, fixture_photos, ["IMG_0001.JPG", "IMG_0002.JPG"])
    ingestor, log = scan(config)
    photos = {e.source.name: e.photo for e in log.of(Pooled)}
    photos["IMG_0001.JPG"].pool_path.unlink()
    photos["IMG_0002.JPG"].pool_path.chmod(0o644)
    with photos["IMG_0002.JPG"].pool_path.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0")
    receipts = ingestor.delete_sources(list(photos.values()))
    assert [r.deleted for r in receipts] == [False, False]
    assert all("pool copy" in (r.reason or "") for r in receipts)
    assert all(r.source.exists() for r in receipts)
    refused = list(audit.events(db(config), kind_prefix="pool.deletion_refused"))
    assert [event.facts["why"] for event in refused] == ["pool_copy_differs"] * 2
    assert "IMG_" not in str([event.facts for event in refused])  # names stay out of the log


def test_an_original_changed_after_pooling_is_kept_and_pooled_anew(
    trip: Callable[..., Config],
) -> None:
    config = trip(delete_source="ask")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "IMG_0200.JPG"
    source.write_bytes(jpeg_bytes(1))
    ingestor, log = scan(config)
    first = log.wait_for(Pooled).photo
    source.write_bytes(jpeg_bytes(2))
    receipts = ingestor.delete_sources([first])
    assert not receipts[0].deleted and "changed" in (receipts[0].reason or "")
    assert source.read_bytes() == jpeg_bytes(2)
    _, later = scan(config)
    assert later.wait_for(Pooled).photo.sha256 == sha256(jpeg_bytes(2))


def test_a_full_disk_loses_nothing_and_the_next_scan_finishes(
    trip: Callable[..., Config], fixture_photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0001.JPG", "IMG_0004.JPG"])
    real_write = transfer._write_all
    written = 0

    def fills_up(fd: int, data: memoryview) -> None:
        nonlocal written
        if written:  # the first chunk fits; the disk is full after it
            raise OSError(errno.ENOSPC, "No space left on device")
        written += len(data)
        real_write(fd, data)

    monkeypatch.setattr(transfer, "_write_all", fills_up)
    _, log = scan(config)
    failed = log.of(Failed)
    assert failed and all("disk is full" in e.reason for e in failed)
    pooled = {sha256(path.read_bytes()) for path in pool_files(config)}
    for name in ["IMG_0001.JPG", "IMG_0004.JPG"]:  # each original: still there, or safe
        original = (fixture_photos / name).read_bytes()
        left = config.trip.inbox / "DCIM/100APPLE" / name
        assert (left.exists() and left.read_bytes() == original) or sha256(original) in pooled
    for name in {e.source.name for e in failed}:
        assert (config.trip.inbox / "DCIM/100APPLE" / name).exists()
    for path in pool_files(config):  # whatever made it is whole, never a partial copy
        assert sha256(path.read_bytes())[:8] == path.stem.split("_")[1][:8]
    assert list((config.trip.pool / INCOMING).iterdir()) == []
    monkeypatch.setattr(transfer, "_write_all", real_write)
    _, later = scan(config)
    assert not later.of(Failed)
    assert not any((config.trip.inbox / "DCIM/100APPLE").iterdir())
    assert len(pool_files(config)) == 2


def test_an_unreadable_original_is_reported_and_the_rest_pooled(
    trip: Callable[..., Config], fixture_photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0001.JPG", "IMG_0002.JPG"])
    locked = config.trip.inbox / "DCIM/100APPLE/IMG_0001.JPG"
    real_open = os.open

    def no_access(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(path) in (str(locked), locked.name):  # opened by name in its folder
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_access)
    _, log = scan(config)
    assert log.wait_for(Failed, locked).reason.startswith(
        "tripdesk may not read DCIM/100APPLE/IMG_0001.JPG"
    )
    assert [e.source.name for e in log.of(Deleted)] == ["IMG_0002.JPG"]
    assert locked.exists()


def test_a_read_only_pool_is_reported_and_nothing_is_deleted(
    trip: Callable[..., Config], fixture_photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0001.JPG"])
    real_open = os.open

    def read_only(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if INCOMING in os.fspath(path) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    _, log = scan(config)
    assert "is read-only" in log.wait_for(Failed).reason
    assert (config.trip.inbox / "DCIM/100APPLE/IMG_0001.JPG").exists()
    assert pool_files(config) == []


def test_a_missing_inbox_is_one_sentence_unless_it_is_the_default(
    trip: Callable[..., Config], tmp_path: Path, home: Path
) -> None:
    from tripdesk import config as settings

    config = trip()
    assert not config.trip.inbox.exists()
    scan(config)
    assert config.trip.inbox.is_dir()
    elsewhere = settings.update(home, "trip", {"inbox": str(tmp_path / "phone")})
    with pytest.raises(TripdeskError, match=r"inbox folder .*phone is not there"):
        make_ingestor(elsewhere, EventLog()).scan_once()


def test_a_missing_pool_disk_is_one_sentence_and_nothing_moves(
    trip: Callable[..., Config], tmp_path: Path, home: Path, fixture_photos: Path
) -> None:
    from tripdesk import config as settings

    trip(delete_source="auto")
    config = settings.update(home, "trip", {"pool": str(tmp_path / "usb" / "pool")})
    fill(config, fixture_photos, ["IMG_0001.JPG"])
    with pytest.raises(TripdeskError, match=r"pool folder .* is not there"):
        make_ingestor(config, EventLog()).scan_once()
    assert (config.trip.inbox / "DCIM/100APPLE/IMG_0001.JPG").exists()
    assert not (tmp_path / "usb").exists()


def test_a_pool_inside_the_inbox_is_refused(trip: Callable[..., Config], home: Path) -> None:
    from tripdesk import config as settings

    trip()
    config = settings.update(home, "trip", {"pool": str(home / "inbox" / "pool")})
    with pytest.raises(TripdeskError, match="inside one another"):
        make_ingestor(config, EventLog()).scan_once()


def test_the_work_of_a_killed_run_is_finished_without_a_second_copy(
    trip: Callable[..., Config], fixture_photos: Path
) -> None:
    config = trip(delete_source="auto")
    fill(config, fixture_photos, ["IMG_0001.JPG"])
    # A run killed after placing the copy but before cataloguing it, with a stray temp file.
    data = (fixture_photos / "IMG_0001.JPG").read_bytes()
    placed = config.trip.pool / config.trip.slug / "2026-06-12" / f"104107_{sha256(data)[:8]}.jpg"
    placed.parent.mkdir(parents=True)
    placed.write_bytes(data)
    (config.trip.pool / INCOMING).mkdir()
    stray = config.trip.pool / INCOMING / "999999999-dead.tmp"
    stray.write_bytes(data[:1000])
    _, log = scan(config)
    assert log.wait_for(Pooled).photo.pool_path == placed
    assert pool_files(config) == [placed]
    assert not stray.exists()
    assert log.of(Deleted)


def test_a_file_still_being_written_is_pooled_once_complete(
    trip: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = trip()
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "IMG_0300.JPG"
    first, final = jpeg_bytes(1, size=(600, 400)), jpeg_bytes(2, size=(600, 400))
    source.write_bytes(first)
    real_write = transfer._write_all
    rewrites = []

    def phone_still_writing(fd: int, data: memoryview) -> None:
        real_write(fd, data)
        if not rewrites:
            rewrites.append(1)
            source.write_bytes(final)

    monkeypatch.setattr(transfer, "_write_all", phone_still_writing)
    _, log = scan(config)
    assert [e.photo.sha256 for e in log.of(Pooled)] == [sha256(final)]
    assert len(log.of(Arrived)) == 1


def test_an_original_that_vanishes_mid_copy_is_reported_and_nothing_pooled(
    trip: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = trip(delete_source="auto")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    source = config.trip.inbox / "IMG_0400.JPG"
    source.write_bytes(jpeg_bytes(4, size=(600, 400)))
    real_write = transfer._write_all

    def unplugged(fd: int, data: memoryview) -> None:
        real_write(fd, data)
        source.unlink(missing_ok=True)

    monkeypatch.setattr(transfer, "_write_all", unplugged)
    _, log = scan(config)
    assert "vanished" in log.wait_for(Failed, source).reason
    assert pool_files(config) == []
    assert list((config.trip.pool / INCOMING).iterdir()) == []


def test_photos_are_catalogued_in_the_order_they_were_found(trip: Callable[..., Config]) -> None:
    config = trip(delete_source="never")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    names = [f"IMG_{i:04d}.JPG" for i in range(10)]
    for i, name in enumerate(names):  # big and small in turn, so lanes finish out of order
        size = (1600, 1200) if i % 2 == 0 else (64, 48)
        (config.trip.inbox / name).write_bytes(jpeg_bytes(i, size=size))
    _, log = scan(config)
    assert [e.source.name for e in log.of(Pooled)] == names
    photos = sorted(catalogue.list_photos(db(config)), key=lambda photo: photo.id)
    assert [photo.original_name for photo in photos] == names
