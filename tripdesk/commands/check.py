"""`tripdesk check DRAFT.json | --text TEXT [--json]`: the guard's verdict, as the outbox sees it.

Exits 0 if the draft may be posted (once confirmed, where the guard asks for that), 1 if it is
blocked, 2 if the draft file itself is unreadable.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tripdesk import config
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts import load_draft
from tripdesk.desk.review import review_draft
from tripdesk.desk.versions import Version, counts, grouped, versions
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.verdict import Verdict

_MARKS = {"block": "BLOCK  ", "confirm": "CONFIRM", "info": "INFO   "}


def run(args: argparse.Namespace) -> int:
    if args.draft is not None and args.text is not None:
        raise TripdeskError("Give a draft file (DRAFT.json) or --text TEXT, not both.")
    if args.draft is None and args.text is None:
        raise TripdeskError("Give a draft file to check (DRAFT.json), or --text TEXT.")
    settings = config.load()
    conn = open_database(settings.database)
    try:
        if args.text is not None:
            draft = Draft(text=args.text)
        else:
            draft = load_draft(Path(args.draft), conn, settings)
        verdict = review_draft(draft, conn, settings)
    finally:
        conn.close()
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(describe(verdict, versions(draft, settings)))
    return 1 if verdict.verdict == "blocked" else 0


def describe(verdict: Verdict, found: list[Version]) -> str:
    """The verdict for a person: one headline with each network's length, then each finding
    with its severity, then each network's text where the partners' handles differ."""
    blocking, asking = len(verdict.blocking), len(verdict.to_confirm)
    only_x = [v.network for v in found] == ["x"]
    length = f"{found[0].length}/{found[0].limit}" if only_x else counts(found)
    if verdict.verdict == "blocked":
        headline = f"Blocked: {blocking} to fix"
        headline += f", {asking} to confirm" if asking else ""
    elif verdict.verdict == "confirm":
        headline = f"Confirm: {asking} to look at before it goes out"
    else:
        headline = "OK: ready to go out"
    lines = [f"{headline}. Length {length}."]
    lines += [f"  {_MARKS[f.severity]}  {f.message}" for f in verdict.findings]
    shown = grouped(found)
    if len(shown) > 1:
        lines += [f"On {networks}: {text}" for networks, text in shown]
    return "\n".join(lines)
