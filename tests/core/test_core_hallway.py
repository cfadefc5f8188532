"""The hallway: drafts entering, reviews, queuing, and what the command line may print."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tripdesk import audit, config
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts import load_draft
from tripdesk.desk.posting import NeedsConfirming, queue_draft
from tripdesk.desk.review import review_draft
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.shown import shown
from tripdesk.verdict import Finding, Verdict


def tripdesk(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TRIPDESK_HOME": str(home)},
        check=False,
    )


@pytest.mark.parametrize(
    ("raw", "seen"),
    [
        ("P1\x1b[2J", "P1\\x1b[2J"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("a\rb", "a\\x0db"),
        ("\x9b31m", "\\u009b31m"),
        ("line\nnext", "line\\x0anext"),
    ],
)
def test_shown_makes_every_control_code_visible(raw: str, seen: str) -> None:
    assert shown(raw) == seen


def test_shown_keeps_ordinary_text_and_emoji() -> None:
    family = "Zoë and Łukasz 👨\u200d👩\u200d👧 博物館"
    assert shown(family) == family
    assert shown("a\nb\tc", lines=True) == "a\nb\tc"


def test_a_photo_path_with_escape_codes_is_printed_harmlessly(home: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps({"text": "Hi", "photos": [{"path": "\x1b]0;owned\x07x.jpg"}]}))
    done = tripdesk(home, "check", str(draft))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b]0;owned\\x07x.jpg" in done.stderr


def test_a_draft_nested_too_deeply_is_one_sentence(home: Path, tmp_path: Path) -> None:
    draft = tmp_path / "deep.json"
    draft.write_text('{"text": "hi", "photos": ' + "[" * 100_000 + "]" * 100_000 + "}")
    done = tripdesk(home, "check", str(draft))
    assert done.returncode == 2, done.stderr
    assert "nested too deeply" in done.stderr and "Traceback" not in done.stderr


def test_a_file_that_is_no_photo_blocks(home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "IMG_0100.JPG"
    fake.write_text("these are my notes, not a photo")
    draft = tmp_path / "draft.json"
    draft.write_text(
        json.dumps({"text": "Sketches", "photos": [{"path": fake.name, "no_children": True}]})
    )
    done = tripdesk(home, "check", str(draft), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    found = json.loads(done.stdout)
    assert found["verdict"] == "blocked"
    assert any(f["rule"] == "photo-unreadable" for f in found["findings"])


@pytest.fixture
def conn(home: Path) -> sqlite3.Connection:
    return open_database(config.load(home).database)


def test_queueing_records_what_was_confirmed_once(home: Path, conn: sqlite3.Connection) -> None:
    settings = config.load(home)
    draft = Draft(text="A lovely day at the museum")
    ask = Finding("register", "confirm", "Photo consent: import it.", "Photo consent")
    verdict = Verdict.of([ask], 26)
    with pytest.raises(NeedsConfirming):
        queue_draft(conn, settings, draft, verdict)
    post = queue_draft(conn, settings, draft, verdict, confirmed=["register"])
    events = [e for e in audit.events(conn) if e.kind == "draft.confirmed"]
    assert [(e.facts["post"], e.facts["rules"]) for e in events] == [(post.id, ["register"])]


def test_a_blocked_draft_is_never_queued(home: Path, conn: sqlite3.Connection) -> None:
    stop = Finding("mentions", "block", "Mentions: not a partner.", "Mentions")
    with pytest.raises(TripdeskError, match="blocks"):
        queue_draft(conn, config.load(home), Draft(text="@shop"), Verdict.of([stop], 5))
    assert conn.execute("SELECT count(*) FROM outbox_post").fetchone()[0] == 0


def test_draft_photos_are_absolute_once_they_enter(home: Path, tmp_path: Path, conn) -> None:
    Image.new("RGB", (64, 48), "white").save(tmp_path / "sketch.jpg")
    (tmp_path / "d.json").write_text(
        json.dumps({"text": "x", "photos": [{"path": "sketch.jpg", "no_children": True}]})
    )
    draft = load_draft(tmp_path / "d.json", conn, config.load(home))
    assert Path(draft.photos[0].path).is_absolute() and draft.photos[0].sha256


def test_reads_only_read(home: Path, conn: sqlite3.Connection) -> None:
    """Once the database is opened (and migrated), no room's read takes a write lock."""
    from tripdesk.consent.store import load_register
    from tripdesk.pool import catalogue

    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    load_register(conn)
    catalogue.list_photos(conn)
    catalogue.counts(conn)
    writes = [s for s in statements if s.split()[0].upper() not in ("SELECT", "WITH")]
    assert writes == []


def test_draft_photo_round_trips() -> None:
    photo = DraftPhoto("/p/a.jpg", pupils=("P1",), alt="A pupil", sha256="ab")
    assert DraftPhoto.from_dict(photo.to_dict()) == photo


def test_a_clock_set_back_blocks_check_naming_both_times(home: Path) -> None:
    conn = open_database(config.load(home).database)
    conn.execute(  # an import recorded when the clock was right, long after today's date
        "INSERT INTO audit (at, kind, facts) VALUES ('2099-01-01T09:00:00+00:00', "
        "'consent.imported', '{}')"
    )
    conn.close()
    done = tripdesk(home, "check", "--text", "A sunny day at the museum", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    [clock] = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "clock"]
    assert clock["severity"] == "block"
    assert "01/01/2099 09:00" in clock["message"]
    assert f"{datetime.now(UTC):%d/%m/%Y}" in clock["message"]


def test_an_allowed_phrase_is_recorded_by_number_only(home: Path, fixture_register: Path) -> None:
    settings = config.load(home)
    settings.path.write_text(
        settings.path.read_text().replace(
            "allowed_phrases = []", 'allowed_phrases = ["Khan Academy"]'
        )
    )
    settings = config.load(home)
    conn = open_database(settings.database)
    from tripdesk.consent.store import import_register

    import_register(conn, settings, fixture_register / "sample_register.csv", None)
    verdict = review_draft(Draft(text="Maths practice on Khan Academy tonight"), conn, settings)
    assert verdict.verdict != "blocked", verdict.findings
    [used] = [e for e in audit.events(conn) if e.kind == "guard.allowed_phrase_used"]
    assert used.facts == {"phrases": [1]}
    assert "Khan" not in json.dumps([e.facts for e in audit.events(conn)])


def test_a_post_needing_approval_is_never_queued_or_sent_without_it(home: Path) -> None:
    from tripdesk.desk.sending import sending_outbox
    from tripdesk.publish.outbox import Outbox

    settings = config.update(home, "approval", {"required": "all"})
    conn = open_database(settings.database)
    draft = Draft(text="Off to the museum")
    verdict = review_draft(draft, conn, settings)  # asks only that a register be imported
    with pytest.raises(TripdeskError, match="second member of staff") as refused:
        queue_draft(conn, settings, draft, verdict, confirmed=["register"])
    assert refused.value.exit_code == 1
    assert conn.execute("SELECT count(*) FROM outbox_post").fetchone()[0] == 0

    slipped = Outbox(conn, settings).queue(draft, verdict)  # around the hallway, on purpose
    sending_outbox(conn, settings).send_due()
    post = Outbox(conn, settings).get(slipped.id)
    assert post.state == "blocked" and "approval" in (post.reason or "")

    approved = queue_draft(
        conn, settings, draft, verdict, confirmed=["register"], approved_by="Mr Jones"
    )
    sending_outbox(conn, settings).send_due()
    assert Outbox(conn, settings).get(approved.id).state == "sent"
    [event] = [e for e in audit.events(conn) if e.kind == "staff.approved"]
    assert event.facts == {"post": approved.id, "approver": "Mr Jones"}


def test_the_quick_verdict_knows_each_chosen_network(home: Path) -> None:
    from tripdesk.consent.register import Register
    from tripdesk.desk.review import judge
    from tripdesk.draft import Poll

    poll = Draft(text="Which gallery next?", poll=Poll(("Dinosaurs", "Space"), 60))
    x_only = config.update(home, "publish", {"backend": "x"})
    assert not [f for f in judge(poll, Register(), x_only).findings if "Bluesky" in f.message]
    both = config.update(home, "publish", {"backend": ["x", "bluesky"]})
    verdict = judge(poll, Register(), both)
    [no_polls] = [f for f in verdict.blocking if "Bluesky" in f.message]
    assert no_polls.where.field == "poll" and verdict.verdict == "blocked"


def test_text_from_outside_reaches_no_screen_raw(home: Path, tmp_path: Path) -> None:
    """Control codes in a register, a file name or a finding are made visible where they enter."""
    from tripdesk.consent.store import import_register
    from tripdesk.desk.register import trip_register
    from tripdesk.pool.catalogue import list_photos
    from tripdesk.pool.ingest import Ingestor
    from tripdesk.widgets.findings import finding_content

    settings = config.load(home)
    register = tmp_path / "register.csv"
    register.write_text(
        "id,forename,surname,class,consent_social_media\n"
        "P1\x1b[2J,Amira\u202e,Khan\x1b]0;owned\x07,6B,yes\n"
    )
    conn = open_database(settings.database)
    import_register(conn, settings, register, None)
    [pupil] = trip_register(conn, settings).pupils
    for text in (pupil.id, pupil.forename, pupil.surname):
        assert not any(ch in text for ch in "\x1b\x07\u202e"), text
    assert pupil.id == "P1\\x1b[2J"

    settings.trip.inbox.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), "white").save(settings.trip.inbox / "IMG\x1b[2J.jpg")
    Ingestor(
        settings, lambda event: None, connect=lambda: open_database(settings.database)
    ).scan_once()
    [photo] = list_photos(conn)
    assert photo.original_name == "IMG\\x1b[2J.jpg"

    quoted = Finding(
        "names", "block", "First names only: “Kh\x1ban” is a surname.", "First names only"
    )
    assert "\x1b" not in finding_content(quoted).plain


def test_the_final_step_says_what_a_paid_post_costs(home: Path) -> None:
    from tripdesk.desk.final_step import what_it_costs

    free = config.update(home, "publish", {"backend": ["bluesky", "mastodon"]})
    assert what_it_costs(Draft(text="See nhm.ac.uk"), free) is None
    paid = config.update(home, "publish", {"backend": ["x", "bluesky"]})
    plain = what_it_costs(Draft(text="A sunny day"), paid)
    assert plain == "This post costs $0.015 on X."
    linked = what_it_costs(Draft(text="Read more at https://nhm.ac.uk/visit"), paid)
    assert linked is not None and linked.startswith("This post costs $0.200 on X.")
    assert "13 times" in linked


def test_a_blurred_copy_takes_the_originals_place_in_kept_drafts(
    home: Path, fixture_photos: Path
) -> None:
    import shutil

    from tripdesk.desk import drafts_kept
    from tripdesk.desk.photos import blurred_copy, faces_in, tag
    from tripdesk.pool.catalogue import list_photos
    from tripdesk.pool.ingest import Ingestor

    settings = config.load(home)
    settings.trip.inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixture_photos / "IMG_0004.JPG", settings.trip.inbox / "IMG_0004.JPG")
    Ingestor(settings, lambda e: None, connect=lambda: open_database(settings.database)).scan_once()
    conn = open_database(settings.database)
    [group] = list_photos(conn)
    group = tag(conn, group, ["P1001"], no_children=False)
    kept = drafts_kept.keep(
        conn, drafts_kept.KeptDraft("Rockets!", (drafts_kept.KeptPhoto(group.id, "Pupils"),))
    )
    report = faces_in(conn, settings, [group])[group.id]
    assert report is not None and report.count
    copy = blurred_copy(conn, settings, group, report.boxes[:1])
    assert copy.derived_from == group.id and copy.pupils == ("P1001",)
    assert drafts_kept.kept_draft(conn, kept.id).photos == (
        drafts_kept.KeptPhoto(copy.id, "Pupils"),
    )
