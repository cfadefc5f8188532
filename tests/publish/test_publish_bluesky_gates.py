"""Bluesky's two gates on every post: nobody may reply (threadgate) and nobody may quote it
(postgate), each under the post's own rkey. A crash or a lost answer between the post and its
gates ends, after sending again, with one post and both gates; a takedown removes all three."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from publish_helpers import ScriptedGuard, ok
from standins import (
    BSKY_DID,
    BSKY_HANDLE,
    BSKY_PASSWORD,
    DISABLE_RULE,
    POST,
    POSTGATE,
    THREADGATE,
    BlueskyStandIn,
)

from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.publish.bluesky import BlueskyBackend
from tripdesk.publish.outbox import Outbox

CREATE = "com.atproto.repo.createRecord"


@pytest.fixture
def outbox(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, bluesky: BlueskyStandIn
) -> Outbox:
    backend = BlueskyBackend(BSKY_HANDLE, BSKY_PASSWORD, pds=bluesky.base_url, timeout=5)
    return Outbox(conn, config, backend, review=guard)


def _uri(rkey: str) -> str:
    return f"at://{BSKY_DID}/{POST}/{rkey}"


def _state(outbox: Outbox, post_id: int) -> str:
    (delivery,) = outbox.get(post_id).deliveries
    return delivery.state


def _until(done: Callable[[], bool], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.05)


def _one_post_and_both_gates(bluesky: BlueskyStandIn) -> str:
    """The rkey of the one post Bluesky ever created, after checking both its gates are there."""
    assert len(bluesky.created) == 1 and len(bluesky.posts) == 1
    rkey = bluesky.created[0][0]
    assert bluesky.gate(rkey) is not None and bluesky.postgate(rkey) is not None
    return rkey


def test_every_post_gets_a_threadgate_and_a_postgate_of_the_lexicons_shape(
    outbox: Outbox, bluesky: BlueskyStandIn
) -> None:
    first = outbox.queue(Draft(text="Arrived at the museum"), ok())
    second = outbox.queue(Draft(text="Lunch in the park"), ok())

    assert outbox.send_due().sent == (first.id, second.id)

    assert len(bluesky.created) == 2
    for post_id, (rkey, _record) in zip((first.id, second.id), bluesky.created, strict=True):
        (delivery,) = outbox.get(post_id).deliveries
        assert delivery.remote_id == _uri(rkey)
        threadgate, postgate = bluesky.gate(rkey), bluesky.postgate(rkey)
        assert threadgate is not None and postgate is not None
        assert {k: v for k, v in threadgate.items() if k != "createdAt"} == {
            "$type": THREADGATE,
            "post": _uri(rkey),
            "allow": [],
        }
        assert {k: v for k, v in postgate.items() if k != "createdAt"} == {
            "$type": POSTGATE,
            "post": _uri(rkey),
            "embeddingRules": [{"$type": DISABLE_RULE}],
        }
        assert datetime.fromisoformat(postgate["createdAt"]).tzinfo is not None
    made = [r for m, r in bluesky.requests if m == "POST" and r.startswith(CREATE)]
    assert made == [f"{CREATE}:{POST}", f"{CREATE}:{THREADGATE}", f"{CREATE}:{POSTGATE}"] * 2


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"embeddingRules": [{"$type": f"{THREADGATE}#mentionRule"}]}, "embeddingRules"),
        ({"embeddingRules": {"$type": DISABLE_RULE}}, "embeddingRules"),
        ({"post": _uri("3kaaaaaaaaaa2")}, "post must be"),
        ({"$type": THREADGATE}, "$type"),
        ({"createdAt": None}, "createdAt"),
    ],
)
def test_the_standin_refuses_a_postgate_of_the_wrong_shape(
    bluesky: BlueskyStandIn, change: dict[str, Any], why: str
) -> None:
    with httpx.Client(base_url=f"{bluesky.base_url}/xrpc", timeout=10) as http:
        session = http.post(
            "com.atproto.server.createSession",
            json={"identifier": BSKY_HANDLE, "password": BSKY_PASSWORD},
        ).json()
        headers = {"Authorization": f"Bearer {session['accessJwt']}"}

        def create(collection: str, record: dict[str, Any], rkey: str) -> httpx.Response:
            body = {"repo": BSKY_DID, "collection": collection, "rkey": rkey, "record": record}
            return http.post(CREATE, json=body, headers=headers)

        rkey = "3kbbbbbbbbbb2"
        postgate = {
            "$type": POSTGATE,
            "post": _uri(rkey),
            "embeddingRules": [{"$type": DISABLE_RULE}],
            "createdAt": "2026-12-01T10:00:00.000Z",
        }
        assert create(POSTGATE, postgate, rkey).status_code == 400  # no post of that rkey yet
        text = {"$type": POST, "text": "Hello", "createdAt": "2026-12-01T10:00:00.000Z"}
        assert create(POST, text, rkey).status_code == 200

        refused = create(POSTGATE, {**postgate, **change}, rkey)
        assert refused.status_code == 400 and why in refused.json()["message"]
        assert bluesky.postgate(rkey) is None
        assert create(POSTGATE, postgate, rkey).status_code == 200


@pytest.mark.parametrize("fault", ["drop-before", "drop-after", "500"])
def test_a_lost_answer_between_post_and_postgate_ends_with_one_post_and_both_gates(
    outbox: Outbox, bluesky: BlueskyStandIn, fault: str
) -> None:
    bluesky.fail_next(fault, route=f"{CREATE}:{POSTGATE}")
    post = outbox.queue(Draft(text="Quotes off, please"), ok())

    assert outbox.send_due().uncertain == (post.id,)
    assert "quoting could not be switched off yet" in (outbox.get(post.id).reason or "")
    rkey = bluesky.created[0][0]
    assert bluesky.gate(rkey) is not None
    assert (bluesky.postgate(rkey) is not None) == (fault == "drop-after")

    outbox.retry(post.id)
    assert outbox.send_due().sent == (post.id,)

    assert _one_post_and_both_gates(bluesky) == rkey
    assert bluesky.requests.count(("POST", f"{CREATE}:{POST}")) == 1
    assert bluesky.requests.count(("POST", f"{CREATE}:{THREADGATE}")) == 1
    asked = bluesky.requests.count(("POST", f"{CREATE}:{POSTGATE}"))
    assert asked == (1 if fault == "drop-after" else 2)  # only a missing gate is asked for


@pytest.mark.parametrize("fault", ["stall", "slow"])
def test_a_sender_killed_between_post_and_postgate_ends_with_one_post_and_both_gates(
    conn: sqlite3.Connection,
    config: Config,
    guard: ScriptedGuard,
    bluesky: BlueskyStandIn,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fault: str,
) -> None:
    """`stall`: killed before the postgate was made; `slow`: made, the answer never read."""
    monkeypatch.setenv("TRIPDESK_BACKEND", "bluesky")
    monkeypatch.setenv("TRIPDESK_BLUESKY_PDS", bluesky.base_url)
    monkeypatch.setenv("TRIPDESK_BLUESKY_HANDLE", BSKY_HANDLE)
    monkeypatch.setenv("TRIPDESK_BLUESKY_APP_PASSWORD", BSKY_PASSWORD)
    bluesky.slow_seconds = 8.0  # the kill lands while the stand-in holds the request back
    bluesky.fail_next(fault, route=f"{CREATE}:{POSTGATE}")
    post = Outbox(conn, config).queue(Draft(text="Half-way round the museum"), ok())

    said = tmp_path / "sender.txt"
    with said.open("wb") as out:
        sender = subprocess.Popen(
            [sys.executable, "-m", "tripdesk", "outbox", "send"], stdout=out, stderr=out
        )
    try:
        asked = ("POST", f"{CREATE}:{POSTGATE}")
        # the SDKs take a while to load on a busy machine
        _until(lambda: asked in bluesky.requests or sender.poll() is not None, seconds=120)
        assert sender.poll() is None, f"the sender ended early: {said.read_text()}"
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.kill()
        sender.wait(10)

    rkey = bluesky.created[0][0]
    assert len(bluesky.created) == 1 and bluesky.gate(rkey) is not None
    if fault == "slow":  # the stand-in makes it whether or not the sender is still there
        _until(lambda: bluesky.postgate(rkey) is not None, seconds=10)
    assert (bluesky.postgate(rkey) is not None) == (fault == "slow")
    outbox = Outbox(conn, config, review=guard)
    outbox.send_due()  # settles what the killed sender left half-done
    assert _state(outbox, post.id) == "uncertain"

    outbox.retry(post.id)
    assert outbox.send_due().sent == (post.id,)

    assert _one_post_and_both_gates(bluesky) == rkey
    (delivery,) = outbox.get(post.id).deliveries
    assert delivery.remote_id == _uri(rkey)


def test_a_takedown_removes_the_post_and_both_gates(
    outbox: Outbox, bluesky: BlueskyStandIn
) -> None:
    post = outbox.queue(Draft(text="To be taken down"), ok())
    outbox.send_due()
    rkey = _one_post_and_both_gates(bluesky)

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    done = outbox.get(post.id)
    assert done.takedown == "removed" and done.removals[0].startswith("Removed from Bluesky")
    assert bluesky.posts == {} and bluesky.gate(rkey) is None and bluesky.postgate(rkey) is None
    assert bluesky.records == {}


def test_a_gate_already_gone_counts_as_removed(outbox: Outbox, bluesky: BlueskyStandIn) -> None:
    post = outbox.queue(Draft(text="Quoting was switched back on by hand"), ok())
    outbox.send_due()
    rkey = _one_post_and_both_gates(bluesky)
    with bluesky.lock:  # deleted in the Bluesky app meanwhile
        del bluesky.records[(POSTGATE, rkey)]

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    done = outbox.get(post.id)
    assert done.takedown == "removed" and "already gone" not in done.removals[0]
    assert bluesky.records == {}
