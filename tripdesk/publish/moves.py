"""The teacher's moves on the outbox: queue, hold and release, retry, send now, cancel, mark as
sent, pause, and take down.

Each move happens only if the post is still where the move makes sense, checked and changed in
one transaction, and each is audited. A post's own state is always its deliveries' summed up.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tripdesk import audit
from tripdesk.config import NETWORK_NAMES, Config
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.publish.photos import Photos
from tripdesk.publish.posts import iso, shown_state, summed_up
from tripdesk.publish.switches import Switches
from tripdesk.store import transaction
from tripdesk.verdict import Verdict

NOT_GONE_OUT = ("queued", "failed", "uncertain", "blocked")


class Moves:
    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        photos: Photos,
        switches: Switches,
        clock: Callable[[], datetime],
    ) -> None:
        self.conn = conn
        self.config = config
        self.photos = photos
        self.switches = switches
        self._clock = clock

    def queue(
        self,
        draft: Draft,
        verdict: Verdict,
        *,
        approved_by: str | None = None,
        hold_until: datetime | None = None,
    ) -> int:
        """Store a checked draft with its photos prepared; a blocked verdict is refused."""
        if verdict.verdict == "blocked":
            first = verdict.blocking[0].message if verdict.blocking else "the guard blocked it"
            raise TripdeskError(f"This draft cannot go out: {first}", exit_code=1)
        photos = self.photos.prepare_draft(draft)
        with transaction(self.conn):
            cursor = self.conn.execute(
                "INSERT INTO outbox_post (state, draft, verdict, reply_settings, created_at, "
                "approved_by, hold_until) VALUES ('queued', ?, ?, ?, ?, ?, ?)",
                (
                    json.dumps(draft.to_dict(), ensure_ascii=False),
                    json.dumps(verdict.to_dict(), ensure_ascii=False),
                    self.config.publish.reply_settings,
                    iso(self._clock()),
                    approved_by,
                    iso(hold_until),
                ),
            )
            post_id = int(cursor.lastrowid or 0)
            self.photos.store(post_id, photos)
            audit.record(
                self.conn,
                "publish.queued",
                post=post_id,
                verdict=verdict.verdict,
                photos=[p.prepared.source_sha256 for p in photos],
                confirmed=[f.rule for f in verdict.to_confirm],
                approved=approved_by is not None,
                hold_until=iso(hold_until),
            )
        return post_id

    def retry(self, post_id: int) -> None:
        """Send a failed, blocked or uncertain post again (for uncertain: the teacher checked),
        or one waiting out a backoff, now.

        A post held back because the guard found something new to confirm takes the teacher's
        retry as that confirmation; a blocked one is checked again when it is sent.
        """
        if self._waiting(post_id):
            self.send_now(post_id)
            return
        columns: dict[str, Any] = {"reason": None, "next_attempt_at": None}
        row = self.conn.execute(
            "SELECT state, checked FROM outbox_post WHERE id = ?", (post_id,)
        ).fetchone()
        checked = row["checked"] if row else None
        blocked = row and row["state"] == "blocked" and checked
        if blocked and json.loads(checked)["verdict"] == "confirm":
            columns["verdict"] = checked
        self._move(
            post_id,
            ("failed", "uncertain", "blocked"),
            "publish.retried",
            "only failed, blocked or uncertain posts can be sent again",
            deliveries=(("failed", "uncertain", "blocked"), "queued", None),
            fallback="queued",
            **columns,
        )

    def send_now(self, post_id: int) -> None:
        """A post waiting out a backoff (after a server error) is due at once."""
        if not self._waiting(post_id):
            state = self._shown(post_id)
            raise TripdeskError(
                f"Post {post_id} is {state}; only a post waiting to be tried again can be sent now."
            )
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_post SET next_attempt_at = NULL WHERE id = ?", (post_id,)
            )
            audit.record(self.conn, "publish.send_now", post=post_id)

    def release(self, post_id: int) -> None:
        """A held post is due now rather than when its hold ends."""
        with transaction(self.conn):
            state = self._shown(post_id)
            if state == "held":
                self.conn.execute(
                    "UPDATE outbox_post SET hold_until = ? WHERE id = ?",
                    (iso(self._clock()), post_id),
                )
                audit.record(self.conn, "publish.released", post=post_id)
        if state != "held":
            raise TripdeskError(f"Post {post_id} is {state}; only held posts can be released.")

    def cancel(self, post_id: int, reason: str = "Cancelled by the teacher.") -> None:
        self._move(
            post_id,
            ("queued", "held", "failed", "uncertain", "blocked"),
            "publish.cancelled",
            "only posts that have not gone out can be cancelled",
            deliveries=(NOT_GONE_OUT, "cancelled", reason),
            fallback="cancelled",
            reason=reason,
            next_attempt_at=None,
        )

    def mark_sent(self, post_id: int) -> None:
        """The teacher found an uncertain post on the account: it went out, do not send again."""
        said = "Marked as sent by the teacher after checking the account."
        self._move(
            post_id,
            ("uncertain",),
            "publish.marked_sent",
            "only uncertain posts can be marked as sent",
            deliveries=(("uncertain",), "sent", said),
            fallback="sent",
            reason=said,
            sent_at=iso(self._clock()),
        )

    def set_paused(self, paused: bool, reason: str | None = None) -> None:
        """Stop (or restart) all sending; remembered across restarts."""
        with transaction(self.conn):
            self.switches.set_paused(paused, reason)
            audit.record(self.conn, "publish.paused" if paused else "publish.resumed")

    def take_down(self, post_id: int, reason: str) -> None:
        """Queue the post's removal from every network it went to; what has not gone out yet
        never will. Asking again changes nothing."""
        with transaction(self.conn):
            state = self._shown(post_id)
            if state == "sending":
                raise TripdeskError(
                    f"Post {post_id} is being sent right now; take it down in a moment."
                )
            asked = self.conn.execute(
                "SELECT takedown_reason FROM outbox_post WHERE id = ?", (post_id,)
            ).fetchone()[0]
            if asked is not None:
                return
            self._take_down(post_id, reason)

    def _take_down(self, post_id: int, reason: str) -> None:
        unknown = (
            "tripdesk cannot tell whether it went out to {name}; check the account and delete "
            "it there by hand if it did."
        )
        no_id = "tripdesk does not know the post's address on {name}; delete it there by hand."
        networks = []
        for row in self.conn.execute(
            "SELECT network, state, remote_id, key FROM outbox_delivery WHERE post_id = ?",
            (post_id,),
        ).fetchall():
            name = NETWORK_NAMES.get(row["network"], row["network"])
            remote, removal, said = row["remote_id"], None, None
            after = "Taken down before it went out."
            if row["state"] == "sent" and remote:
                removal = "queued"
            elif row["state"] == "uncertain" and row["network"] == "bluesky":
                # Its rkey was chosen before sending: the post, if it is there, can be found.
                remote, removal, after = row["key"], "queued", "Taken down while uncertain."
            elif row["state"] in ("uncertain", "sent"):
                said = (no_id if row["state"] == "sent" else unknown).format(name=name)
                removal, after = "refused", "Taken down while uncertain."
            # Whatever has not certainly gone out never will now.
            self.conn.execute(
                "UPDATE outbox_delivery SET removal = ?, removal_reason = ?, remote_id = ?, "
                "state = CASE WHEN state = 'sent' THEN 'sent' ELSE 'cancelled' END, "
                "reason = CASE WHEN state = 'sent' THEN reason ELSE ? END "
                "WHERE post_id = ? AND network = ?",
                (removal, said, remote, after, post_id, row["network"]),
            )
            networks.append(row["network"])
        states = [
            r["state"]
            for r in self.conn.execute(
                "SELECT state FROM outbox_delivery WHERE post_id = ?", (post_id,)
            )
        ]
        self.conn.execute(
            "UPDATE outbox_post SET state = ?, takedown_reason = ?, next_attempt_at = NULL, "
            "reason = CASE WHEN state = 'sent' THEN reason ELSE ? END WHERE id = ?",
            (
                summed_up(states) if states else "cancelled",
                reason,
                "Taken down before it went out.",
                post_id,
            ),
        )
        audit.record(self.conn, "publish.takedown_asked", post=post_id, networks=networks)

    def _move(
        self,
        post_id: int,
        allowed: tuple[str, ...],
        event: str,
        refusal: str,
        *,
        deliveries: tuple[tuple[str, ...], str, str | None],
        fallback: str,
        **columns: Any,
    ) -> None:
        """A teacher's change of state, made only if the post is still in an allowed state:
        the deliveries in the given states move, and the post sums them up."""
        moving, to, said = deliveries
        with transaction(self.conn):
            state = self._shown(post_id)
            if state in allowed:
                marks = ",".join("?" * len(moving))
                self.conn.execute(
                    f"UPDATE outbox_delivery SET state = ?, reason = ?, "
                    f"sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
                    f"WHERE post_id = ? AND state IN ({marks})",
                    (to, said, to, iso(self._clock()), post_id, *moving),
                )
                states = [
                    r["state"]
                    for r in self.conn.execute(
                        "SELECT state FROM outbox_delivery WHERE post_id = ?", (post_id,)
                    )
                ]
                values = {"state": summed_up(states) if states else fallback, **columns}
                assignments = ", ".join(f"{name} = ?" for name in values)
                self.conn.execute(
                    f"UPDATE outbox_post SET {assignments} WHERE id = ?",
                    (*values.values(), post_id),
                )
                audit.record(self.conn, event, post=post_id)
        if state not in allowed:
            raise TripdeskError(f"Post {post_id} is {state}; {refusal}.")

    def _waiting(self, post_id: int) -> bool:
        """Queued, not held, and waiting out a backoff."""
        row = self.conn.execute(
            "SELECT state, next_attempt_at, hold_until FROM outbox_post WHERE id = ?", (post_id,)
        ).fetchone()
        now = self._clock()
        return bool(
            row
            and shown_state(row["state"], row["hold_until"], now) == "queued"
            and row["next_attempt_at"]
            and datetime.fromisoformat(row["next_attempt_at"]) > now
        )

    def _shown(self, post_id: int) -> str:
        row = self.conn.execute(
            "SELECT state, hold_until FROM outbox_post WHERE id = ?", (post_id,)
        ).fetchone()
        if row is None:
            raise TripdeskError(f"There is no post {post_id} in the outbox.")
        return shown_state(row["state"], row["hold_until"], self._clock())
