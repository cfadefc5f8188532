"""Kept drafts: written as typed, one row per draft, listed newest first, forgotten when sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tripdesk.desk.database import open_database
from tripdesk.desk.drafts_kept import (
    Keeper,
    KeptDraft,
    KeptPhoto,
    discard,
    keep,
    kept_draft,
    kept_drafts,
)
from tripdesk.errors import TripdeskError

MORNING = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def test_a_draft_is_kept_over_its_own_row_and_read_back_whole(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "trip.db")
    draft = KeptDraft(
        text="Dinosaurs! #Y6Museum",
        photos=(KeptPhoto(3, "A pupil by a model"),),
        poll_on=True,
        poll_options=("", "Whales", "", ""),
        poll_minutes=60,
    )
    first = keep(conn, draft, now=MORNING)
    assert first.id is not None
    again = keep(conn, KeptDraft(text="Dinosaurs and whales!", id=first.id), now=NOON)
    assert again.id == first.id
    (only,) = kept_drafts(conn)
    assert only.text == "Dinosaurs and whales!"
    assert only.updated_at == NOON
    assert kept_draft(conn, first.id) == only

    other = keep(conn, draft, now=MORNING)
    back = kept_draft(conn, other.id or 0)
    assert back.photos == (KeptPhoto(3, "A pupil by a model"),)
    assert back.poll_options == ("", "Whales", "", "")  # an empty middle option is kept
    assert (back.poll_on, back.poll_minutes) == (True, 60)
    assert [d.id for d in kept_drafts(conn)] == [first.id, other.id]  # touched last first


def test_a_sent_draft_is_forgotten_and_asking_for_it_says_so(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "trip.db")
    kept = keep(conn, KeptDraft(text="Coach at three"))
    discard(conn, kept.id or 0)
    assert kept_drafts(conn) == []
    with pytest.raises(TripdeskError, match="sent or thrown away"):
        kept_draft(conn, kept.id or 0)


def test_a_draft_with_only_the_hashtag_is_empty_and_a_photo_makes_it_worth_keeping() -> None:
    assert KeptDraft(text="  #Y6Museum ").is_empty("#Y6Museum")
    assert not KeptDraft(text=" #Y6Museum", photos=(KeptPhoto(1),)).is_empty("#Y6Museum")
    assert not KeptDraft(text="", poll_options=("Tea",)).is_empty("#Y6Museum")
    assert KeptDraft(text=" ".join(["word"] * 20)).title.endswith("…")


def test_the_keeper_writes_the_newest_snapshot_only_and_nothing_once_sent(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "trip.db")
    keeper = Keeper(hashtag="#Y6Museum")
    older, newer = keeper.ticket(), keeper.ticket()
    keeper.keep(conn, KeptDraft(text="Dinosaurs and whales"), newer)
    keeper.keep(conn, KeptDraft(text="Dino"), older)  # a slower thread, with an older snapshot
    assert [d.text for d in kept_drafts(conn)] == ["Dinosaurs and whales"]

    (written,) = kept_drafts(conn)
    reopened = Keeper(written, hashtag="#Y6Museum")
    reopened.keep(conn, replace(written, updated_at=None), reopened.ticket())  # nothing changed
    assert kept_drafts(conn)[0].updated_at == written.updated_at

    keeper.keep(conn, KeptDraft(text=" #Y6Museum"), keeper.ticket())  # emptied: forgotten
    assert kept_drafts(conn) == [] and keeper.draft_id is None

    keeper.keep(conn, KeptDraft(text="Coach at three"), keeper.ticket())
    keeper.sent(conn)
    keeper.keep(conn, KeptDraft(text="Coach at three!"), keeper.ticket())
    assert kept_drafts(conn) == []
