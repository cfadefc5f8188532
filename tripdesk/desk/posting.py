"""Putting a reviewed draft in the outbox, the same way from Compose and from `tripdesk post`.

Both front ends come here so that a post queued at the keyboard and one queued by a script
leave the same trail in the audit log: the verdict, what the teacher confirmed, the post.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from tripdesk import audit, store
from tripdesk.config import Config
from tripdesk.desk.accountability import (
    approval_needed,
    hold_for,
    record_approval,
    who_must_approve,
)
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.verdict import Verdict


class NeedsConfirming(TripdeskError):
    """The guard asks the teacher to confirm findings that were not confirmed."""


def queue_draft(
    conn: sqlite3.Connection,
    config: Config,
    draft: Draft,
    verdict: Verdict,
    *,
    confirmed: Sequence[str] = (),
    approved_by: str | None = None,
    hold_until: datetime | None = None,
) -> OutboxPost:
    """Queue a draft whose blocking findings are gone and whose questions were all answered.

    `confirmed` lists the rules the teacher confirmed; every rule the guard asks about must be
    among them, so nothing reaches the outbox unseen. `approved_by` is a colleague whose PIN
    `accountability.approve` has proven; a post that needs one is refused without it, whichever
    front end asks. A post of children waits the trip's default hold unless a time is given.
    """
    if verdict.blocking:
        raise TripdeskError("The guard blocks this draft; nothing was queued.")
    asked = sorted({f.rule for f in verdict.to_confirm})
    unanswered = [rule for rule in asked if rule not in confirmed]
    if unanswered:
        raise NeedsConfirming(
            "This draft needs confirming: check the findings, then confirm them "
            f"({', '.join(unanswered)})."
        )
    if approved_by is None and approval_needed(draft, config):
        raise TripdeskError(who_must_approve(conn, config), exit_code=1)
    with store.transaction(conn):
        post = Outbox(conn, config).queue(
            draft, verdict, approved_by=approved_by, hold_until=hold_for(draft, config, hold_until)
        )
        if asked:
            audit.record(conn, "draft.confirmed", post=post.id, rules=asked)
        record_approval(conn, post.id, approved_by)
    return post
