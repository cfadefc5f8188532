"""`tripdesk outbox [list|send|retry ID|cancel ID|mark-sent ID|release ID|pause|resume]`.

`retry` also sends a post waiting out a backoff at the next `send`; `release` lets a held post
go now. `send` removes what a takedown asked for, then sends what is due now and exits with a
summary: 0 when nothing went wrong, 1 when a post failed, is uncertain or was blocked, or
sending is paused or offline.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from tripdesk import config as settings
from tripdesk.config import NETWORK_NAMES
from tripdesk.desk.database import open_database
from tripdesk.desk.sending import sending_outbox
from tripdesk.errors import TripdeskError
from tripdesk.publish.outbox import Outbox, OutboxPost, SendSummary

NEEDS_ID = ("retry", "cancel", "mark-sent", "release")


def run(args: argparse.Namespace) -> int:
    if args.action in NEEDS_ID and args.id is None:
        raise TripdeskError(f"`tripdesk outbox {args.action}` needs the post's id, e.g. 3.")
    config = settings.load()
    conn = open_database(config.database)
    try:
        outbox = Outbox(conn, config)
        if args.action == "list":
            return _list(outbox, args.json)
        if args.action == "send":
            outbox = sending_outbox(conn, config, passphrase=_ask)
            summary = outbox.send_due()
            dry_run = {i for i in summary.sent if outbox.get(i).backend == "dry-run"}
            return _sent(summary, args.json, dry_run=dry_run, home=str(config.home))
        if args.action == "pause":
            outbox.set_paused(True)
            return _said(args.json, {"paused": True}, "Sending is paused.")
        if args.action == "resume":
            outbox.set_paused(False)
            return _said(args.json, {"paused": False}, "Sending is on again.")
        change = {
            "retry": outbox.retry,
            "cancel": outbox.cancel,
            "mark-sent": outbox.mark_sent,
            "release": outbox.release,
        }
        post = change[args.action](args.id)
        return _said(args.json, post.to_dict(), f"Post {post.id} is now {post.state}.")
    finally:
        conn.close()


def _ask() -> str:
    return getpass.getpass("Passphrase for the X credentials file: ")


def _list(outbox: Outbox, as_json: bool) -> int:
    posts = outbox.posts()
    if as_json:
        body = {
            "paused": outbox.paused,
            "spent": round(outbox.spent(), 4),
            "posts": [post.to_dict() for post in posts],
        }
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return 0
    if outbox.paused:
        print(f"Sending is paused: {outbox.pause_reason}")
    if not posts:
        print("The outbox is empty.")
    for post in posts:
        print(_line(post))
    return 0


def _line(post: OutboxPost) -> str:
    text = " ".join(post.draft.text.split())
    short = text if len(text) <= 50 else text[:49] + "…"
    photos = f" +{len(post.draft.photos)} photo(s)" if post.draft.photos else ""
    photos += " (dry-run)" if post.backend == "dry-run" and post.state == "sent" else ""
    when = f"{post.created_at.astimezone():%d %b %H:%M}"
    line = f"{post.id:>4}  {post.state:<9}  {when}  {short}{photos}"
    if post.state == "held" and post.hold_until:
        line += f"\n      Held until {post.hold_until.astimezone():%H:%M on %d %b}."
    line = f"{line}\n      {post.reason}" if post.reason else line
    if len(post.deliveries) > 1:
        line += "".join(
            f"\n      {NETWORK_NAMES.get(d.network, d.network)}: {d.state}" for d in post.deliveries
        )
    line += "".join(f"\n      {receipt}" for receipt in post.removals)
    hint = _NEXT_STEP.get(post.state)
    return f"{line}\n      {hint.format(id=post.id)}" if hint else line


# The command that settles a post in each state that waits for the teacher.
_NEXT_STEP = {
    "uncertain": "Then: `tripdesk outbox mark-sent {id}` or `tripdesk outbox retry {id}`.",
    "failed": "Then: `tripdesk outbox retry {id}` or `tripdesk outbox cancel {id}`.",
    "blocked": "Then: `tripdesk outbox cancel {id}`, or `tripdesk outbox retry {id}` when fixed.",
    "held": "Then: `tripdesk outbox release {id}` to send it now, "
    "or `tripdesk outbox cancel {id}`.",
}


def _sent(summary: SendSummary, as_json: bool, *, dry_run: set[int], home: str) -> int:
    """The summary; posts that dry-run recorded are never called "sent", since none went out."""
    trouble = bool(
        summary.failed
        or summary.uncertain
        or summary.blocked
        or summary.offline
        or summary.paused
        or (summary.message and not summary.sent)
    )
    if as_json:
        print(json.dumps(summary.to_dict(), indent=2))
        return 1 if trouble else 0
    recorded = tuple(post_id for post_id in summary.sent if post_id in dry_run)
    parts = [
        f"{len(ids)} {label}"
        for ids, label in (
            (tuple(i for i in summary.sent if i not in dry_run), "sent"),
            (recorded, f"recorded in dry-run, not sent to X (see {home}/dry-run)"),
            (summary.waiting, "waiting"),
            (summary.failed, "failed"),
            (summary.uncertain, "uncertain (check the account)"),
            (summary.blocked, "blocked"),
            (summary.removed, "taken down"),
        )
        if ids
    ]
    if parts or not summary.message:
        print(", ".join(parts) + "." if parts else "Nothing was due.")
    if summary.offline:
        print(
            "No connection, so nothing more was sent; run `tripdesk outbox send` again once "
            "there is one (the app keeps trying by itself).",
            file=sys.stderr,
        )
    elif summary.message:
        again = " Run `tripdesk outbox resume` to send again." if summary.paused else ""
        print(summary.message + again, file=sys.stderr)
    return 1 if trouble else 0


def _said(as_json: bool, body: dict[str, object], sentence: str) -> int:
    print(json.dumps(body, indent=2, ensure_ascii=False) if as_json else sentence)
    return 0
