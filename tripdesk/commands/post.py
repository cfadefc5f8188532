"""`tripdesk post DRAFT.json [--confirm] [--approved-by NAME --pin-stdin] [--hold-until TIME]
[--json]`: check a draft and put it in the outbox.

Exit status: 0 queued (the id is printed), 1 not queued because the guard blocks the draft, it
has findings to confirm and `--confirm` was not given, or it lacks the approval it needs (the
error says who may give it), 2 for a draft or time that cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tripdesk import config as settings
from tripdesk.commands.staff import read_pin
from tripdesk.desk.accountability import approve, hold_time
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts import load_draft
from tripdesk.desk.posting import queue_draft
from tripdesk.desk.review import review_draft
from tripdesk.errors import TripdeskError
from tripdesk.verdict import Finding, Verdict


def run(args: argparse.Namespace) -> int:
    if args.pin_stdin and not args.approved_by:
        raise TripdeskError("--pin-stdin goes with --approved-by NAME.")
    held = hold_time(args.hold_until) if args.hold_until else None
    config = settings.load()
    conn = open_database(config.database)
    try:
        draft = load_draft(Path(args.draft), conn, config)
        verdict = review_draft(draft, conn, config)
        if verdict.verdict == "blocked":
            return _not_queued(args, verdict, "The guard blocks this draft; nothing was queued.")
        if verdict.verdict == "confirm" and not args.confirm:
            return _not_queued(
                args,
                verdict,
                "This draft needs confirming: check the findings, then run again with --confirm.",
            )
        confirmed = [f.rule for f in verdict.to_confirm] if args.confirm else []
        pin = read_pin("PIN: ", from_stdin=args.pin_stdin) if args.approved_by else None
        approved_by = approve(conn, config, draft, args.approved_by, pin)
        post = queue_draft(
            conn,
            config,
            draft,
            verdict,
            confirmed=confirmed,
            approved_by=approved_by,
            hold_until=held,
        )
    finally:
        conn.close()
    if args.json:
        facts = {"approved_by": post.approved_by, "hold_until": post.to_dict()["hold_until"]}
        print(
            json.dumps({"id": post.id, "state": post.state, **facts, **verdict.to_dict()}, indent=2)
        )
    else:
        print(post.id)
    return 0


def _not_queued(args: argparse.Namespace, verdict: Verdict, sentence: str) -> int:
    if args.json:
        print(json.dumps({"id": None, "state": None, **verdict.to_dict()}, indent=2))
        return 1
    for finding in verdict.findings:
        print(_line(finding))
    print(sentence)
    return 1


def _line(finding: Finding) -> str:
    """The finding once, naming its policy section unless the message already opens with it."""
    mark = {"block": "BLOCK", "confirm": "CONFIRM", "info": "note"}[finding.severity]
    named = finding.message.startswith(f"{finding.section}:")
    return f"{mark:8} {finding.message}" + ("" if named else f" ({finding.section})")
