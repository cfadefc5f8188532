"""`tripdesk takedown list|PUPIL_ID|--post ID [--yes] [--json]`, `tripdesk consent withdraw ID`.

Posts already published that show or name a pupil whose consent is gone are listed with how
each pupil is in them; taking them down is queued in the outbox, which removes each from every
network it went to, once, and keeps the receipt. Pupils appear by first name, initial and class.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from tripdesk import config as settings
from tripdesk.config import NETWORK_NAMES
from tripdesk.desk import accountability
from tripdesk.desk.accountability import LivePost
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.publish.outbox import Outbox, OutboxPost


def run(args: argparse.Namespace) -> int:
    if args.target is None and args.post is None:
        args.target = "list"
    if args.target is not None and args.post is not None:
        raise TripdeskError("Give either a pupil's id or --post ID, not both.")
    config = settings.load()
    conn = open_database(config.database)
    try:
        if args.target == "list":
            live = accountability.posts_to_take_down(conn, config, include_queued=True)
            return _listed(live, args.json)
        if args.post is not None:
            post = Outbox(conn, config).get(args.post)
            if post.state != "sent":
                raise TripdeskError(
                    f"Post {post.id} is {post.state}; only published posts can be taken down "
                    f"(cancel it instead: `tripdesk outbox cancel {post.id}`)."
                )
            if post.takedown is not None:
                said = " ".join(post.removals) or "it is queued."
                raise TripdeskError(f"Post {post.id}'s removal was already asked for: {said}")
            targets = [post]
            why = "taken down by the teacher"
        else:
            live = accountability.posts_to_take_down(conn, config, pupil_ids=[args.target])
            if not live:
                return _nothing(args.target, args.json)
            targets = [found.post for found in live]
            why = f"consent withdrawn for {args.target}"
            if not args.json:
                print("\n".join(live_lines(live, hint=False)))
        if not _agreed(args, targets):
            print("Nothing was taken down.")
            return 1
        queued = accountability.take_down(conn, config, [post.id for post in targets], why)
    finally:
        conn.close()
    if args.json:
        print(json.dumps({"queued": [post.id for post in queued]}, indent=2))
    else:
        ids = ", ".join(str(post.id) for post in queued)
        print(
            f"Removal queued for post{'s' if len(queued) != 1 else ''} {ids}: it goes at the next "
            "`tripdesk outbox send` (at once in the running app), and the receipt shows in "
            "`tripdesk takedown list` and the trip report."
        )
    return 0


def withdraw(args: argparse.Namespace) -> int:
    """`tripdesk consent withdraw PUPIL_ID`: record it, then list what is already public."""
    config = settings.load()
    conn = open_database(config.database)
    try:
        pupil, changed = accountability.withdraw_consent(conn, config, args.pupil)
        live = accountability.posts_to_take_down(conn, config, pupil_ids=[pupil.id])
    finally:
        conn.close()
    if args.json:
        body = {
            "pupil": pupil.id,
            "name": pupil.display_name,
            "withdrawn": pupil.consent_withdrawn.isoformat() if pupil.consent_withdrawn else None,
            "changed": changed,
            "takedown": [found.to_dict() for found in live],
        }
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return 0
    when = f"{pupil.consent_withdrawn:%d/%m/%Y}" if pupil.consent_withdrawn else "today"
    said = "is now recorded as withdrawn" if changed else "was already withdrawn"
    lines = [f"Consent for {pupil.id} {pupil.display_name} {said} ({when})."]
    lines += live_lines(live) or ["No published post shows or names them."]
    if changed:
        lines.append("Record the withdrawal in the school's MIS too: the next import replaces it.")
    print("\n".join(lines))
    return 0


def live_lines(live: Sequence[LivePost], *, hint: bool = True) -> list[str]:
    """What to tell the teacher at once about published posts of pupils who lost consent."""
    if not live:
        return []
    count = len(live)
    lines = [
        f"{count} published post{'s' if count != 1 else ''} show{'' if count != 1 else 's'} or "
        f"name{'' if count != 1 else 's'} a pupil whose consent is gone:"
    ]
    lines += [f"  {_post_line(found)}" for found in live]
    outstanding = [found for found in live if found.takedown is None]
    if hint and outstanding:
        pupils = sorted({p.pupil_id for found in outstanding for p in found.pupils})
        commands = " or ".join(f"`tripdesk takedown {pupil_id}`" for pupil_id in pupils)
        lines.append(f"Take {'them' if len(outstanding) != 1 else 'it'} down with {commands}.")
    return lines


def _post_line(found: LivePost) -> str:
    post = found.post
    who = "; ".join(f"{p.pupil_id} {p.label} {', '.join(p.how)}" for p in found.pupils)
    state = f" [{found.takedown}]" if found.takedown else ""
    return f"post {post.id}, {where(post)}: {who}{state}"


def where(post: OutboxPost) -> str:
    """When and where a post went: `sent 12/06 14:02 to X (link)`."""
    sent = f"sent {post.sent_at.astimezone():%d/%m %H:%M}" if post.sent_at else "sent"
    network = NETWORK_NAMES.get(post.backend or "", post.backend or "?")
    return f"{sent} to {network}" + (f" ({post.url})" if post.url else "")


def _listed(live: Sequence[LivePost], as_json: bool) -> int:
    if as_json:
        print(json.dumps({"posts": [found.to_dict() for found in live]}, indent=2))
        return 0
    if not live:
        print("No published post shows or names a pupil whose consent is gone.")
        return 0
    print("\n".join(live_lines(live)))
    for found in live:
        for receipt in found.receipts:
            print(f"  post {found.post.id}: {receipt}")
    return 0


def _nothing(pupil_id: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"queued": []}))
    else:
        print(f"No published post shows or names {pupil_id} while their consent is gone.")
    return 0


def _agreed(args: argparse.Namespace, posts: Sequence[OutboxPost]) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise TripdeskError("Add --yes to take the posts down without being asked.")
    ids = ", ".join(str(post.id) for post in posts)
    answer = input(f"Take down post{'s' if len(posts) != 1 else ''} {ids} everywhere? [y/N] ")
    return answer.strip().casefold() in ("y", "yes")
