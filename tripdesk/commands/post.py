"""`tripdesk post DRAFT.json [--confirm] [--json]`: check a draft and put it in the outbox.

Exit status: 0 queued (the id is printed), 1 not queued because the guard blocks the draft or
it has findings to confirm and `--confirm` was not given, 2 for a draft that cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tripdesk import config as settings
from tripdesk import store
from tripdesk.drafts import load_draft
from tripdesk.publish.outbox import Outbox
from tripdesk.review import review_draft
from tripdesk.verdict import Finding, Verdict


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    conn = store.connect(config.database)
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
        post = Outbox(conn, config).queue(draft, verdict)
    finally:
        conn.close()
    if args.json:
        print(json.dumps({"id": post.id, "state": post.state, **verdict.to_dict()}, indent=2))
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
