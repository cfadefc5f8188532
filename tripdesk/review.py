"""The full review of a draft: the register, the photos' face reports, the guard, the audit log.

The same function runs for `tripdesk check`, in the compose screen and again in the outbox at
send time, so a post is judged on the register and faces as they are when it goes out.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.verdict import Verdict


def review_draft(
    draft: Draft,
    conn: sqlite3.Connection,
    config: Config,
    *,
    detect_faces: bool = True,
    today: date | None = None,
) -> Verdict:
    """Check the draft as it stands now and record the verdict (rule ids only, never text).

    With `detect_faces=False` only face reports already cached are used; photos without one
    are left for the teacher to look at, which the guard asks for.
    """
    from tripdesk.media.faces import draft_faces  # onnxruntime loads only when a draft is judged

    register = load_register(conn)
    draft, faces = draft_faces(draft, conn, config, detect=detect_faces)
    verdict = check(draft, register, config.guard, faces=faces, today=today)
    audit.record(
        conn,
        "guard.checked",
        verdict=verdict.verdict,
        blocking=sorted({f.rule for f in verdict.blocking}),
        to_confirm=sorted({f.rule for f in verdict.to_confirm}),
        weighted_length=verdict.weighted_length,
        photos=[photo.sha256 for photo in draft.photos],
    )
    return verdict
