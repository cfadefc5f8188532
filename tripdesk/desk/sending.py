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
from functools import partial
from typing import Any

from tripdesk.config import Config
from tripdesk.desk.register import trip_register
from tripdesk.desk.review import review_draft
from tripdesk.publish.backends import Backend
from tripdesk.publish.outbox import Outbox


def consent_at_send(
    conn: sqlite3.Connection, pupil_ids: Sequence[str], today: date, *, config: Config
) -> dict[str, dict[str, Any]]:
    """Each tagged pupil's consent as the register says at send time, for the trip report."""
    register = trip_register(conn, config)
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


def send_checks(config: Config) -> dict[str, Any]:
    """What every sender (an outbox, the app's worker) is handed: the review, and the consent
    noted at send."""
    return {"review": review_draft, "consent": partial(consent_at_send, config=config)}


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
        **send_checks(config),
        passphrase=passphrase,
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
