"""`tripdesk ingest` as the contract describes it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes

from tripdesk import cli
from tripdesk import config as settings
from tripdesk.config import Config


def fill(config: Config, fixture_photos: Path, *names: str) -> None:
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(fixture_photos / name, config.trip.inbox / name)


def test_once_json_has_the_contract_keys(
    trip: Callable[..., Config], fixture_photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip()
    fill(config, fixture_photos, "IMG_0001.JPG", "IMG_0007_not_a_photo.JPG")
    (config.trip.inbox / "copy of IMG_0001.JPG").write_bytes(
        (fixture_photos / "IMG_0001.JPG").read_bytes()
    )
    (config.trip.inbox / "notes.txt").write_text("lunch at 12")
    assert cli.main(["ingest", "--once", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"pooled", "duplicates", "deleted", "skipped", "errors"} <= set(result)
    [pooled] = result["pooled"]
    [duplicate] = result["duplicates"]
    assert pooled["source"] == str(config.trip.inbox / "IMG_0001.JPG")
    assert duplicate["source"] == str(config.trip.inbox / "copy of IMG_0001.JPG")
    assert Path(pooled["pool_path"]).read_bytes() == (fixture_photos / "IMG_0001.JPG").read_bytes()
    assert len(pooled["sha256"]) == 64
    assert (duplicate["pool_path"], duplicate["sha256"]) == (pooled["pool_path"], pooled["sha256"])
    assert [s["source"] for s in result["skipped"]] == [str(config.trip.inbox / "notes.txt")]
    assert result["skipped"][0]["reason"]
    [error] = result["errors"]
    assert error["source"].endswith("IMG_0007_not_a_photo.JPG") and "not a photo" in error["reason"]
    assert result["damaged"] == result["errors"]
    assert result["deleted"] == []
    [waiting] = result["awaiting_deletion"]  # one photo, whose two originals both wait
    assert waiting["sha256"] == pooled["sha256"]


def test_a_second_run_still_says_which_originals_wait_for_deletion(
    trip: Callable[..., Config], fixture_photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip(delete_source="ask")
    fill(config, fixture_photos, "IMG_0002.JPG", "IMG_0003.JPG")
    assert cli.main(["ingest", "--once"]) == 0
    capsys.readouterr()
    assert cli.main(["ingest", "--once"]) == 0
    out = capsys.readouterr().out
    assert "Pooled 0" in out
    assert "2 verified original(s) wait in the inbox" in out
    assert cli.main(["ingest", "--once", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(Path(w["source"]).name for w in result["awaiting_deletion"]) == [
        "IMG_0002.JPG",
        "IMG_0003.JPG",
    ]


def test_delete_source_deletes_verified_originals_only(
    trip: Callable[..., Config], fixture_photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip(delete_source="ask")
    fill(config, fixture_photos, "IMG_0002.JPG", "IMG_0006_truncated.JPG")
    assert cli.main(["ingest", "--once", "--delete-source", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [Path(d["source"]).name for d in result["deleted"]] == ["IMG_0002.JPG"]
    assert sorted(os.listdir(config.trip.inbox)) == ["IMG_0006_truncated.JPG"]


def test_once_prints_a_line_per_event(
    trip: Callable[..., Config], fixture_photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trip()
    fill(config, fixture_photos, "IMG_0003.JPG")
    assert cli.main(["ingest", "--once"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["arrived", "IMG_0003.JPG"]
    assert out[1].split() == ["copying", "IMG_0003.JPG"]
    assert out[2].startswith("pooled     IMG_0003.JPG → School-trip/2026-06-12/")
    assert out[-2].startswith("Pooled 1, duplicates 0")


def test_a_missing_inbox_is_one_sentence(
    trip: Callable[..., Config], home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip()
    settings.update(home, "trip", {"inbox": str(tmp_path / "phone")})
    assert cli.main(["ingest", "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inbox folder" in err and "Traceback" not in err


def test_watching_prints_events_and_stops_cleanly_on_ctrl_c(
    trip: Callable[..., Config], home: Path
) -> None:
    config = trip(settle_seconds=0.2)
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "tripdesk", "ingest"],
        env={**os.environ, "TRIPDESK_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        assert process.stderr.readline().startswith("Watching")
        (config.trip.inbox / "IMG_0010.JPG").write_bytes(jpeg_bytes(10))
        lines = []
        while not lines or not lines[-1].startswith("awaiting"):
            line = process.stdout.readline()
            assert line, "the watcher ended early"
            lines.append(line)
        assert [line.split()[0] for line in lines] == ["arrived", "copying", "pooled", "awaiting"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
