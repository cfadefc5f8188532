"""Takedown: removing a sent post from every network it went to, durably and once.

`take_down` (a teacher's move) marks each sent delivery `queued` for removal; `send_due` then
works through them before it sends anything: `removing` is committed before the request, and
a removal either ends `removed` (a 404 counts: it was already gone, and the receipt says so)
or `refused` with the network's own words, or waits and is tried again. Deleting twice is
harmless, so a removal interrupted mid-request simply goes back to the queue.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from tripdesk import audit
from tripdesk.config import NETWORK_NAMES
from tripdesk.publish.backoff import Backoff
from tripdesk.publish.outcomes import outcome_of
from tripdesk.publish.posts import iso
from tripdesk.publish.switches import Switches
from tripdesk.store import transaction


class Remover:
    def __init__(
        self,
        conn: sqlite3.Connection,
        switches: Switches,
        clock: Callable[[], datetime],
        backoff: Backoff,
    ) -> None:
        self.conn = conn
        self.switches = switches
        self._clock = clock
        self.backoff = backoff

    def recover(self) -> None:
        """A removal interrupted mid-request is simply asked for again."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_delivery SET removal = 'queued' WHERE removal = 'removing'"
            )

    def run(self, ready: Callable[[str], bool], backend: Callable[[str], object]) -> list[int]:
        """Remove every post whose removal is due, on each network that can be tried now; the
        posts removed from a network in this round."""
        self.recover()
        due = self.conn.execute(
            "SELECT post_id, network, remote_id FROM outbox_delivery WHERE removal = 'queued' "
            "AND (removal_next_at IS NULL OR removal_next_at <= ?) ORDER BY post_id, rowid",
            (iso(self._clock()),),
        ).fetchall()
        removed = []
        for row in due:
            if ready(row["network"]) and self._remove(
                row["post_id"], row["network"], row["remote_id"], backend
            ):
                removed.append(row["post_id"])
        return sorted(set(removed))

    def _remove(
        self, post_id: int, network: str, remote_id: str, backend: Callable[[str], object]
    ) -> bool:
        self._set(post_id, network, "removing")
        try:
            removed = backend(network).remove(remote_id)  # type: ignore[attr-defined]
        except Exception as error:
            outcome = outcome_of(error, publishing=False)
            if outcome.state in ("failed", "blocked"):
                self._set(post_id, network, "refused", reason=outcome.reason, event="refused")
                return False
            later = outcome.until or self._clock() + self.backoff.delay(1)
            if outcome.then == "hold" and outcome.until is not None:
                with transaction(self.conn):
                    self.switches.set_hold(network, outcome.until, outcome.reason or "")
            self._set(post_id, network, "queued", reason=outcome.reason, next_at=later)
            return False
        gone = "it was already gone" if removed.already_gone else None
        self._set(
            post_id, network, "removed", reason=gone, removed_at=self._clock(), event="removed"
        )
        return True

    def _set(
        self,
        post_id: int,
        network: str,
        removal: str,
        *,
        reason: str | None = None,
        next_at: datetime | None = None,
        removed_at: datetime | None = None,
        event: str | None = None,
    ) -> None:
        """Record where a removal stands, and audit it when it is settled, in one transaction."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_delivery SET removal = ?, removal_reason = ?, removal_next_at = ?, "
                "removed_at = ? WHERE post_id = ? AND network = ?",
                (removal, reason, iso(next_at), iso(removed_at), post_id, network),
            )
            if event:
                audit.record(
                    self.conn,
                    f"publish.removal_{event}",
                    post=post_id,
                    network=NETWORK_NAMES.get(network, network),
                    reason=reason,
                )
