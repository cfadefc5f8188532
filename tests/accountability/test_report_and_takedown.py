"""The trip report and the takedown list, in-process, on a photo that carries GPS and a name.

The photo is made here with EXIF that names a pupil and places the school, so the tests prove
the report shows only the prepared pixels; posts go out through the dry-run backend.
"""

from __future__ import annotations

import base64
import csv
import io
import sqlite3
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tripdesk.config import Config
from tripdesk.desk import accountability
from tripdesk.desk.posting import queue_draft
from tripdesk.desk.report import (
    Network,
    PostSent,
    Summary,
    TripReport,
    build_report,
    render_csv,
    write_report,
)
from tripdesk.desk.report_html import render_html
from tripdesk.desk.review import review_draft
from tripdesk.desk.sending import sending_outbox
from tripdesk.draft import Draft, DraftPhoto

SECRET = "Amira Khan by the Natural History Museum"


def photo_with_metadata(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (900, 600), (40, 120, 200))
    exif = Image.Exif()
    exif[270] = SECRET  # ImageDescription
    exif[0x8825] = {1: "N", 2: (51.0, 29.0, 47.0), 3: "W", 4: (0.0, 10.0, 33.0)}  # GPS
    path = folder / "photo.jpg"
    image.save(path, "JPEG", exif=exif)
    assert SECRET.encode() in path.read_bytes()
    return path


@pytest.fixture
def sent(trip: Config, conn: sqlite3.Connection) -> Config:
    """Two posts out in dry-run: one of Amira, approved by Mr Jones, and one of words only."""
    photo = photo_with_metadata(trip.trip.pool)
    amira = Draft(
        "A great morning at the museum!",
        (DraftPhoto(str(photo), pupils=("P1",), alt="A pupil by a model shuttle"),),
    )
    words = Draft("Lunch on the steps.")
    for draft, approver in ((amira, "Mr Jones"), (words, None)):
        verdict = review_draft(draft, conn, trip)
        assert verdict.verdict == "ok", verdict
        queue_draft(conn, trip, draft, verdict, approved_by=approver)
    summary = sending_outbox(conn, trip).send_due()
    assert len(summary.sent) == 2, summary
    return trip


def test_the_report_tells_what_went_out_without_metadata_or_surnames(
    sent: Config, conn: sqlite3.Connection
) -> None:
    report = build_report(conn, sent)
    assert [post.text for post in report.posts] == [
        "A great morning at the museum!",
        "Lunch on the steps.",
    ]
    first = report.posts[0]
    assert first.approved_by == "Mr Jones" and report.posts[1].approved_by is None
    [photo] = first.photos
    [pupil] = photo.pupils
    assert (pupil.id, pupil.first_name, pupil.initial, pupil.klass) == ("P1", "Amira", "K", "6B")
    assert pupil.consent_at_send.startswith("consent until 2029-07-31 (checked ")
    assert photo.jpeg is not None
    small = Image.open(io.BytesIO(photo.jpeg))
    assert max(small.size) <= 240 and not dict(small.getexif())
    assert b"Exif" not in photo.jpeg and SECRET.encode() not in photo.jpeg
    assert report.summary.posts_dry_run == 2 and report.summary.posts_sent == 0

    page = render_html(report)
    assert "Khan" not in page and SECRET not in page
    assert "Mr Jones" in page and "<script" not in page
    assert page.count('src="data:image/jpeg;base64,') == 1
    data = page.split('src="data:image/jpeg;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(data) == photo.jpeg
    assert "dry-run: recorded, not published" in page


def test_the_csv_has_one_row_per_pupil_per_photo(sent: Config, conn: sqlite3.Connection) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(build_report(conn, sent)))))
    assert [(r["post"], r["network"], r["pupil_id"], r["first_name"]) for r in rows] == [
        ("1", "dry-run", "P1", "Amira")
    ]
    assert rows[0]["approved_by"] == "Mr Jones" and len(rows[0]["photo_sha256"]) == 64


def test_the_report_file_is_for_its_owner_only(sent: Config, conn: sqlite3.Connection) -> None:
    path, _ = write_report(conn, sent)
    assert path.parent == sent.home / "reports" and path.suffix == ".html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out, _ = write_report(conn, sent, "csv", sent.home / "out" / "trip.csv")
    assert out.read_text(encoding="utf-8").startswith("post,network,link,time,photo_sha256")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_withdrawn_consent_finds_the_post_and_takes_it_down_once(
    sent: Config, conn: sqlite3.Connection
) -> None:
    assert accountability.posts_to_take_down(conn, sent) == []
    pupil, changed = accountability.withdraw_consent(conn, sent, "P1")
    assert changed and pupil.consent_withdrawn is not None
    assert accountability.withdraw_consent(conn, sent, "P1")[1] is False
    [live] = accountability.posts_to_take_down(conn, sent, pupil_ids=["P1"])
    assert live.post.id == 1
    [involved] = live.pupils
    assert (involved.label, involved.status, involved.how) == (
        "Amira K. (6B)",
        "withdrawn",
        ("in photo 1",),
    )
    assert accountability.posts_to_take_down(conn, sent, pupil_ids=["P2"]) == []

    accountability.take_down(conn, sent, [1], "consent withdrawn for P1")
    assert accountability.posts_to_take_down(conn, sent) == []
    [queued] = accountability.posts_to_take_down(conn, sent, include_queued=True)
    assert queued.takedown == "queued"
    assert sending_outbox(conn, sent).send_due().removed == (1,)
    assert sending_outbox(conn, sent).send_due().removed == ()  # once only
    [done] = accountability.posts_to_take_down(conn, sent, include_queued=True)
    assert done.takedown == "removed" and done.receipts[0].startswith("Removed from dry-run at")
    report = build_report(conn, sent)
    assert report.summary.takedowns_done == 1
    assert "Removed from dry-run at" in render_html(report)


def test_a_pupil_named_in_a_post_without_their_photo_is_found_too(
    trip: Config, conn: sqlite3.Connection
) -> None:
    draft = Draft("Jack loved the dinosaurs!")
    verdict = review_draft(draft, conn, trip)
    assert verdict.verdict == "ok", verdict
    queue_draft(conn, trip, draft, verdict)
    sending_outbox(conn, trip).send_due()
    assert accountability.posts_to_take_down(conn, trip) == []
    accountability.withdraw_consent(conn, trip, "P3")
    [live] = accountability.posts_to_take_down(conn, trip)
    assert [(p.pupil_id, p.how) for p in live.pupils] == [("P3", ("named in the text",))]


def test_whatever_a_post_says_the_report_runs_and_fetches_nothing() -> None:
    hostile = PostSent(
        id=7,
        sent_at=datetime(2026, 6, 12, 13, 2, tzinfo=UTC),
        networks=(
            Network("x", "sent", "javascript:alert(1)", None, None),
            Network("mastodon", "sent", 'https://m.example/@s/1" onclick="x', None, None),
        ),
        text='<script>alert("hi")</script><img src="https://tracker.example/p.gif">',
        photos=(),
        confirmed=("<b>bold</b>",),
        approved_by="<i>Mr Jones</i>",
        hold_until=None,
        takedown=None,
        takedown_reason=None,
    )
    page = render_html(replace(build_empty_report(), posts=(hostile,)))
    assert "<script" not in page and "<img" not in page and "<i>" not in page
    assert 'href="javascript' not in page and 'onclick="x' not in page
    assert 'href="https://m.example/@s/1&quot; onclick=&quot;x"' in page
    assert "&lt;script&gt;" in page


def build_empty_report() -> TripReport:
    summary = Summary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, "/pool", None)
    return TripReport(
        trip="Trip <1>",
        hashtag="",
        teacher="",
        made_at=datetime(2026, 6, 12, tzinfo=UTC),
        approval="off",
        summary=summary,
        posts=(),
        deletions=(),
        imports=(),
    )
