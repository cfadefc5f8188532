"""Sending from the outbox, joined to the guard and the consent register.

The outbox (a room) does not know the guard or the register; at send time it runs the review
and notes each tagged pupil's consent through what this module hands it. Every sender (the
app's worker, `tripdesk outbox send`) opens its outbox here, so each post is checked again the
same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.desk.review import review_draft
from tripdesk.publish.backends import Backend
from tripdesk.publish.outbox import Outbox

__all__ = ["consent_at_send", "review_draft", "sending_outbox"]


def consent_at_send(
    conn: sqlite3.Connection, pupil_ids: Sequence[str], today: date
) -> dict[str, dict[str, Any]]:
    """Each tagged pupil's consent as the register says at send time, for the trip report."""
    register = load_register(conn)
    snapshot: dict[str, dict[str, Any]] = {}
    for pupil_id in pupil_ids:
        pupil = register.get(pupil_id)
        snapshot[pupil_id] = {
            "status": pupil.status(today) if pupil else "not on the register",
            "checked_on": today.isoformat(),
            "expires": _day(pupil.consent_expires) if pupil else None,
            "withdrawn": _day(pupil.consent_withdrawn) if pupil else None,
        }
    return snapshot


def sending_outbox(
    conn: sqlite3.Connection,
    config: Config,
    backend: Backend | None = None,
    *,
    passphrase: Callable[[], str] | None = None,
) -> Outbox:
    """An outbox that can send: the guard runs again and consent is noted for every post."""
    return Outbox(
        conn,
        config,
        backend,
        review=review_draft,
        consent=consent_at_send,
        passphrase=passphrase,
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
