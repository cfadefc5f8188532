"""Takedown: a sent post removed from every network it went to, once, with a receipt each."""

from __future__ import annotations

import sqlite3

import pytest
from publish_helpers import Clock, ScriptedGuard, ok
from xstandin import CREDENTIALS, XStandIn

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.publish.backends import DryRunBackend
from tripdesk.publish.credentials import Credentials
from tripdesk.publish.outbox import Outbox
from tripdesk.publish.x import XBackend


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, standin: XStandIn, clock: Clock
) -> Outbox:
    x = XBackend(Credentials(*CREDENTIALS), base=standin.base_url, timeout=(2, 2), clock=clock)
    return Outbox(conn, config, x, review=guard, clock=clock)


def test_a_sent_post_is_deleted_from_x_once_with_a_receipt(
    outbox: Outbox, standin: XStandIn
) -> None:
    post = outbox.queue(Draft(text="Consent withdrawn later"), ok())
    outbox.send_due()
    remote = outbox.get(post.id).remote_id

    asked = outbox.take_down(post.id, "consent withdrawn")
    again = outbox.take_down(post.id, "consent withdrawn")
    assert asked.takedown == "queued" and again.takedown == "queued"
    assert standin.deleted == []

    outbox.send_due()
    outbox.send_due()

    done = outbox.get(post.id)
    assert standin.deleted == [remote] and standin.created == []
    assert done.takedown == "removed" and done.state == "sent"
    assert len(done.removals) == 1 and done.removals[0].startswith("Removed from X at ")
    kinds = [e.kind for e in audit.events(outbox.conn, kind_prefix="publish.")]
    assert kinds.count("publish.takedown_asked") == 1
    assert kinds.count("publish.removal_removed") == 1


def test_a_post_already_gone_counts_as_removed_and_says_so(
    outbox: Outbox, standin: XStandIn
) -> None:
    post = outbox.queue(Draft(text="Deleted by hand on the phone"), ok())
    outbox.send_due()
    standin.state.created.clear()

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    done = outbox.get(post.id)
    assert done.takedown == "removed" and "already gone" in done.removals[0]


def test_a_server_error_waits_and_a_refusal_says_why(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    first = outbox.queue(Draft(text="First"), ok())
    second = outbox.queue(Draft(text="Second"), ok())
    outbox.send_due()
    standin.fail_next("503", endpoint="/2/tweets/:id")
    standin.fail_next("403", endpoint="/2/tweets/:id")
    outbox.take_down(first.id, "consent withdrawn")
    outbox.take_down(second.id, "consent withdrawn")

    outbox.send_due()

    assert outbox.get(first.id).takedown == "queued"
    refused = outbox.get(second.id)
    assert refused.takedown == "refused" and "not permitted" in refused.removals[0]
    clock.advance(minutes=5)
    outbox.send_due()
    assert outbox.get(first.id).takedown == "removed"
    assert [t.text for t in standin.created] == ["Second"]


def test_a_removal_interrupted_mid_request_is_asked_again(outbox: Outbox) -> None:
    post = outbox.queue(Draft(text="Interrupted removal"), ok())
    outbox.send_due()
    outbox.take_down(post.id, "consent withdrawn")
    outbox.conn.execute(
        "UPDATE outbox_delivery SET removal = 'removing' WHERE post_id = ?", (post.id,)
    )

    outbox.send_due()

    assert outbox.get(post.id).takedown == "removed"


def test_a_post_not_yet_sent_is_cancelled_instead_and_an_uncertain_one_is_refused(
    outbox: Outbox, standin: XStandIn
) -> None:
    waiting = outbox.queue(Draft(text="Still waiting"), ok())
    unsure = outbox.queue(Draft(text="Lost answer"), ok())
    outbox.set_paused(True)
    outbox.set_paused(False)
    standin.fail_next("drop-after")
    outbox.take_down(waiting.id, "consent withdrawn")
    outbox.send_due()
    assert outbox.get(unsure.id).state == "uncertain"

    taken = outbox.take_down(unsure.id, "consent withdrawn")

    assert outbox.get(waiting.id).state == "cancelled"
    assert taken.takedown == "refused" and "by hand" in taken.removals[0]
    outbox.send_due()
    assert outbox.get(unsure.id).state == "cancelled"  # never sent again


def test_dry_run_removes_the_preview(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard
) -> None:
    outbox = Outbox(conn, config, DryRunBackend(config.home), review=guard)
    post = outbox.queue(Draft(text="Only a preview"), ok())
    outbox.send_due()
    preview = config.home / "dry-run" / str(post.id)
    assert preview.is_dir()

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    assert not preview.exists() and outbox.get(post.id).takedown == "removed"
