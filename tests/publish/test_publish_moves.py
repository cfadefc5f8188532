"""The outbox moves other features build on: hold and release, send now, approval, the consent
snapshot at send time, and deliveries in what `outbox list --json` prints."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from publish_helpers import Clock, ScriptedGuard, ok

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import DryRunBackend, Media, NotCreated, Outgoing, Published
from tripdesk.publish.outbox import Outbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, clock: Clock) -> Outbox:
    return Outbox(conn, config, DryRunBackend(config.home), review=guard, clock=clock)


class FlakyBackend(DryRunBackend):
    """The dry-run backend, failing its first `failures` posts with a server error."""

    name = "dry-run"

    def __init__(self, home: Path, failures: int) -> None:
        super().__init__(home)
        self.failures = failures

    def upload(self, photo: Path, mime: str, alt: str) -> Media:
        return super().upload(photo, mime, alt)

    def publish(self, post: Outgoing) -> Published:
        if self.failures:
            self.failures -= 1
            raise NotCreated("The service had a problem (503).", status=503)
        return super().publish(post)


def test_a_held_post_waits_then_goes_out_by_itself(outbox: Outbox, clock: Clock) -> None:
    post = outbox.queue(
        Draft(text="After the coach has left"),
        ok(),
        approved_by="Mr Okafor",
        hold_until=clock.now + timedelta(minutes=30),
    )
    assert (post.state, post.approved_by) == ("held", "Mr Okafor")
    assert outbox.counts()["held"] == 1 and outbox.posts(states=("held",)) == [post]

    assert outbox.send_due().sent == ()
    clock.advance(minutes=31)

    assert outbox.send_due().sent == (post.id,)
    assert outbox.get(post.id).state == "sent"


def test_release_makes_a_held_post_due_now_and_cancel_works_on_held_posts(
    outbox: Outbox, clock: Clock
) -> None:
    later = clock.now + timedelta(hours=2)
    first = outbox.queue(Draft(text="Released early"), ok(), hold_until=later)
    second = outbox.queue(Draft(text="Never mind"), ok(), hold_until=later)

    assert outbox.release(first.id).state == "queued"
    assert outbox.cancel(second.id).state == "cancelled"
    assert outbox.send_due().sent == (first.id,)
    with pytest.raises(TripdeskError, match="only held posts can be released"):
        outbox.release(first.id)
    kinds = [e.kind for e in audit.events(outbox.conn, kind_prefix="publish.")]
    assert "publish.released" in kinds and "publish.cancelled" in kinds


def test_the_guard_runs_again_when_a_held_post_goes_out(
    outbox: Outbox, clock: Clock, guard: ScriptedGuard
) -> None:
    from tripdesk.verdict import Finding

    post = outbox.queue(Draft(text="Held"), ok(), hold_until=clock.now + timedelta(minutes=5))
    guard.findings = [
        Finding(rule="consent", severity="block", message="P1 has withdrawn.", section="c")
    ]
    clock.advance(minutes=6)
    assert outbox.send_due().blocked == (post.id,)


def test_send_now_and_retry_cut_a_backoff_short(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, clock: Clock
) -> None:
    outbox = Outbox(conn, config, FlakyBackend(config.home, 2), review=guard, clock=clock)
    post = outbox.queue(Draft(text="After a server error"), ok())

    assert outbox.send_due().waiting == (post.id,)
    waiting = outbox.get(post.id)
    assert waiting.state == "queued" and waiting.next_attempt_at is not None
    assert "tried again at" in (waiting.reason or "")
    assert outbox.send_due().waiting == ()  # still backing off

    assert outbox.send_now(post.id).next_attempt_at is None
    assert outbox.send_due().waiting == (post.id,)  # the second failure
    outbox.retry(post.id)
    assert outbox.send_due().sent == (post.id,)
    with pytest.raises(TripdeskError, match="only a post waiting to be tried again"):
        outbox.send_now(post.id)


def test_the_consent_of_each_tagged_pupil_is_kept_as_it_was_at_send_time(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, fixture_photos: Path
) -> None:
    from tripdesk.desk.sending import send_checks

    outbox = Outbox(
        conn, config, DryRunBackend(config.home), **{**send_checks(config), "review": guard}
    )
    draft = Draft(
        text="Amira at the museum",
        photos=(
            DraftPhoto(path=str(fixture_photos / "IMG_0001.JPG"), pupils=("P1", "P9"), alt="A"),
        ),
    )
    post = outbox.queue(draft, ok())
    assert post.consent_at_send is None

    outbox.send_due()

    snapshot = outbox.get(post.id).consent_at_send or {}
    assert snapshot["P1"]["status"] == "consent" and snapshot["P1"]["expires"] == "2099-07-31"
    assert snapshot["P9"]["status"] == "not on the register"
    assert snapshot["P1"]["checked_on"]


def test_each_post_carries_its_deliveries(outbox: Outbox) -> None:
    post = outbox.queue(Draft(text="One network"), ok())
    assert outbox.get(post.id).deliveries == ()

    outbox.send_due()

    sent = outbox.get(post.id).to_dict()
    assert [d["network"] for d in sent["deliveries"]] == ["dry-run"]
    delivery = sent["deliveries"][0]
    assert delivery["state"] == "sent" and delivery["remote_id"] == f"dry-run-{post.id}"
    assert set(delivery) >= {"network", "state", "remote_id", "url", "reason"}


def test_an_outbox_opened_without_the_guard_keeps_posts_but_cannot_send(
    conn: sqlite3.Connection, config: Config
) -> None:
    outbox = Outbox(conn, config, DryRunBackend(config.home))
    post = outbox.queue(Draft(text="Kept"), ok())
    with pytest.raises(TripdeskError, match="without the guard"):
        outbox.send_due()
    assert outbox.get(post.id).state == "queued"
