"""The laptop's clock, checked against the newest time tripdesk has itself recorded.

Consent expiry and withdrawal are decided on today's date; a clock set back (a flat battery, a
wrong time zone, a hand-set date) would let expired consent pass. Every register import and
every other event is in the audit log with its time, so a clock earlier than the newest of
those is known to be wrong, and `check` and sending stop with one sentence instead of deciding.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

# A clock corrected by a few seconds (network time) is not a clock set back.
SLACK = timedelta(minutes=1)


def newest_recorded(conn: sqlite3.Connection) -> datetime | None:
    """The newest time in the audit log (register imports are audited too); None before any."""
    try:
        row = conn.execute("SELECT MAX(at) FROM audit").fetchone()
    except sqlite3.OperationalError:
        return None  # no audit table yet: nothing recorded
    if row is None or row[0] is None:
        return None
    newest = datetime.fromisoformat(row[0])
    return newest if newest.tzinfo else newest.replace(tzinfo=UTC)


def clock_behind(conn: sqlite3.Connection, now: datetime | None = None) -> str | None:
    """One sentence naming both times when the laptop's clock is earlier than the newest time
    tripdesk recorded; None when the clock can be trusted."""
    newest = newest_recorded(conn)
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.astimezone()
    if newest is None or now >= newest - SLACK:
        return None
    return (
        f"The laptop's clock says {_shown(now)}, earlier than {_shown(newest)}, when tripdesk "
        "last recorded an event (such as a register import); consent dates cannot be judged "
        "on a wrong date, so set the clock right and try again."
    )


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC")
