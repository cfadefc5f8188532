"""The audit told as sentences: runs of one kind told once, dry-run said, the facts kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tripdesk.audit import Event
from tripdesk.desk.audit_story import details, sentence, story

AT = datetime(2026, 6, 10, 13, 30, tzinfo=UTC)


def event(number: int, kind: str, minutes: int = 0, **facts: object) -> Event:
    return Event(id=number, at=AT - timedelta(minutes=minutes), kind=kind, facts=dict(facts))


def test_four_deletions_in_a_row_are_one_sentence_with_their_inodes_in_the_details() -> None:
    events = [
        event(10 - i, "pool.source_deleted", minutes=i, photo=i, sha256=f"{i}abc", inode=500 + i)
        for i in range(4)
    ]
    (line,) = story(events)
    assert line.sentence == "Deleted 4 originals from the phone folder, each confirmed gone"
    assert len(line.events) == 4
    told = details(line)
    assert "inode: 503" in told and "sha256: 0abc" in told


def test_runs_break_on_another_kind_and_on_a_long_gap() -> None:
    events = [
        event(5, "pool.pooled", 0),
        event(4, "pool.pooled", 1),
        event(3, "publish.queued", 2, post=7),
        event(2, "pool.pooled", 3),
        event(1, "pool.pooled", 60),
    ]
    said = [line.sentence for line in story(events)]
    assert said == [
        "Copied 2 photos into the pool, each copy checked",
        "Put post 7 in the outbox",
        "Copied 1 photo into the pool, each copy checked",
        "Copied 1 photo into the pool, each copy checked",
    ]


def test_a_dry_run_post_is_recorded_never_sent_and_a_real_one_is_sent() -> None:
    dry = event(2, "publish.sent", post=3, remote_id="dry-run-3", state="sent")
    real = event(1, "publish.sent", post=4, remote_id="1800000000000000001", state="sent")
    assert sentence([dry]) == "Recorded (dry-run) post 3: nothing was posted"
    assert sentence([real]) == "Sent post 4 to the network"
    on_x = event(3, "publish.sent", post=5, network="x", remote_id="1800", state="sent")
    assert sentence([on_x]) == "Sent post 5 to X"


def test_an_unknown_kind_still_reads_and_a_register_import_says_what_changed() -> None:
    assert sentence([event(1, "media.thumbnail_made")]) == "Media: thumbnail made"
    imported = event(1, "consent.imported", count=30, lost_consent=["P1"], gained_consent=[])
    assert (
        sentence([imported])
        == "Imported the consent register: 30 pupils, 1 lost consent, 0 gained it"
    )
