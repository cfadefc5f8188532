"""Getting the desk ready once the first screen is drawn, off the UI thread.

Files an older tripdesk left readable by others are tightened (with one sentence), and the
guard's word list, look-alike tables and the register's name index are loaded, so the first
keystroke in Compose is checked as fast as the hundredth.
"""

from __future__ import annotations

import sqlite3

from tripdesk import private
from tripdesk.config import Config
from tripdesk.desk.register import trip_register
from tripdesk.desk.review import judge
from tripdesk.draft import Draft


def get_ready(conn: sqlite3.Connection, config: Config) -> str | None:
    """Tighten private files and warm the guard; the sentence to show, if any."""
    changed = private.tighten([config.home, config.trip.pool], skip=[config.trip.inbox])
    judge(
        Draft(text=f"Ready for the trip {config.trip.hashtag}"), trip_register(conn, config), config
    )
    return private.tightened_sentence(changed)
