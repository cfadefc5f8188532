"""The outbox's switches, kept in the database so every process sees them: pause, and the holds
a network's rate limit puts on it (until when, and why)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tripdesk.publish.posts import iso, when


class Switches:
    """Reads and writes `outbox_setting`; writes run inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @property
    def paused(self) -> bool:
        return self._get("paused") == "1"

    @property
    def pause_reason(self) -> str | None:
        return self._get("pause_reason") if self.paused else None

    def set_paused(self, paused: bool, reason: str | None) -> None:
        self._set("paused", "1" if paused else "0")
        self._set("pause_reason", reason or ("Paused by the teacher." if paused else ""))
        if not paused:
            self.conn.execute("DELETE FROM outbox_setting WHERE key LIKE 'hold_%'")

    def hold(self, network: str, now: datetime) -> tuple[datetime, str] | None:
        """The rate limit holding `network` back: until when, and why; None when there is none."""
        until = when(self._get(f"hold_until:{network}"))
        if until is None or until <= now:
            return None
        return until, self._get(f"hold_reason:{network}") or ""

    def set_hold(self, network: str, until: datetime, reason: str) -> None:
        self._set(f"hold_until:{network}", iso(until) or "")
        self._set(f"hold_reason:{network}", reason)

    def _get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM outbox_setting WHERE key = ?", (key,)).fetchone()
        return row["value"] if row and row["value"] != "" else None

    def _set(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO outbox_setting (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
