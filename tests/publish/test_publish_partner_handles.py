"""Each network gets the partner's own handle: one post written once, judged by the real guard,
sent through each real SDK to its stand-in, and recorded per network in dry-run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from standins import PARTNER_DID, PARTNER_HANDLE, BlueskyStandIn, MastodonStandIn
from xstandin import XStandIn

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.review import review_draft
from tripdesk.desk.sending import sending_outbox
from tripdesk.draft import Draft

MUSEUM = ["@NHM_London", f"@{PARTNER_HANDLE}", "@NHM@mastodon.social"]


def with_partners(home: Path) -> Config:
    return settings.update(home, "guard", {"partners": [MUSEUM]})


def test_each_network_gets_the_partners_handle_there(
    home: Path,
    conn: sqlite3.Connection,
    three_networks: tuple[XStandIn, BlueskyStandIn, MastodonStandIn],
) -> None:
    x, bluesky, mastodon = three_networks
    config = with_partners(home)
    draft = Draft(text="Year 6 met the curators at @NHM_London today. #Y6Museum")
    verdict = review_draft(draft, conn, config, detect_faces=False)
    assert verdict.verdict == "ok", verdict.findings
    outbox = sending_outbox(conn, config)
    post = outbox.queue(draft, verdict)

    assert outbox.send_due().sent == (post.id,)

    assert [t.text for t in x.created] == [draft.text]
    [(_, record)] = bluesky.created
    assert record["text"] == f"Year 6 met the curators at @{PARTNER_HANDLE} today. #Y6Museum"
    [mention] = [f for f in record["facets"] if f["features"][0].get("did")]
    assert mention["features"][0]["did"] == PARTNER_DID
    start, end = mention["index"]["byteStart"], mention["index"]["byteEnd"]
    assert record["text"].encode()[start:end] == f"@{PARTNER_HANDLE}".encode()
    [status] = mastodon.created
    assert status["text"] == "Year 6 met the curators at @NHM@mastodon.social today. #Y6Museum"


def test_dry_run_records_what_each_rehearsed_network_would_get(
    home: Path, conn: sqlite3.Connection
) -> None:
    with_partners(home)
    config = settings.update(home, "publish", {"dry_run_networks": ["x", "bluesky", "mastodon"]})
    draft = Draft(text=f"Thank you @{PARTNER_HANDLE}! #Y6Museum")
    verdict = review_draft(draft, conn, config, detect_faces=False)
    outbox = sending_outbox(conn, config)
    post = outbox.queue(draft, verdict)

    assert outbox.send_due().sent == (post.id,)

    folder = home / "dry-run" / str(post.id)
    texts = {n: (folder / f"{n}.txt").read_text("utf-8") for n in ("x", "bluesky", "mastodon")}
    assert texts == {
        "x": "Thank you @NHM_London! #Y6Museum\n",
        "bluesky": f"Thank you @{PARTNER_HANDLE}! #Y6Museum\n",
        "mastodon": "Thank you @NHM@mastodon.social! #Y6Museum\n",
    }
    manifest = json.loads((folder / "post.json").read_text("utf-8"))
    assert manifest["networks"]["bluesky"] == texts["bluesky"].rstrip("\n")
    assert (folder / "post.txt").read_text("utf-8") == texts["x"]  # the first network's
