"""Accountability from the command line: a second pair of eyes, takedown, holding, the report.

Every step is the real `python -m tripdesk` in a subprocess against one TRIPDESK_HOME, posting
to the X stand-in on 127.0.0.1: a colleague approves a post of a child with their PIN, Amira's
consent is withdrawn after her post went out, the import says so at once, the post is taken
down from X exactly once with a receipt, and the trip report (HTML and CSV) tells it all
without a surname, a PIN, metadata or anything to fetch.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from PIL import Image
from xstandin import ENV, XStandIn

from tripdesk import audit
from tripdesk import config as settings
from tripdesk.desk.database import open_database

PIN = "482193"
TEACHER_PIN = "551177"
AMIRA = "P1001,Amira,,Khan,6,6B,yes,yes,no,2029-07-31,,no"


class Ran:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code, self.out, self.err = done.returncode, done.stdout, done.stderr

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Ran({self.code}, out={self.out!r}, err={self.err!r})"


def tripdesk(home: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> Ran:
    """The command as a teacher or a script runs it; never a traceback, never a PIN shown."""
    environment = {
        **os.environ,
        "TRIPDESK_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tripdesk", *args],
        cwd=home,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )
    ran = Ran(done)
    assert "Traceback" not in ran.out + ran.err, ran
    assert PIN not in ran.out + ran.err and TEACHER_PIN not in ran.out + ran.err, ran
    return ran


def start(home: Path, shared: Path) -> dict[str, Path]:
    """The register in, the phone's photos pooled and deleted from the phone folder."""
    register = shared / "fixtures" / "register"
    ran = tripdesk(
        home,
        "consent",
        "import",
        str(register / "sample_register.csv"),
        "--roster",
        str(register / "trip_roster.csv"),
    )
    assert ran.code == 0, ran
    inbox = home / "inbox"
    inbox.mkdir(exist_ok=True)
    for name in ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0006_truncated.JPG"):
        shutil.copyfile(shared / "fixtures" / "photos" / name, inbox / name)
    ran = tripdesk(home, "ingest", "--once", "--delete-source", "--json")
    assert ran.code == 0, ran
    return {Path(item["source"]).name: Path(item["pool_path"]) for item in ran.json()["pooled"]}


def draft(home: Path, name: str, text: str, *photos: dict[str, Any]) -> str:
    folder = home / "drafts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.json"
    shown = [{**photo, "path": str(photo["path"])} for photo in photos]
    path.write_text(json.dumps({"text": text, "photos": shown}), encoding="utf-8")
    return str(path)


def approved_post(home: Path, path: str, name: str, pin: str, env: dict[str, str]) -> Ran:
    """`post --confirm` with a colleague's approval, the PIN on standard input."""
    return tripdesk(
        home, "post", path, "--confirm", "--approved-by", name, "--pin-stdin", env=env, stdin=pin
    )


def posts(home: Path, env: dict[str, str] | None = None) -> dict[int, dict[str, Any]]:
    listed = tripdesk(home, "outbox", "list", "--json", env=env)
    assert listed.code == 0, listed
    return {post["id"]: post for post in listed.json()["posts"]}


class _Page(HTMLParser):
    """Every tag and attribute of the report, to prove it fetches nothing and runs nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.links: list[str] = []
        self.other_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            value = value or ""
            if name == "src":
                self.sources.append(value)
            elif name == "href" and tag == "a":
                self.links.append(value)
            elif name in ("href", "srcset", "action", "poster", "data", "background"):
                self.other_urls.append(value)
            assert not name.startswith("on"), f"an event handler: {name}"


def test_approval_takedown_and_the_report_against_x(home: Path, shared: Path) -> None:
    settings.update(home, "trip", {"name": "Year 6 Museum", "teacher": "Ms Patel"})
    settings.update(home, "approval", {"required": "children"})
    pooled = start(home, shared)
    portrait, cup = pooled["IMG_0001.JPG"], pooled["IMG_0002.JPG"]

    # Two colleagues on the staff list: the PIN is read from standard input, never echoed.
    added = tripdesk(home, "staff", "add", "Mr Jones", "--pin-stdin", stdin=PIN + "\n")
    assert (added.code, added.out) == (0, "Mr Jones is on the staff list.\n")
    teacher = tripdesk(home, "staff", "add", "Ms Patel", "--pin-stdin", stdin=TEACHER_PIN)
    assert "the trip's teacher" in teacher.out
    assert tripdesk(home, "staff", "list").out == "Mr Jones\nMs Patel (the trip's teacher)\n"
    no_terminal = tripdesk(home, "staff", "add", "Mrs Ali")
    assert no_terminal.code == 2 and "--pin-stdin" in no_terminal.err

    amira = draft(
        home,
        "amira",
        "Amira was brilliant at the museum!",
        {"path": portrait, "pupils": ["P1001"], "alt": "A pupil in a space suit"},
    )
    cup_only = draft(
        home, "cup", "Sketching in the cafe.", {"path": cup, "no_children": True, "alt": "A cup"}
    )

    with XStandIn() as x:
        env = {**ENV, "TRIPDESK_BACKEND": "x", "TRIPDESK_X_API_BASE": x.base_url}

        # Without an approval the post is refused, nothing is queued, and it says who may approve.
        refused = tripdesk(home, "post", amira, "--confirm", env=env)
        assert refused.code == 1 and refused.out == "", refused
        assert "Mr Jones" in refused.err and "Ms Patel" not in refused.err
        assert "nothing was queued" in refused.err
        own = approved_post(home, amira, "Ms Patel", TEACHER_PIN, env)
        assert own.code == 1 and "cannot approve their own post" in own.err
        wrong = approved_post(home, amira, "Mr Jones", "000000", env)
        assert wrong.code == 1 and "4 more wrong tries" in wrong.err
        assert posts(home, env) == {}

        approved = approved_post(home, amira, "mr jones", PIN, env)
        assert (approved.code, approved.out) == (0, "1\n"), approved
        # A photo of work only needs no second person.
        assert tripdesk(home, "post", cup_only, env=env).out == "2\n"
        assert posts(home, env)[1]["approved_by"] == "Mr Jones"
        assert posts(home, env)[2]["approved_by"] is None

        sent = tripdesk(home, "outbox", "send", env=env)
        assert (sent.code, sent.out) == (0, "2 sent.\n"), sent
        by_text = {tweet.text: tweet.id for tweet in x.created}
        amira_tweet = by_text["Amira was brilliant at the museum!"]

        # Five wrong PINs lock Mr Jones: then even his right PIN is refused for a while.
        for left in (4, 3, 2, 1):
            ran = approved_post(home, amira, "Mr Jones", "111111", env)
            assert ran.code == 1 and f"{left} more wrong" in ran.err, ran
        locked = approved_post(home, amira, "Mr Jones", "111111", env)
        assert locked.code == 1 and "locked out" in locked.err
        still = approved_post(home, amira, "Mr Jones", PIN, env)
        assert still.code == 1 and "locked out" in still.err
        assert "locked out until" in tripdesk(home, "staff", "list").out
        assert sorted(posts(home, env)) == [1, 2]

        # Amira's consent is withdrawn in the MIS: the import says at once what is public.
        register = shared / "fixtures" / "register"
        original = (register / "sample_register.csv").read_text(encoding="utf-8")
        assert AMIRA in original
        today = home / "register-today.csv"
        today.write_text(original.replace(AMIRA, AMIRA[:-3] + "2026-06-12,no"), encoding="utf-8")
        imported = tripdesk(
            home, "consent", "import", str(today), "--roster", str(register / "trip_roster.csv")
        )
        assert imported.code == 0, imported
        assert "Lost consent since the last import: P1001 Amira." in imported.out
        assert "1 published post shows or names a pupil whose consent is gone:" in imported.out
        assert re.search(
            r"post 1, sent .* to X \(https://x\.com/i/status/\d+\): P1001", imported.out
        )
        assert "`tripdesk takedown P1001`" in imported.out and "Khan" not in imported.out

        listed = tripdesk(home, "takedown", "list", "--json").json()["posts"]
        assert [(p["id"], [q["id"] for q in p["pupils"]]) for p in listed] == [(1, ["P1001"])]
        assert listed[0]["pupils"][0]["how"] == ["in photo 1", "named in the text"]
        assert listed[0]["pupils"][0]["name"] == "Amira K. (6B)"

        # Taking it down: asked first, then queued once, removed from X once, with a receipt.
        unasked = tripdesk(home, "takedown", "P1001")
        assert unasked.code == 2 and "--yes" in unasked.err
        queued = tripdesk(home, "takedown", "P1001", "--yes", "--json")
        assert (queued.code, queued.json()) == (0, {"queued": [1]}), queued
        again = tripdesk(home, "takedown", "P1001", "--yes")
        assert again.code == 0 and "No published post" in again.out
        removed = tripdesk(home, "outbox", "send", env=env)
        assert removed.code == 0, removed
        assert tripdesk(home, "outbox", "send", env=env).out == "Nothing was due.\n"
        deletes = [r for r in x.requests if r[0] == "DELETE"]
        assert deletes == [("DELETE", f"/2/tweets/{amira_tweet}")]
        receipt = tripdesk(home, "takedown", "list")
        assert re.search(r"post 1: Removed from X at \d\d:\d\d", receipt.out), receipt
        assert "[removed]" in receipt.out

        cancelled = tripdesk(home, "takedown", "--post", "2", "--yes")
        assert cancelled.code == 0 and "Removal queued for post 2" in cancelled.out
        assert tripdesk(home, "outbox", "send", env=env).code == 0
        assert len([r for r in x.requests if r[0] == "DELETE"]) == 2
        twice = tripdesk(home, "takedown", "--post", "2", "--yes")
        assert twice.code == 2 and "already asked for: Removed from X at" in twice.err
        unsent = tripdesk(home, "takedown", "--post", "9", "--yes")
        assert unsent.code == 2 and "no post 9" in unsent.err

    # The report: one private HTML file with everything, nothing to fetch, no surname or PIN.
    made = tripdesk(home, "report", "--json")
    assert made.code == 0, made
    body = made.json()
    path = Path(body["path"])
    assert path.parent == home / "reports" and path.suffix == ".html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    summary = body["summary"]
    assert (summary["posts_sent"], summary["photos_pooled"], summary["quarantined"]) == (2, 2, 1)
    assert summary["originals_deleted"] == 2 and summary["takedowns_done"] == 2
    assert summary["confirmations"] == 1
    page = path.read_text(encoding="utf-8")
    for words in (
        "Amira was brilliant at the museum!",
        "Sketching in the cafe.",
        "Mr Jones",
        "Amira</td><td>K</td><td>6B</td><td>P1001</td>",
        "Removed from X at",
        f"https://x.com/i/status/{amira_tweet}",
        "register-today.csv",
        "Amira K. (6B), P1001",
    ):
        assert words in page, words
    assert "Khan" not in page and "Okafor" not in page
    assert PIN not in page and TEACHER_PIN not in page
    parsed = _Page()
    parsed.feed(page)
    assert "script" not in parsed.tags and "link" not in parsed.tags
    assert "iframe" not in parsed.tags and "object" not in parsed.tags
    assert parsed.other_urls == []
    assert all(link.startswith("https://x.com/i/status/") for link in parsed.links)
    assert len(parsed.sources) == 2 and all(
        src.startswith("data:image/jpeg;base64,") for src in parsed.sources
    )
    for src in parsed.sources:
        small = base64.b64decode(src.split(",", 1)[1])
        for secret in (b"Exif", b"xmpmeta", b"Amira Khan", b"iPhone", b"Apple"):
            assert secret not in small
        image = Image.open(io.BytesIO(small))
        assert max(image.size) <= 240 and not dict(image.getexif())
    assert not re.search(r"url\(|@import", page)

    # The CSV: one row per pupil per photo, for a spreadsheet.
    out = home / "elsewhere" / "trip.csv"
    made = tripdesk(home, "report", "--format", "csv", "--out", str(out))
    assert made.code == 0 and str(out) in made.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    portrait_sha = hashlib.sha256(portrait.read_bytes()).hexdigest()
    assert len(rows) == 1
    row = rows[0]
    assert (row["post"], row["network"], row["pupil_id"], row["first_name"]) == (
        "1",
        "X",
        "P1001",
        "Amira",
    )
    assert row["link"] == f"https://x.com/i/status/{amira_tweet}"
    assert row["photo_sha256"] == portrait_sha and row["approved_by"] == "Mr Jones"
    assert row["consent_at_send"].startswith("consent")
    assert datetime.fromisoformat(row["time"]).tzinfo is not None

    # The approver is in the audit log beside the post; a PIN never is.
    conn = open_database(home / "tripdesk.db")
    try:
        approvals = [e.facts for e in audit.events(conn, kind_prefix="staff.approved")]
        logged = " ".join(f"{e.kind} {e.facts}" for e in audit.events(conn))
    finally:
        conn.close()
    assert approvals == [{"post": 1, "approver": "Mr Jones"}]
    assert PIN not in logged and TEACHER_PIN not in logged and "Khan" not in logged

    # No PIN anywhere on disk: not in the database, the settings, the reports or the logs.
    for kept in home.rglob("*"):
        if kept.is_file() and "pool" not in kept.parts and "cache" not in kept.parts:
            data = kept.read_bytes()
            assert PIN.encode() not in data and TEACHER_PIN.encode() not in data, kept


def test_holding_posts_and_withdrawing_consent_by_hand(home: Path, shared: Path) -> None:
    settings.update(home, "publish", {"hold_photos_minutes": 60})
    pooled = start(home, shared)
    amira = draft(
        home,
        "amira",
        "A great morning!",
        {"path": pooled["IMG_0001.JPG"], "pupils": ["P1001"], "alt": "A pupil in a space suit"},
    )
    cup = draft(
        home,
        "cup",
        "Sketching.",
        {"path": pooled["IMG_0002.JPG"], "no_children": True, "alt": "A cup"},
    )

    # Photos of children wait an hour by default; work photos go at once.
    assert tripdesk(home, "post", amira).out == "1\n"
    assert tripdesk(home, "post", cup).out == "2\n"
    shown = posts(home)
    assert shown[1]["state"] == "held" and shown[2]["state"] == "queued"
    held_until = datetime.fromisoformat(shown[1]["hold_until"])
    assert (
        timedelta(minutes=58) < held_until - datetime.now(held_until.tzinfo) <= timedelta(hours=1)
    )

    # A time given on the command line wins; one already past is refused in one sentence.
    later = (datetime.now() + timedelta(hours=3)).replace(microsecond=0)
    assert tripdesk(home, "post", cup, "--hold-until", later.isoformat()).out == "3\n"
    assert datetime.fromisoformat(posts(home)[3]["hold_until"]) == later.astimezone()
    past = tripdesk(home, "post", cup, "--hold-until", "2020-01-01T09:00")
    assert past.code == 2 and past.out == "" and "already passed" in past.err
    assert len(past.err.strip().splitlines()) == 1
    lonely = tripdesk(home, "post", cup, "--pin-stdin", stdin="1234")
    assert lonely.code == 2 and "--approved-by" in lonely.err

    sent = tripdesk(home, "outbox", "send")
    assert sent.code == 0 and sent.out.startswith("1 recorded in dry-run"), sent
    assert [posts(home)[i]["state"] for i in (1, 2, 3)] == ["held", "sent", "held"]
    released = tripdesk(home, "outbox", "release", "1")
    assert released.code == 0, released
    assert tripdesk(home, "outbox", "send").out.startswith("1 recorded in dry-run")
    assert posts(home)[1]["state"] == "sent"

    # Consent withdrawn by hand: recorded, and the published post is named at once.
    withdrawn = tripdesk(home, "consent", "withdraw", "P1001")
    assert withdrawn.code == 0, withdrawn
    assert withdrawn.out.startswith("Consent for P1001 Amira is now recorded as withdrawn")
    assert "post 1, sent" in withdrawn.out and "in photo 1" in withdrawn.out
    assert "`tripdesk takedown P1001`" in withdrawn.out and "Khan" not in withdrawn.out
    twice = tripdesk(home, "consent", "withdraw", "P1001", "--json").json()
    assert twice["changed"] is False and [p["id"] for p in twice["takedown"]] == [1]
    stranger = tripdesk(home, "consent", "withdraw", "P9999")
    assert stranger.code == 2 and "P9999 is not on the consent register" in stranger.err

    # The held post of Amira now stays back: the guard runs again when it is due.
    check = tripdesk(home, "check", amira)
    assert check.code == 1 and "withdrawn" in check.out
