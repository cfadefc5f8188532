"""Everything tripdesk keeps is readable by the teacher's account only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes

from tripdesk import cli, private, store
from tripdesk.config import Config
from tripdesk.desk.database import open_database


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual 022, under which new files are readable by everyone unless tripdesk says no."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def loose(root: Path, skip: Path | None = None) -> list[str]:
    """Everything inside `root` that others may read, write or enter."""
    found = []
    for path in root.rglob("*"):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        mode = os.lstat(path).st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077:
            found.append(f"{path.relative_to(root)} {stat.filemode(mode)}")
    return found


def test_the_database_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "home" / "tripdesk.db"
    conn = store.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    files = [path, path.with_name("tripdesk.db-wal"), path.with_name("tripdesk.db-shm")]
    assert all(p.exists() for p in files)
    assert [stat.S_IMODE(p.stat().st_mode) for p in files] == [0o600] * 3
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    conn.close()


def test_ingest_writes_nothing_others_can_read(
    trip: Callable[..., Config], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip(delete_source="ask")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    (config.trip.inbox / "IMG_0001.JPG").write_bytes(jpeg_bytes(1))
    (config.trip.inbox / "notes.txt").write_text("packed lunches")
    assert cli.main(["ingest", "--once"]) == 0
    assert loose(home, skip=config.trip.inbox) == []
    assert list(config.trip.pool.rglob("*.jpg"))


def test_files_an_older_version_left_open_are_tightened_with_one_sentence(
    trip: Callable[..., Config], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip()
    open_database(config.database).close()
    old_photo = config.trip.pool / "School-trip" / "2026-06-12" / "104107_deadbeef.jpg"
    old_photo.parent.mkdir(parents=True)
    old_photo.write_bytes(jpeg_bytes(2))
    for path in (config.database, config.path, old_photo):
        os.chmod(path, 0o644)
    for folder in (home, config.trip.pool, old_photo.parent):
        os.chmod(folder, 0o755)
    assert loose(home)
    assert cli.main(["ingest", "--once"]) == 0
    err = capsys.readouterr().err
    assert err.count("readable by you only") == 1 and err.count("\n") == 1
    assert loose(home, skip=config.trip.inbox) == []
    assert cli.main(["ingest", "--once"]) == 0
    assert "readable by you only" not in capsys.readouterr().err  # said once, when it happened


def test_a_private_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    os.umask(0)
    target = tmp_path / "previews" / "post-1.json"
    private.write_file(target, b'{"text": "Year 6 at the museum"}')
    assert target.read_bytes() == b'{"text": "Year 6 at the museum"}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["post-1.json"]
