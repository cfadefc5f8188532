"""A post that needs a second member of staff is never queued or sent without one, however the
processes are killed.

Rounds of `tripdesk post` (some approved with a PIN, some not, some with a wrong PIN) and
`tripdesk outbox send` are SIGKILLed at random moments. Afterwards every post in the outbox is
Mr Jones's approved post, each queued whole; and everything sent was approved.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.publish.outbox import Outbox
from tripdesk.staff import store as staff

PIN = "602913"
ROUNDS = 12


def _start(args: list[str], home: Path, pin: str | None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tripdesk", *args],
        env={**os.environ, "TRIPDESK_HOME": str(home)},
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    if pin is not None:
        process.stdin.write(pin.encode() + b"\n")
    process.stdin.close()
    return process


@pytest.mark.slow
def test_no_post_needing_approval_is_queued_or_sent_without_it(
    trip: Config, conn: sqlite3.Connection
) -> None:
    config = settings.update(trip.home, "approval", {"required": "children"})
    staff.add(conn, "Mr Jones", PIN)
    photo = trip.trip.pool / "amira.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 480), (30, 90, 160)).save(photo, "JPEG")
    draft = trip.home / "DRAFT.json"
    draft.write_text(
        json.dumps(
            {
                "text": "A great morning!",
                "photos": [{"path": str(photo), "pupils": ["P1"], "alt": "A pupil"}],
            }
        ),
        encoding="utf-8",
    )
    post = ["post", str(draft)]
    approved = [*post, "--approved-by", "Mr Jones", "--pin-stdin"]
    chosen = random.Random(20260612)
    for _ in range(ROUNDS):
        kind = chosen.choice(["approved", "unapproved", "wrong pin", "send"])
        if kind == "approved":
            process = _start(approved, trip.home, PIN)
        elif kind == "wrong pin":
            process = _start(approved, trip.home, "000000")
        elif kind == "unapproved":
            process = _start(post, trip.home, None)
        else:
            process = _start(["outbox", "send"], trip.home, None)
        time.sleep(chosen.uniform(0.2, 3.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        if kind in ("unapproved", "wrong pin"):
            assert process.returncode != 0
    # Left alone, an approved post is queued and an unapproved one is not; one clean sending
    # run settles what is left, then every post is looked at.
    assert _start(approved, trip.home, PIN).wait(120) == 0
    assert _start(post, trip.home, None).wait(120) == 1
    assert _start(["outbox", "send"], trip.home, None).wait(120) in (0, 1)
    reader = open_database(config.database)
    try:
        posts = Outbox(reader, config).posts()
        for queued in posts:
            assert queued.approved_by == "Mr Jones", queued
            assert len(queued.draft.photos) == 1
        assert any(p.state == "sent" for p in posts)
    finally:
        reader.close()
