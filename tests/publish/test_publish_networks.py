"""One post, three networks: X, Bluesky and Mastodon, each through its real SDK to a stand-in,
each exactly once, each delivery with its own state."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from PIL import Image
from publish_helpers import Clock, ScriptedGuard, ok
from standins import DISABLE_RULE, PARTNER_DID, BlueskyStandIn, MastodonStandIn
from xstandin import XStandIn

from tripdesk.config import Config
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.publish.outbox import Outbox

Networks = tuple[XStandIn, BlueskyStandIn, MastodonStandIn]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, clock: Clock) -> Outbox:
    return Outbox(conn, config, review=guard, clock=clock)


@pytest.fixture
def big_photo(config: Config) -> Path:
    """A photo well over Bluesky's 1,000,000 bytes, as a phone takes them."""
    folder = config.trip.pool / config.trip.slug
    folder.mkdir(parents=True)
    path = folder / "IMG_0100.JPG"
    noise = Image.effect_noise((3000, 2000), 90).convert("RGB")
    noise.save(path, quality=95)
    assert path.stat().st_size > 1_000_000
    return path


def states(outbox: Outbox, post_id: int) -> dict[str, str]:
    return {d.network: d.state for d in outbox.get(post_id).deliveries}


def test_one_post_goes_to_each_network_once_done_properly(
    outbox: Outbox, three_networks: Networks, big_photo: Path
) -> None:
    x, bluesky, mastodon = three_networks
    text = "Year 6 with @nhm.bsky.social today! #Y6Museum https://example.org/trip"
    draft = Draft(
        text=text,
        photos=(DraftPhoto(path=str(big_photo), no_children=True, alt="A grey speckled wall"),),
    )
    post = outbox.queue(draft, ok())

    summary = outbox.send_due()
    assert summary.sent == (post.id,), (summary, outbox.get(post.id).deliveries)
    assert outbox.send_due().sent == ()

    sent = outbox.get(post.id)
    assert sent.state == "sent" and states(outbox, post.id) == dict.fromkeys(
        ("x", "bluesky", "mastodon"), "sent"
    )
    assert [t.text for t in x.created] == [text]
    assert len(bluesky.created) == 1 and len(mastodon.created) == 1
    rkey, record = bluesky.created[0]
    assert bluesky.gate(rkey)["allow"] == []  # nobody can reply
    assert bluesky.postgate(rkey)["embeddingRules"] == [{"$type": DISABLE_RULE}]  # nor quote
    image = record["embed"]["images"][0]
    ratio = image["aspectRatio"]
    assert image["alt"] == "A grey speckled wall" and ratio["width"] <= 2000
    assert abs(ratio["width"] / ratio["height"] - 1.5) < 0.01
    assert all(len(blob) <= 1_000_000 for blob in bluesky.blobs.values())
    kinds = {f["features"][0]["$type"].rsplit("#", 1)[1] for f in record["facets"]}
    assert kinds == {"mention", "tag", "link"}
    assert any(f["features"][0].get("did") == PARTNER_DID for f in record["facets"])
    status = mastodon.created[0]
    assert (status["visibility"], status["language"]) == ("public", "en")
    assert status["idempotency_key"] and status["media_attachments"][0]["description"] == (
        "A grey speckled wall"
    )
    listed = sent.to_dict()["deliveries"]
    assert [d["network"] for d in listed] == ["x", "bluesky", "mastodon"]
    assert all(d["remote_id"] and d["url"] for d in listed)


def test_a_lost_answer_leaves_only_that_network_uncertain_and_a_retry_never_doubles(
    outbox: Outbox, three_networks: Networks
) -> None:
    x, bluesky, mastodon = three_networks
    bluesky.fail_next("drop-after", route="com.atproto.repo.createRecord")
    mastodon.fail_next("drop-after", route="POST /api/v1/statuses")
    post = outbox.queue(Draft(text="Lost answers"), ok())

    assert outbox.send_due().uncertain == (post.id,)
    assert states(outbox, post.id) == {"x": "sent", "bluesky": "uncertain", "mastodon": "uncertain"}
    assert "Bluesky: " in (outbox.get(post.id).reason or "")
    assert len(bluesky.created) == 1 and len(mastodon.created) == 1  # they did go out

    outbox.retry(post.id)
    assert outbox.send_due().sent == (post.id,)

    assert len(x.created) == 1 and len(bluesky.created) == 1 and len(mastodon.created) == 1
    rkey = bluesky.created[0][0]
    assert bluesky.gate(rkey) is not None  # the retry finished what the lost answer left
    assert bluesky.postgate(rkey) is not None
    assert states(outbox, post.id) == dict.fromkeys(("x", "bluesky", "mastodon"), "sent")


def test_a_server_error_on_one_network_waits_while_the_others_go_out(
    outbox: Outbox, three_networks: Networks, clock: Clock
) -> None:
    x, bluesky, mastodon = three_networks
    mastodon.fail_next("503", route="POST /api/v1/statuses")
    post = outbox.queue(Draft(text="Mastodon is busy"), ok())

    assert outbox.send_due().waiting == (post.id,)
    waiting = outbox.get(post.id)
    assert waiting.state == "queued" and waiting.next_attempt_at is not None
    assert states(outbox, post.id) == {"x": "sent", "bluesky": "sent", "mastodon": "queued"}
    assert "Mastodon: Mastodon had a problem (503)" in (waiting.reason or "")

    clock.advance(minutes=31)
    assert outbox.send_due().sent == (post.id,)
    assert len(x.created) == len(bluesky.created) == len(mastodon.created) == 1


def test_a_rate_limit_holds_only_its_own_network(
    outbox: Outbox, three_networks: Networks, clock: Clock
) -> None:
    _, bluesky, _ = three_networks
    bluesky.fail_next("429", route="com.atproto.repo.createRecord")
    first = outbox.queue(Draft(text="First"), ok())
    second = outbox.queue(Draft(text="Second"), ok())

    summary = outbox.send_due()

    assert "Bluesky's rate limit" in (summary.message or "")
    assert states(outbox, first.id) == {"x": "sent", "bluesky": "queued", "mastodon": "sent"}
    assert states(outbox, second.id) == {"x": "sent", "bluesky": "queued", "mastodon": "sent"}
    assert bluesky.created == []
    clock.advance(minutes=2)
    assert sorted(outbox.send_due().sent) == [first.id, second.id]
    assert len(bluesky.created) == 2


def test_refused_credentials_pause_everything_with_the_way_out(
    outbox: Outbox, three_networks: Networks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPDESK_MASTODON_TOKEN", "revoked")
    post = outbox.queue(Draft(text="Token revoked"), ok())

    summary = outbox.send_due()

    assert summary.paused and "account set --network mastodon" in (summary.message or "")
    assert states(outbox, post.id)["mastodon"] == "queued"


def test_a_takedown_removes_the_post_from_every_network(
    outbox: Outbox, three_networks: Networks
) -> None:
    x, bluesky, mastodon = three_networks
    post = outbox.queue(Draft(text="To be taken down"), ok())
    outbox.send_due()
    rkey = bluesky.created[0][0]

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    done = outbox.get(post.id)
    assert done.takedown == "removed" and len(done.removals) == 3
    assert [r.split(" at ")[0] for r in done.removals] == [
        "Removed from X",
        "Removed from Bluesky",
        "Removed from Mastodon",
    ]
    assert x.created == [] and bluesky.posts == {} and bluesky.gate(rkey) is None
    assert bluesky.postgate(rkey) is None and mastodon.statuses == {}


def test_the_bluesky_session_is_kept_and_mastodons_limits_read_once(
    outbox: Outbox, three_networks: Networks, config: Config
) -> None:
    _, bluesky, mastodon = three_networks
    outbox.queue(Draft(text="One"), ok())
    outbox.send_due()
    outbox.queue(Draft(text="Two"), ok())
    outbox.send_due()

    assert bluesky.logins == 1
    assert mastodon.requests.count(("GET", "GET /api/v2/instance")) == 1
    kept = json.loads((config.cache("networks") / "mastodon-instance.json").read_text())
    assert kept[mastodon.base_url]["max_characters"] == 500
    for path in config.home.rglob("*"):
        if path.is_file():
            assert b"accessJwt" not in path.read_bytes() and b"eyJ" not in path.read_bytes()


def test_a_session_bluesky_no_longer_accepts_means_a_new_login_not_a_pause(
    outbox: Outbox, three_networks: Networks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept session the PDS forgot (signed out everywhere, or a new stand-in on an old port)
    is not refused credentials: the round logs in again and every network gets its post."""
    _, bluesky, mastodon = three_networks
    outbox.queue(Draft(text="Before"), ok())
    outbox.send_due()
    bluesky.forget_sessions()
    after = outbox.queue(Draft(text="After"), ok())

    summary = outbox.send_due()

    assert summary.sent == (after.id,) and not summary.paused, summary
    assert bluesky.logins == 2 and len(bluesky.created) == 2 and len(mastodon.created) == 2
    bluesky.forget_sessions()
    monkeypatch.setenv("TRIPDESK_BLUESKY_APP_PASSWORD", "revoked-app-password")
    refused = outbox.queue(Draft(text="Revoked"), ok())
    summary = outbox.send_due()
    assert summary.paused and "account set --network bluesky" in (summary.message or "")
    assert states(outbox, refused.id)["bluesky"] == "queued"


def test_bluesky_has_no_polls_and_says_so(outbox: Outbox, three_networks: Networks) -> None:
    from tripdesk.draft import Poll

    _, bluesky, mastodon = three_networks
    post = outbox.queue(
        Draft(text="Which was best?", poll=Poll(options=("Dinosaurs", "Space"), minutes=60)),
        ok(),
    )
    outbox.send_due()

    assert states(outbox, post.id) == {"x": "sent", "bluesky": "failed", "mastodon": "sent"}
    assert "Bluesky has no polls" in (outbox.get(post.id).reason or "")
    assert bluesky.created == [] and mastodon.created[0]["poll"]["options"] == [
        "Dinosaurs",
        "Space",
    ]


def test_a_photo_is_prepared_once_for_every_network(
    outbox: Outbox, three_networks: Networks, fixture_photos: Path, config: Config
) -> None:
    folder = config.trip.pool / config.trip.slug
    folder.mkdir(parents=True)
    photo = Path(shutil.copy2(fixture_photos / "IMG_0001.JPG", folder / "IMG_0001.JPG"))
    x, bluesky, mastodon = three_networks
    draft = Draft(text="Photo", photos=(DraftPhoto(path=str(photo), no_children=True, alt="A"),))
    post = outbox.queue(draft, ok())

    assert outbox.send_due().sent == (post.id,)
    assert len(x.media) == 1 and len(bluesky.blobs) == 1 and len(mastodon.media) == 1


def test_what_posts_cost_and_the_budget_that_pauses_paid_sending(
    outbox: Outbox, three_networks: Networks, home: Path
) -> None:
    from tripdesk import config as settings
    from tripdesk.publish import costs

    settings.update(home, "publish", {"budget": 0.02})
    prices = settings.load(home).publish.prices
    linked = Draft(text="Read more at https://example.org/trip")
    assert costs.estimate(linked, ("x", "bluesky"), prices) == {"x": 0.20, "bluesky": 0.0}
    assert "about 13 times" in (costs.link_warning(linked, ("x",), prices) or "")
    assert costs.link_warning(Draft(text="No link"), ("x",), prices) is None
    x = three_networks[0]
    first = outbox.queue(Draft(text="Within the budget"), ok())
    assert outbox.send_due().sent == (first.id,)
    assert outbox.spent() == pytest.approx(0.015) and outbox.get(first.id).cost == 0.015

    second = outbox.queue(Draft(text="Past the budget"), ok())
    summary = outbox.send_due()

    assert "past its budget of $0.02" in (summary.message or "")
    assert states(outbox, second.id) == {"x": "queued", "bluesky": "sent", "mastodon": "sent"}
    assert [t.text for t in x.created] == ["Within the budget"]
    assert outbox.spent() == pytest.approx(0.015)
    settings.update(home, "publish", {"budget": 0})
    assert outbox.send_due().sent == (second.id,)
    assert outbox.spent() == pytest.approx(0.03)


def test_outbox_list_json_carries_each_delivery(
    outbox: Outbox, three_networks: Networks, capsys: pytest.CaptureFixture[str]
) -> None:
    from tripdesk.cli import main

    post = outbox.queue(Draft(text="Listed"), ok())
    outbox.send_due()

    assert main(["outbox", "list", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["spent"] == 0.015  # one plain post on X
    (listed,) = body["posts"]
    assert listed["id"] == post.id and listed["state"] == "sent"
    assert [(d["network"], d["state"]) for d in listed["deliveries"]] == [
        ("x", "sent"),
        ("bluesky", "sent"),
        ("mastodon", "sent"),
    ]
    assert all({"remote_id", "url", "reason"} <= set(d) for d in listed["deliveries"])


def test_a_takedown_finds_a_bluesky_post_whose_answer_was_lost(
    outbox: Outbox, three_networks: Networks
) -> None:
    x, bluesky, mastodon = three_networks
    bluesky.fail_next("drop-after", route="com.atproto.repo.createRecord")
    post = outbox.queue(Draft(text="Uncertain on Bluesky"), ok())
    outbox.send_due()
    assert states(outbox, post.id)["bluesky"] == "uncertain" and len(bluesky.posts) == 1

    outbox.take_down(post.id, "consent withdrawn")
    outbox.send_due()

    done = outbox.get(post.id)
    assert done.takedown == "removed" and bluesky.posts == {}
    assert x.created == [] and mastodon.statuses == {}
    assert states(outbox, post.id)["bluesky"] == "cancelled"  # and never sent again
    outbox.send_due()
    assert len(bluesky.created) == 1


def test_x_refusing_a_mention_fails_in_xs_words_and_is_not_retried(
    outbox: Outbox, three_networks: Networks, clock: Clock
) -> None:
    x = three_networks[0]
    x.fail_next("403")
    post = outbox.queue(Draft(text="Thank you @NHM_London"), ok())

    outbox.send_due()
    clock.advance(hours=1)
    outbox.send_due()

    failed = outbox.get(post.id)
    assert states(outbox, post.id) == {"x": "failed", "bluesky": "sent", "mastodon": "sent"}
    assert "X: X refused this post: You are not permitted to perform this action." in (
        failed.reason or ""
    )
    assert x.requests.count(("POST", "/2/tweets")) == 1


def test_slow_answers_are_uncertain_and_sending_again_finds_the_post(
    conn: sqlite3.Connection,
    config: Config,
    guard: ScriptedGuard,
    bluesky: BlueskyStandIn,
    mastodon: MastodonStandIn,
) -> None:
    from standins import BSKY_HANDLE, BSKY_PASSWORD, MASTODON_TOKEN

    from tripdesk.publish.bluesky import BlueskyBackend
    from tripdesk.publish.mastodon import MastodonBackend

    backends = [
        BlueskyBackend(BSKY_HANDLE, BSKY_PASSWORD, pds=bluesky.base_url, timeout=0.5),
        MastodonBackend(MASTODON_TOKEN, base=mastodon.base_url, timeout=0.5),
    ]
    outbox = Outbox(conn, config, backends, review=guard)
    bluesky.fail_next("slow", route="com.atproto.repo.createRecord")
    mastodon.fail_next("slow", route="POST /api/v1/statuses")
    post = outbox.queue(Draft(text="A slow afternoon"), ok())

    assert outbox.send_due().uncertain == (post.id,)
    assert states(outbox, post.id) == {"bluesky": "uncertain", "mastodon": "uncertain"}
    time.sleep(2.5)  # the stand-ins finish what they were doing
    outbox.retry(post.id)
    assert outbox.send_due().sent == (post.id,)
    assert len(bluesky.created) == 1 and len(mastodon.created) == 1
