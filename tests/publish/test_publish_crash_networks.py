"""Kill the sender at random moments while it posts to X, Bluesky and Mastodon at once.

Afterwards no post exists twice on any network, none is lost, everything a network holds is
recorded as sent there (with that network's id) or left uncertain for the teacher, and sending
again what only Bluesky or Mastodon left uncertain finds the post instead of doubling it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from publish_helpers import ok
from standins import BlueskyStandIn, MastodonStandIn
from xstandin import XStandIn

from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.publish.outbox import Outbox

KILLS = 12
Networks = tuple[XStandIn, BlueskyStandIn, MastodonStandIn]


def _sender() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tripdesk", "outbox", "send"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _created(networks: Networks) -> dict[str, dict[str, list[str]]]:
    """For each network, the ids it created for each text."""
    x, bluesky, mastodon = networks
    found: dict[str, dict[str, list[str]]] = {"x": {}, "bluesky": {}, "mastodon": {}}
    for tweet in x.created:
        found["x"].setdefault(tweet.text or "", []).append(tweet.id)
    for rkey, record in bluesky.created:
        found["bluesky"].setdefault(record["text"], []).append(rkey)
    for status in mastodon.created:
        found["mastodon"].setdefault(status["text"], []).append(status["id"])
    return found


def _check(outbox: Outbox, networks: Networks, queued: int, seed: int) -> Counter[str]:
    posts = outbox.posts()
    assert len(posts) == queued, f"seed {seed}"
    created = _created(networks)
    for network, by_text in created.items():
        twice = {text: ids for text, ids in by_text.items() if len(ids) > 1}
        assert not twice, f"{network} created twice: {twice} (seed {seed})"
    by_text = {post.draft.text: post for post in posts}
    for network, texts in created.items():
        for text, (remote,) in texts.items():
            delivery = next(d for d in by_text[text].deliveries if d.network == network)
            assert delivery.state in ("sent", "uncertain"), f"{network} {text!r} (seed {seed})"
            if delivery.state == "sent":
                assert (delivery.remote_id or "").endswith(remote), f"{text!r} (seed {seed})"
    states = Counter(post.state for post in posts)
    assert set(states) <= {"sent", "queued", "uncertain"}, f"{states} (seed {seed})"
    return states


@pytest.mark.slow
def test_sigkill_across_three_networks_never_doubles_and_loses_nothing(
    config: Config, conn: sqlite3.Connection, three_networks: Networks
) -> None:
    seed = int(os.environ.get("TRIPDESK_CRASH_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    x, bluesky, mastodon = three_networks
    x.set_delay(0.08)  # slow answers widen the windows a kill can land in
    bluesky.delay = mastodon.delay = 0.08
    outbox = Outbox(conn, config)
    queued = kills = 0
    for _round in range(4 * KILLS):
        if kills >= KILLS:
            break
        while len(outbox.posts(states=("queued",))) < 3:
            queued += 1
            outbox.queue(Draft(text=f"Three networks, post {queued} (seed {seed})"), ok())
        process = _sender()
        time.sleep(rng.uniform(2.0, 6.5))  # the two SDKs take a second or two to load
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(10)
    assert _sender().wait(120) in (0, 1)

    assert kills >= KILLS, f"only {kills} kills landed (seed {seed})"
    states = _check(outbox, three_networks, queued, seed)
    assert states["sent"] >= 1, f"{states} (seed {seed})"

    for post in outbox.posts(states=("uncertain",)):
        unsure = {d.network for d in post.deliveries if d.state == "uncertain"}
        if "x" not in unsure:  # X has no idempotency: only the teacher can settle that one
            outbox.retry(post.id)
    assert _sender().wait(120) in (0, 1)
    _check(outbox, three_networks, queued, seed)
    print(f"seed {seed}: {kills} kills, {queued} posts, {dict(states)}")
