"""The verified copy, step by step: hash on the way, source held still, never overwrite."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes, sha256

from tripdesk.errors import TripdeskError
from tripdesk.pool import transfer
from tripdesk.pool.inbox import Inbox
from tripdesk.pool.transfer import (
    INCOMING,
    SourceChanged,
    clear_stray,
    copy_verified,
    place,
)


def copy_of(source: Path, pool: Path) -> transfer.Copy:
    with Inbox(source.parent).open(source) as original:
        return copy_verified(original.fd, pool, source.name, recheck=original.state_by_name)


def test_a_copy_is_complete_hashed_and_hidden_until_placed(tmp_path: Path) -> None:
    data = jpeg_bytes(1, size=(800, 600))
    source = tmp_path / "IMG_0001.JPG"
    source.write_bytes(data)
    pool = tmp_path / "pool"
    pool.mkdir()
    copy = copy_of(source, pool)
    assert copy.sha256 == sha256(data)
    assert copy.temp.parent == pool / INCOMING
    assert copy.temp.read_bytes() == data
    assert copy.source.size == len(data)
    assert oct(copy.temp.stat().st_mode & 0o777) == oct(transfer.FILE_MODE)
    final = place(copy, pool / "trip" / "2026-06-12", "104107_abcd", "jpg", pool, "x")
    assert final == pool / "trip" / "2026-06-12" / "104107_abcd.jpg"
    assert final.read_bytes() == data
    assert not copy.temp.exists()
    assert source.read_bytes() == data


def test_a_source_that_changes_during_the_copy_is_started_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "growing.jpg"
    source.write_bytes(jpeg_bytes(2, size=(2000, 1500)))
    pool = tmp_path / "pool"
    pool.mkdir()
    real_write = transfer._write_all

    def write_while_the_phone_appends(fd: int, data: memoryview) -> None:
        real_write(fd, data)
        with source.open("ab") as more:
            more.write(b"more")

    monkeypatch.setattr(transfer, "_write_all", write_while_the_phone_appends)
    with pytest.raises(SourceChanged):
        copy_of(source, pool)
    assert list((pool / INCOMING).iterdir()) == []


def test_a_full_disk_removes_the_temporary_copy_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "IMG_0001.JPG"
    source.write_bytes(jpeg_bytes(3, size=(2000, 1500)))
    pool = tmp_path / "pool"
    pool.mkdir()

    def full(fd: int, data: memoryview) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfer, "_write_all", full)
    with pytest.raises(TripdeskError, match="disk is full"):
        copy_of(source, pool)
    assert list((pool / INCOMING).iterdir()) == []


def test_placing_never_overwrites_other_bytes(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    folder = pool / "trip" / "day"
    folder.mkdir(parents=True)
    (folder / "101010_aaaaaaaa.jpg").write_bytes(b"someone else's photo")
    source = tmp_path / "a.jpg"
    source.write_bytes(jpeg_bytes(4))
    final = place(copy_of(source, pool), folder, "101010_aaaaaaaa", "jpg", pool, "a.jpg")
    assert final.name == "101010_aaaaaaaa-2.jpg"
    assert (folder / "101010_aaaaaaaa.jpg").read_bytes() == b"someone else's photo"


def test_placing_the_same_bytes_again_keeps_the_one_copy(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    source = tmp_path / "a.jpg"
    source.write_bytes(jpeg_bytes(5))
    folder = pool / "trip" / "day"
    pool.mkdir()
    first = place(copy_of(source, pool), folder, "stem", "jpg", pool, "a.jpg")
    second = place(copy_of(source, pool), folder, "stem", "jpg", pool, "a.jpg")
    assert first == second
    assert sorted(p.name for p in folder.iterdir()) == ["stem.jpg"]
    assert list((pool / INCOMING).iterdir()) == []


def test_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(jpeg_bytes(6))
    link = tmp_path / "link.jpg"
    link.symlink_to(outside)
    with pytest.raises(OSError) as raised:
        Inbox(tmp_path).open(link)
    assert raised.value.errno == errno.ELOOP


def test_stray_copies_of_dead_processes_are_cleared_and_live_ones_kept(tmp_path: Path) -> None:
    incoming = tmp_path / "pool" / INCOMING
    incoming.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = incoming / f"{dead.stdout.strip()}-abc.tmp"
    stale.write_bytes(b"half a photo")
    alive = incoming / f"{os.getppid()}-def.tmp"
    alive.write_bytes(b"a copy in progress")
    assert clear_stray(tmp_path / "pool") == 1
    assert not stale.exists()
    assert alive.exists()
