"""The outbox on the dry-run backend: storing, the guard at send time, the teacher's actions."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from publish_helpers import ScriptedGuard, ok

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import DryRunBackend
from tripdesk.publish.outbox import Outbox
from tripdesk.verdict import Finding, Verdict


@pytest.fixture
def pool_photos(config: Config, fixture_photos: Path) -> dict[str, Path]:
    """Two fixture photos copied into the trip's pool, as ingest would leave them."""
    folder = config.trip.pool / config.trip.slug
    folder.mkdir(parents=True)
    return {
        name: Path(shutil.copy2(fixture_photos / name, folder / name))
        for name in ("IMG_0001.JPG", "IMG_0002.JPG")
    }


@pytest.fixture
def outbox(conn: sqlite3.Connection, config: Config, guard: ScriptedGuard) -> Outbox:
    return Outbox(conn, config, DryRunBackend(config.home), review=guard)


def photo_draft(photos: dict[str, Path]) -> Draft:
    return Draft(
        text="Year 6 loved the museum today! #Y6Museum",
        photos=(
            DraftPhoto(path=str(photos["IMG_0001.JPG"]), pupils=("P1001",), alt="A pupil smiling"),
            DraftPhoto(path=str(photos["IMG_0002.JPG"]), no_children=True, alt="A coffee cup"),
        ),
    )


def test_a_queued_post_goes_out_once_in_dry_run_with_a_preview(
    outbox: Outbox, config: Config, pool_photos: dict[str, Path]
) -> None:
    post = outbox.queue(photo_draft(pool_photos), ok())
    assert (post.state, post.verdict, post.attempts) == ("queued", "ok", 0)

    summary = outbox.send_due()
    again = outbox.send_due()

    sent = outbox.get(post.id)
    assert summary.sent == (post.id,) and again.sent == ()
    assert sent.state == "sent" and sent.remote_id == f"dry-run-{post.id}"
    preview = config.home / "dry-run" / str(post.id)
    assert (preview / "post.txt").read_text(encoding="utf-8").startswith("Year 6 loved")
    assert (preview / "photo-2.alt.txt").read_text(encoding="utf-8").strip() == "A coffee cup"
    with Image.open(preview / "photo-1.jpg") as image:
        assert not image.getexif() and "comment" not in image.info
    manifest = json.loads((preview / "post.json").read_text(encoding="utf-8"))
    assert manifest["reply_settings"] == "mentionedUsers"
    assert [a.outcome for a in outbox.attempts(post.id)] == ["sent"]
    kinds = [e.kind for e in audit.events(outbox.conn, kind_prefix="publish.", newest_first=False)]
    assert kinds == ["publish.queued", "publish.checked_again", "publish.sent"]


def test_the_outbox_survives_a_restart(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard
) -> None:
    draft = Draft(text="Poll time!", poll=Poll(options=("Dinosaurs", "Space"), minutes=60))
    first = Outbox(conn, config, DryRunBackend(config.home), review=guard).queue(draft, ok())
    conn.close()

    reopened = open_database(config.database)
    later = Outbox(reopened, config, DryRunBackend(config.home), review=guard)
    assert later.get(first.id).draft == draft
    assert later.send_due().sent == (first.id,)
    reopened.close()


def test_a_blocked_verdict_is_refused_and_nothing_is_stored(outbox: Outbox) -> None:
    blocked = Verdict.of(
        [Finding(rule="surname", severity="block", message="Smith is a surname.", section="x")],
        10,
    )
    with pytest.raises(TripdeskError, match="Smith is a surname") as caught:
        outbox.queue(Draft(text="Well done Amira Smith"), blocked)
    assert caught.value.exit_code == 1
    assert outbox.posts() == []


def test_a_missing_photo_is_one_sentence_and_nothing_is_queued(
    outbox: Outbox, tmp_path: Path
) -> None:
    draft = Draft(text="Look!", photos=(DraftPhoto(path=str(tmp_path / "gone.jpg"), alt="x"),))
    with pytest.raises(TripdeskError, match="is not there"):
        outbox.queue(draft, ok())
    assert outbox.posts() == []


def test_consent_withdrawn_after_queueing_blocks_the_post_at_send_time(
    outbox: Outbox, guard: ScriptedGuard, config: Config
) -> None:
    post = outbox.queue(Draft(text="Sports day!"), ok())
    guard.findings = [
        Finding(rule="consent", severity="block", message="P1011 has no consent.", section="c")
    ]

    summary = outbox.send_due()

    held = outbox.get(post.id)
    assert summary.blocked == (post.id,)
    assert held.state == "blocked" and "P1011 has no consent" in (held.reason or "")
    assert [f.rule for f in held.findings] == ["consent"]
    assert not (config.home / "dry-run" / str(post.id)).exists()


def test_a_new_finding_to_confirm_holds_the_post_until_the_teacher_retries(
    outbox: Outbox, guard: ScriptedGuard
) -> None:
    post = outbox.queue(Draft(text="Ben did well"), ok())
    guard.findings = [
        Finding(rule="names", severity="confirm", message="Ben is named.", section="n")
    ]
    assert outbox.send_due().blocked == (post.id,)

    outbox.retry(post.id)

    assert outbox.send_due().sent == (post.id,)
    assert outbox.get(post.id).verdict == "confirm"


def test_pause_is_remembered_and_stops_every_send(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard
) -> None:
    outbox = Outbox(conn, config, DryRunBackend(config.home), review=guard)
    post = outbox.queue(Draft(text="Hello"), ok())
    outbox.set_paused(True)

    restarted = Outbox(conn, config, DryRunBackend(config.home), review=guard)
    summary = restarted.send_due()

    assert restarted.paused and summary.paused and summary.sent == ()
    assert restarted.get(post.id).state == "queued"
    restarted.set_paused(False)
    assert restarted.send_due().sent == (post.id,)


def test_the_teachers_actions_only_apply_where_they_make_sense(outbox: Outbox) -> None:
    post = outbox.queue(Draft(text="One"), ok())
    with pytest.raises(TripdeskError, match="only uncertain posts"):
        outbox.mark_sent(post.id)
    with pytest.raises(TripdeskError, match="only failed, blocked or uncertain"):
        outbox.retry(post.id)
    assert outbox.cancel(post.id).state == "cancelled"
    assert outbox.send_due().sent == ()
    with pytest.raises(TripdeskError, match="no post 999"):
        outbox.get(999)


def test_a_post_interrupted_before_publishing_goes_back_to_the_queue(outbox: Outbox) -> None:
    post = outbox.queue(Draft(text="Interrupted while uploading"), ok())
    outbox.conn.execute(
        "UPDATE outbox_post SET state = 'sending', stage = 'uploading' WHERE id = ?", (post.id,)
    )
    assert outbox.send_due().sent == (post.id,)


def test_a_post_interrupted_while_publishing_becomes_uncertain(outbox: Outbox) -> None:
    post = outbox.queue(Draft(text="Interrupted mid-request"), ok())
    outbox.conn.execute(
        "UPDATE outbox_post SET state = 'sending', stage = 'publishing' WHERE id = ?", (post.id,)
    )
    summary = outbox.send_due()

    settled = outbox.get(post.id)
    assert summary.sent == () and settled.state == "uncertain"
    assert "check the account" in (settled.reason or "")
    assert outbox.mark_sent(post.id).state == "sent"


def test_only_one_sender_at_a_time(outbox: Outbox, config: Config) -> None:
    post = outbox.queue(Draft(text="Hello"), ok())
    from tripdesk.publish.lock import SendLock

    with SendLock(config.home / "outbox.lock") as held:
        assert held
        summary = outbox.send_due()
    assert summary.sent == () and "Another tripdesk" in (summary.message or "")
    assert outbox.send_due().sent == (post.id,)


def test_a_preview_that_cannot_be_written_waits_and_is_not_counted_as_sent(
    outbox: Outbox, config: Config
) -> None:
    (config.home / "dry-run").write_text("a file where the preview folder should be")
    post = outbox.queue(Draft(text="No room for the preview"), ok())

    summary = outbox.send_due()

    waiting = outbox.get(post.id)
    assert summary.waiting == (post.id,) and waiting.state == "queued"
    assert "preview could not be written" in (waiting.reason or "")
    assert waiting.next_attempt_at is not None
