"""A trip day from the command line, as the IT person and the trip teacher would run it.

Every step is the real `python -m tripdesk` in a subprocess against one TRIPDESK_HOME: the
register goes in, the phone's photos are pooled (the broken ones quarantined, never deleted),
drafts are checked and posted, the outbox is driven by hand, and in the second test posts go to
the X stand-in over 127.0.0.1, where what arrived is read back byte for byte. Every message is
held to the same bar: the right exit code, one plain sentence on failure, never a traceback.
Blurring has no command yet, so that one step calls `tripdesk.media.blur.blur_faces` in-process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image
from xstandin import ENV, XStandIn

from tripdesk import config as settings
from tripdesk.desk.database import open_database
from tripdesk.media import faces
from tripdesk.media.blur import blur_faces
from tripdesk.pool import catalogue

GOOD = {"IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG", "IMG_0005.HEIC"}
GOOD |= {"IMG_0009.PNG"}
DAMAGED = {"IMG_0006_truncated.JPG", "IMG_0007_not_a_photo.JPG", "IMG_0008_empty.JPG"}


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def tripdesk(home: Path, *args: str, env: dict[str, str] | None = None) -> Ran:
    """Run the command as a teacher would; no answer of it may ever carry a traceback."""
    environment = {
        **os.environ,
        "TRIPDESK_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # never the machine's own
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tripdesk", *args],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return Ran(done.returncode, done.stdout, done.stderr)


def one_sentence(ran: Ran, code: int = 2) -> str:
    """A refusal: the given exit code, nothing on stdout, one line on stderr."""
    assert (ran.code, ran.out) == (code, ""), ran
    assert ran.err.startswith("tripdesk: ") and len(ran.err.strip().splitlines()) == 1, ran.err
    return ran.err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_trip(home: Path, shared: Path, *ingest_options: str) -> dict[str, Path]:
    """The office loads the register, the teacher's phone fills the inbox, tripdesk pools it."""
    register = shared / "fixtures" / "register"
    imported = tripdesk(
        home,
        "consent",
        "import",
        str(register / "sample_register.csv"),
        "--roster",
        str(register / "trip_roster.csv"),
    )
    assert (imported.code, imported.err) == (0, "")
    assert imported.out == (
        "Imported 30 pupils; 23 on the trip roster, of whom 16 may appear in photos.\n"
    )
    inbox = home / "inbox"
    inbox.mkdir(exist_ok=True)
    for photo in (shared / "fixtures" / "photos").iterdir():
        shutil.copyfile(photo, inbox / photo.name)
    ran = tripdesk(home, "ingest", "--once", "--json", *ingest_options)
    assert (ran.code, ran.err) == (0, ""), ran
    report = ran.json()
    pooled = {Path(item["source"]).name: Path(item["pool_path"]) for item in report["pooled"]}
    assert set(pooled) == GOOD
    for name, pool_path in pooled.items():
        assert sha256(pool_path) == sha256(shared / "fixtures" / "photos" / name)
        assert name not in str(pool_path)  # a file name can name a child; the pool's never do
    damaged = {Path(item["source"]).name: item for item in report["damaged"]}
    assert set(damaged) == DAMAGED
    for item in damaged.values():
        assert "quarantine" in item["pool_path"] and Path(item["pool_path"]).is_file()
        assert item["reason"].endswith(".")
    assert {Path(item["source"]).name for item in report["errors"]} == DAMAGED
    return pooled


def write_draft(home: Path, name: str, text: str, *photos: dict[str, Any]) -> str:
    """A draft file as the teacher writes it, photos named relative to the pool."""
    folder = home / "drafts"
    folder.mkdir(exist_ok=True)
    shown = [
        {
            **photo,
            "path": os.path.relpath(photo["path"], home / "pool")
            if Path(photo["path"]).is_absolute()
            else str(photo["path"]),
        }
        for photo in photos
    ]
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"text": text, "photos": shown}), encoding="utf-8")
    return str(path)


def fixture_secrets(shared: Path) -> list[bytes]:
    """What the fixtures' metadata holds that must never leave: names, descriptions, GPS, phone."""
    pillow_heif.register_heif_opener()
    found: set[bytes] = {b"Exif\x00\x00", b"<x:xmpmeta", b"xpacket", b"iPhone", b"Apple"}
    for photo in sorted((shared / "fixtures" / "photos").iterdir()):
        if photo.name in DAMAGED:
            continue
        with Image.open(photo) as image:
            exif = image.getexif()
            description = exif.get(270)
            if description:
                found.add(description.encode())
                found |= {word.encode() for word in description.split() if len(word) >= 4}
            comment = image.info.get("comment")
            if comment:
                found.add(comment)
            gps = exif.get_ifd(0x8825)
            if gps:
                latitude = [int(value) for value in gps[2]]
                for order in ("<", ">"):  # each degree/minute/second as a rational n/1
                    found.add(struct.pack(f"{order}6I", *(v for n in latitude for v in (n, 1))))
    assert b"Amira Khan at the museum" in found and b"Okafor" in found  # the fixtures' own
    return sorted(found)


def assert_clean_upload(data: bytes, secrets: list[bytes]) -> Image.Image:
    """Bytes that X may have: pixels and nothing else, within X's limits."""
    assert len(data) <= 5_000_000
    leaked = [secret for secret in secrets if secret in data]
    assert not leaked, f"the upload carries {leaked}"
    image = Image.open(io.BytesIO(data))
    assert not dict(image.getexif())
    assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info)
    assert max(image.size) <= 4096
    return image


def test_a_trip_day_in_dry_run(home: Path, shared: Path) -> None:
    pooled = start_trip(home, shared)
    inbox = home / "inbox"
    assert {p.name for p in inbox.iterdir()} == GOOD | DAMAGED  # nothing deleted unasked

    # Deleting the originals from the phone folder: the verified ones go, the damaged stay.
    ran = tripdesk(home, "ingest", "--once", "--delete-source")
    assert (ran.code, ran.err) == (0, "")
    assert "deleted 6" in ran.out
    assert {p.name for p in inbox.iterdir()} == DAMAGED
    assert all(path.is_file() for path in pooled.values())

    # Checking drafts: every rule the teacher meets on the day, in words and in JSON.
    portrait, cup = pooled["IMG_0001.JPG"], pooled["IMG_0002.JPG"]
    alt = "A pupil in a space suit"

    def of(pupil: str) -> dict[str, Any]:
        return {"path": portrait, "pupils": [pupil], "alt": alt}

    def work(path: Path, words: str) -> dict[str, Any]:
        return {"path": path, "no_children": True, "alt": words}

    drafts = {
        "consenting": (write_draft(home, "amira", "A great morning!", of("P1001")), "ok", []),
        "no consent": (
            write_draft(home, "ben", "A great morning!", of("P1002")),
            "blocked",
            ["Ben (P1002)", "no social-media photo consent"],
        ),
        "never photograph": (
            write_draft(home, "ellie", "A great morning!", of("P1010")),
            "blocked",
            ["Ellie (P1010)", "never be photographed"],
        ),
        "surname in alt": (
            write_draft(home, "alt", "Coffee time.", work(cup, "Amira Khan's coffee")),
            "blocked",
            ["First names only", "alt text of photo 1"],
        ),
        "face in a no-children photo": (
            write_draft(home, "face", "Space suits!", work(portrait, "A space suit")),
            "blocked",
            ["1 face", "photo 1"],
        ),
        "work only": (
            write_draft(home, "cup", "Year 6 sketched the museum cafe.", work(cup, "A coffee cup")),
            "ok",
            [],
        ),
    }
    headline = {"ok": "OK: ready to go out.", "blocked": "Blocked: ", "confirm": "Confirm: "}
    for case, (draft, verdict, words) in drafts.items():
        said = tripdesk(home, "check", draft)
        assert said.code == (1 if verdict == "blocked" else 0), (case, said)
        assert said.err == "" and said.out.startswith(headline[verdict]), (case, said)
        assert all(word in said.out for word in words), (case, said.out)
        answer = tripdesk(home, "check", draft, "--json")
        assert (answer.code, answer.err) == (said.code, ""), case
        body = answer.json()
        assert body["verdict"] == verdict, (case, body)
        assert set(body) >= {"verdict", "findings", "weighted_length"}
        for finding in body["findings"]:
            assert set(finding) >= {"rule", "severity", "message", "where"}
    surname = tripdesk(home, "check", drafts["surname in alt"][0], "--json").json()
    [finding] = surname["findings"]
    assert finding["severity"] == "block" and finding["where"]["field"] == "alt"

    # Drafts the teacher got wrong: one sentence each, exit 2.
    gone = write_draft(home, "gone", "Hi", work(Path("nope.jpg"), "a"))
    assert "nope.jpg" in one_sentence(tripdesk(home, "check", gone))
    stranger = write_draft(home, "who", "Hi", {"path": cup, "pupils": ["P9999"], "alt": "a"})
    assert "P9999" in one_sentence(tripdesk(home, "check", stranger))
    (home / "drafts" / "broken.json").write_text('{"text": "Hi",', encoding="utf-8")
    assert "not valid JSON" in one_sentence(tripdesk(home, "check", "drafts/broken.json"))
    assert "no draft file" in one_sentence(tripdesk(home, "check", "drafts/missing.json"))
    one_sentence(tripdesk(home, "check"))

    # Blurring the face makes the no-children declaration true; the original stays as it was.
    config = settings.load(home)
    conn = open_database(config.database)
    try:
        photo = catalogue.photo_by_path(conn, portrait)
        assert photo is not None
        report = faces.face_report(conn, portrait, photo.sha256, threshold=config.faces.threshold)
        assert report is not None and report.count and report.count >= 1
        blurred = Path(blur_faces(conn, config, photo, report.boxes).pool_path)
    finally:
        conn.close()
    assert sha256(portrait) == photo.sha256 and blurred != portrait
    blurred_draft = write_draft(
        home, "blurred", "Space suits!", {"path": blurred, "no_children": True, "alt": "A suit"}
    )
    ran = tripdesk(home, "check", blurred_draft)
    assert (ran.code, ran.out) == (0, "OK: ready to go out. Length 12/280.\n")

    # Posting: a blocked draft is refused, a named pupil needs --confirm, the rest are queued.
    refused = tripdesk(home, "post", drafts["face in a no-children photo"][0])
    assert refused.code == 1 and "nothing was queued" in refused.out
    assert refused.out.count("Photo consent") == 1
    named = write_draft(home, "named", "Amira was brilliant today!", of("P1001"))
    asked = tripdesk(home, "post", named)
    assert asked.code == 1 and "CONFIRM" in asked.out and "--confirm" in asked.out
    assert tripdesk(home, "outbox", "list", "--json").json()["posts"] == []
    assert tripdesk(home, "post", named, "--confirm").out == "1\n"
    assert tripdesk(home, "post", blurred_draft).out == "2\n"
    queued = tripdesk(home, "post", drafts["work only"][0], "--json")
    assert (queued.code, queued.json()["id"], queued.json()["state"]) == (0, 3, "queued")

    # The outbox by hand: cancel, pause, resume, send, and the refusals that protect it.
    listed = tripdesk(home, "outbox")
    assert listed.code == 0 and [line.split()[:2] for line in listed.out.splitlines()] == [
        ["3", "queued"],
        ["2", "queued"],
        ["1", "queued"],
    ]
    assert tripdesk(home, "outbox", "cancel", "3").out == "Post 3 is now cancelled.\n"
    assert "only posts that have not gone out" in one_sentence(
        tripdesk(home, "outbox", "cancel", "3")
    )
    assert tripdesk(home, "outbox", "pause").out == "Sending is paused.\n"
    paused = tripdesk(home, "outbox", "send")
    assert paused.code == 1 and "tripdesk outbox resume" in paused.err
    assert tripdesk(home, "outbox", "list", "--json").json()["paused"] is True
    assert tripdesk(home, "outbox", "resume").out == "Sending is on again.\n"
    sent = tripdesk(home, "outbox", "send")
    assert sent.code == 0 and sent.out.startswith("2 recorded in dry-run, not sent to X")
    assert tripdesk(home, "outbox", "send").out == "Nothing was due.\n"
    posts = {
        post["id"]: post for post in tripdesk(home, "outbox", "list", "--json").json()["posts"]
    }
    assert {i: (p["state"], p["backend"]) for i, p in posts.items()} == {
        1: ("sent", "dry-run"),
        2: ("sent", "dry-run"),
        3: ("cancelled", None),
    }
    assert "only uncertain posts" in one_sentence(tripdesk(home, "outbox", "mark-sent", "1"))
    assert "can be sent again" in one_sentence(tripdesk(home, "outbox", "retry", "1"))
    assert "no post 99" in one_sentence(tripdesk(home, "outbox", "retry", "99"))
    assert "needs the post's id" in one_sentence(tripdesk(home, "outbox", "cancel"))

    # Amira's consent is withdrawn after her post was queued: the send-time check holds it back.
    assert tripdesk(home, "post", drafts["consenting"][0]).out == "4\n"
    register = shared / "fixtures" / "register"
    withdrawn = home / "register-today.csv"
    original = (register / "sample_register.csv").read_text(encoding="utf-8")
    amira = "P1001,Amira,,Khan,6,6B,yes,yes,no,2029-07-31,,no"
    assert amira in original
    withdrawn.write_text(original.replace(amira, amira[:-3] + "2026-06-12,no"), encoding="utf-8")
    again = tripdesk(
        home, "consent", "import", str(withdrawn), "--roster", str(register / "trip_roster.csv")
    )
    assert again.code == 0 and "Lost consent since the last import: P1001 Amira." in again.out
    held = tripdesk(home, "outbox", "send")
    assert (held.code, held.out) == (1, "1 blocked.\n")
    listed = tripdesk(home, "outbox").out
    assert "Amira (P1001)" in listed and "`tripdesk outbox cancel 4`" in listed
    assert "Khan" not in listed
    assert tripdesk(home, "outbox", "retry", "4").out == "Post 4 is now queued.\n"
    assert tripdesk(home, "outbox", "send").out == "1 blocked.\n"
    assert tripdesk(home, "outbox", "cancel", "4").out == "Post 4 is now cancelled.\n"

    # What dry-run would have sent: the text, the alt text, a photo with nothing but pixels.
    preview = home / "dry-run" / "1"
    shown = json.loads((preview / "post.json").read_text(encoding="utf-8"))
    assert shown["text"] == "Amira was brilliant today!"
    assert [p["alt"] for p in shown["photos"]] == [alt]
    assert_clean_upload(
        (preview / shown["photos"][0]["file"]).read_bytes(), fixture_secrets(shared)
    )

    status = tripdesk(home, "account", "status")
    assert status.out == "No X credentials are set; posts are recorded in dry-run.\n"


def test_a_trip_day_posting_to_x(home: Path, shared: Path) -> None:
    pooled = start_trip(home, shared, "--delete-source")
    assert {p.name for p in (home / "inbox").iterdir()} == DAMAGED
    secrets = fixture_secrets(shared)
    photos = [
        {"path": pooled["IMG_0001.JPG"], "pupils": ["P1001"], "alt": "Amira in a space suit"},
        {"path": pooled["IMG_0005.HEIC"], "pupils": ["P1001"], "alt": "Amira on the steps"},
        {"path": pooled["IMG_0002.JPG"], "no_children": True, "alt": "A cup of coffee"},
        {"path": pooled["IMG_0009.PNG"], "no_children": True, "alt": "A rocket launch"},
    ]
    text = "Amira and friends at the Natural History Museum! #Y6Museum"
    day = write_draft(home, "day", text, *photos)

    with XStandIn() as x:
        env = {**ENV, "TRIPDESK_BACKEND": "x", "TRIPDESK_X_API_BASE": x.base_url}
        status = tripdesk(home, "account", "status", env=env)
        assert status.code == 0 and "posts go to X" in status.out
        assert x.requests == []

        assert tripdesk(home, "post", day, env=env).code == 1  # Amira is named: confirm first
        assert tripdesk(home, "post", day, "--confirm", env=env).out == "1\n"
        sent = tripdesk(home, "outbox", "send", env=env)
        assert (sent.code, sent.out, sent.err) == (0, "1 sent.\n", "")

        [tweet] = x.created
        assert (tweet.text, tweet.reply_settings) == (text, "mentionedUsers")
        alts = x.alt_texts
        assert [alts[m] for m in tweet.media_ids] == [p["alt"] for p in photos]
        media = x.media
        uploads = [assert_clean_upload(media[m], secrets) for m in tweet.media_ids]
        assert uploads[0].width > uploads[0].height  # IMG_0001 stood up, as exif_transpose does
        assert [u.format for u in uploads] == ["JPEG", "JPEG", "JPEG", "JPEG"]
        assert x.bad_signatures == []
        assert tripdesk(home, "outbox", "send", env=env).out == "Nothing was due.\n"
        assert len(x.created) == 1

        # The connection drops after X made the post: uncertain, never sent twice by itself.
        cup = write_draft(home, "cup", "Sketching in the cafe.", photos[2])
        assert tripdesk(home, "post", cup, env=env).out == "2\n"
        x.fail_next("drop-after")
        unsure = tripdesk(home, "outbox", "send", env=env)
        assert unsure.code == 1 and "1 uncertain (check the account)" in unsure.out
        assert tripdesk(home, "outbox", "send", env=env).out == "Nothing was due.\n"
        assert [t.text for t in x.created].count("Sketching in the cafe.") == 1
        assert "`tripdesk outbox mark-sent 2`" in tripdesk(home, "outbox", env=env).out
        marked = tripdesk(home, "outbox", "mark-sent", "2", env=env)
        assert marked.out == "Post 2 is now sent.\n"

        # X refuses the credentials: sending stops, the post waits, resuming sends it once.
        lunch = write_draft(home, "lunch", "Lunch on the museum steps.")
        assert tripdesk(home, "post", lunch, env=env).out == "3\n"
        x.fail_next("401")
        refused = tripdesk(home, "outbox", "send", env=env)
        assert refused.code == 1 and "credentials were refused" in refused.err
        assert len(refused.err.strip().splitlines()) == 1
        listed = tripdesk(home, "outbox", "list", "--json", env=env).json()
        assert listed["paused"] is True
        assert {p["id"]: p["state"] for p in listed["posts"]}[3] == "queued"
        assert tripdesk(home, "outbox", "resume", env=env).code == 0
        assert tripdesk(home, "outbox", "send", env=env).out == "1 sent.\n"
        texts = [t.text for t in x.created]
        assert sorted(texts) == sorted(
            [text, "Sketching in the cafe.", "Lunch on the museum steps."]
        )

        listed = tripdesk(home, "outbox", env=env)
        assert "(dry-run)" not in listed.out
        assert [line.split()[:2] for line in listed.out.splitlines() if line[:4].strip()] == [
            ["3", "sent"],
            ["2", "sent"],
            ["1", "sent"],
        ]

    # Nothing of the credentials lands in the database or the settings.
    for kept in (home / "tripdesk.db", home / "config.toml"):
        raw = kept.read_bytes()
        assert not any(value.encode() in raw for value in ENV.values())
