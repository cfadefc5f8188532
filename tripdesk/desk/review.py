"""The full review of a draft: the register, the photos' face reports, the guard, the audit log.

The same function runs for `tripdesk check`, in the compose screen and again in the outbox at
send time, so a post is judged on the register and faces as they are when it goes out.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from tripdesk import audit
from tripdesk.clock import clock_behind
from tripdesk.config import Config
from tripdesk.consent.register import Register
from tripdesk.desk.register import trip_register
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.guard.findings import LIMITS, PHOTO_CONSENT
from tripdesk.guard.rules_people import allowed_phrases_used
from tripdesk.media.report import FaceReport
from tripdesk.publish import limits
from tripdesk.verdict import Finding, Verdict, Where


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

    register = trip_register(conn, config)
    draft, faces = draft_faces(draft, conn, config, detect=detect_faces)
    verdict = judge(draft, register, config, faces=faces, today=today)
    hallway_findings = (*_wrong_clock(conn), *_unreadable(draft))
    if hallway_findings:
        verdict = Verdict.of((*hallway_findings, *verdict.findings), verdict.weighted_length)
    audit.record(
        conn,
        "guard.checked",
        verdict=verdict.verdict,
        blocking=sorted({f.rule for f in verdict.blocking}),
        to_confirm=sorted({f.rule for f in verdict.to_confirm}),
        weighted_length=verdict.weighted_length,
        photos=[photo.sha256 for photo in draft.photos],
    )
    allowed = allowed_phrases_used(draft, verdict, config.guard)
    if allowed:
        # By number only: an allowed phrase may itself hold a surname.
        audit.record(conn, "guard.allowed_phrase_used", phrases=allowed)
    return verdict


def judge(
    draft: Draft,
    register: Register,
    config: Config,
    *,
    faces: Sequence[FaceReport | None] = (),
    today: date | None = None,
) -> Verdict:
    """The quick verdict, fit for every keystroke: the policy's rules, then what each network
    the post is written for allows (X's, Bluesky's and the Mastodon instance's limits)."""
    networks = config.post_networks
    verdict = check(draft, register, config.guard, faces=faces, today=today, networks=networks)
    base = os.environ.get("TRIPDESK_MASTODON_BASE", "")
    beyond = limits.findings(
        draft,
        networks,
        mastodon_characters=limits.mastodon_characters(config.cache("networks"), base),
        partners=config.guard.partners,
    )
    if not beyond:
        return verdict
    return Verdict.of((*verdict.findings, *beyond), verdict.weighted_length)


def _wrong_clock(conn: sqlite3.Connection) -> Iterator[Finding]:
    """Consent is judged on today's date, so a clock set back stops every decision."""
    problem = clock_behind(conn)
    if problem is not None:
        yield Finding(
            "clock", "block", f"{PHOTO_CONSENT}: {problem}", PHOTO_CONSENT, Where("draft")
        )


def _unreadable(draft: Draft) -> Iterator[Finding]:
    """A file that is no whole photo cannot be posted, whatever else the guard thinks of it."""
    from tripdesk.media.images import photo_problem

    for index, photo in enumerate(draft.photos):
        problem = photo_problem(Path(photo.path))
        if problem is not None:
            yield Finding(
                "photo-unreadable",
                "block",
                f"{LIMITS}: photo {index + 1} cannot be posted: {problem[:1].lower()}"
                f"{problem[1:].rstrip('.')}; choose another photo.",
                LIMITS,
                Where("photo", index=index),
            )
