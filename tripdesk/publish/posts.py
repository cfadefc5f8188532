"""What the outbox stores, as the rest of tripdesk sees it: posts, their deliveries, attempts.

Rows become frozen dataclasses here and nowhere else. A post goes to one or more networks, one
`Delivery` each; the post's own state sums its deliveries up. A post waiting for its
`hold_until` is shown as `held` although it is stored as queued, so it goes out by itself the
moment the time passes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from tripdesk.config import NETWORK_NAMES
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.verdict import Finding, Where

PostState = Literal[
    "queued", "held", "sending", "sent", "failed", "uncertain", "cancelled", "blocked"
]
STATES: tuple[PostState, ...] = (
    "queued",
    "held",
    "sending",
    "sent",
    "failed",
    "uncertain",
    "cancelled",
    "blocked",
)
DeliveryState = Literal["queued", "sending", "sent", "failed", "uncertain", "cancelled", "blocked"]
RemovalState = Literal["queued", "removing", "removed", "refused"]


@dataclass(frozen=True)
class Delivery:
    """The post on one network: its own state, and its removal once a takedown is asked for."""

    network: str
    state: DeliveryState
    remote_id: str | None = None
    url: str | None = None
    reason: str | None = None
    sent_at: datetime | None = None
    cost: float | None = None
    removal: RemovalState | None = None
    removal_reason: str | None = None
    removed_at: datetime | None = None

    @property
    def receipt(self) -> str | None:
        """One sentence on the removal from this network, once it is settled."""
        name = NETWORK_NAMES.get(self.network, self.network)
        if self.removal == "removed" and self.removed_at is not None:
            said = f" ({self.removal_reason})" if self.removal_reason else ""
            return f"Removed from {name} at {self.removed_at.astimezone():%H:%M on %d %b}{said}."
        if self.removal == "refused":
            return f"{name} did not remove it: {self.removal_reason}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "state": self.state,
            "remote_id": self.remote_id,
            "url": self.url,
            "reason": self.reason,
            "sent_at": _iso(self.sent_at),
            "cost": self.cost,
            "removal": self.removal,
            "removal_reason": self.removal_reason,
            "removed_at": _iso(self.removed_at),
        }


@dataclass(frozen=True)
class OutboxPost:
    id: int
    state: PostState
    draft: Draft
    verdict: str
    created_at: datetime
    sent_at: datetime | None
    remote_id: str | None
    url: str | None
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    findings: tuple[Finding, ...] = ()
    backend: str | None = None
    approved_by: str | None = None
    hold_until: datetime | None = None
    consent_at_send: dict[str, dict[str, Any]] | None = None
    deliveries: tuple[Delivery, ...] = ()
    takedown_reason: str | None = None

    @property
    def takedown(self) -> RemovalState | None:
        """Where the post's removal stands: None (not asked), queued, removed or refused."""
        asked = [d.removal for d in self.deliveries if d.removal is not None]
        if not asked:
            return None
        if any(state in ("queued", "removing") for state in asked):
            return "queued"
        return "refused" if "refused" in asked else "removed"

    @property
    def cost(self) -> float:
        """What the post cost, in dollars, on the networks it went to."""
        return sum(d.cost or 0.0 for d in self.deliveries if d.state == "sent")

    @property
    def removals(self) -> tuple[str, ...]:
        """A receipt for each network the post has been removed from (or that refused)."""
        return tuple(d.receipt for d in self.deliveries if d.receipt)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "text": self.draft.text,
            "photos": len(self.draft.photos),
            "verdict": self.verdict,
            "created_at": self.created_at.isoformat(),
            "sent_at": _iso(self.sent_at),
            "remote_id": self.remote_id,
            "url": self.url,
            "reason": self.reason,
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at),
            "findings": [f.to_dict() for f in self.findings],
            "backend": self.backend,
            "approved_by": self.approved_by,
            "hold_until": _iso(self.hold_until),
            "consent_at_send": self.consent_at_send,
            "deliveries": [d.to_dict() for d in self.deliveries],
            "takedown": self.takedown,
            "takedown_reason": self.takedown_reason,
            "removals": list(self.removals),
            "cost": round(self.cost, 4),
        }


@dataclass(frozen=True)
class Attempt:
    post_id: int
    backend: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    status: int | None
    error: str | None


class PostRows:
    """Reads posts on one connection; `now` decides which queued posts are still held."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, post_id: int, now: datetime) -> OutboxPost:
        row = self.conn.execute("SELECT * FROM outbox_post WHERE id = ?", (post_id,)).fetchone()
        if row is None:
            raise TripdeskError(f"There is no post {post_id} in the outbox.")
        return _post(row, self.deliveries(post_id), now)

    def posts(self, now: datetime, states: Collection[str] | None = None) -> list[OutboxPost]:
        """Posts, newest first, optionally only those in `states` (as shown, so with `held`)."""
        deliveries: dict[int, list[Delivery]] = {}
        for row in self.conn.execute("SELECT * FROM outbox_delivery ORDER BY rowid"):
            deliveries.setdefault(row["post_id"], []).append(_delivery(row))
        rows = self.conn.execute("SELECT * FROM outbox_post ORDER BY id DESC").fetchall()
        posts = [_post(row, tuple(deliveries.get(row["id"], ())), now) for row in rows]
        return posts if states is None else [p for p in posts if p.state in states]

    def deliveries(self, post_id: int) -> tuple[Delivery, ...]:
        rows = self.conn.execute(
            "SELECT * FROM outbox_delivery WHERE post_id = ? ORDER BY rowid", (post_id,)
        )
        return tuple(_delivery(row) for row in rows)

    def counts(self, now: datetime) -> dict[PostState, int]:
        counts: dict[PostState, int] = dict.fromkeys(STATES, 0)
        for row in self.conn.execute("SELECT state, hold_until FROM outbox_post"):
            counts[shown_state(row["state"], row["hold_until"], now)] += 1
        return counts

    def attempts(self, post_id: int) -> list[Attempt]:
        rows = self.conn.execute(
            "SELECT * FROM outbox_attempt WHERE post_id = ? ORDER BY id", (post_id,)
        )
        return [
            Attempt(
                post_id=row["post_id"],
                backend=row["backend"],
                started_at=datetime.fromisoformat(row["started_at"]),
                finished_at=when(row["finished_at"]),
                outcome=row["outcome"],
                status=row["status"],
                error=row["error"],
            )
            for row in rows
        ]


def shown_state(stored: str, hold_until: str | None, now: datetime) -> PostState:
    held = (
        stored == "queued" and hold_until is not None and datetime.fromisoformat(hold_until) > now
    )
    return "held" if held else stored  # type: ignore[return-value]


def summed_up(states: Collection[str]) -> DeliveryState:
    """A post's state from its deliveries': work still to do first, then what needs the teacher."""
    for state in ("sending", "queued", "uncertain", "failed", "blocked", "sent"):
        if state in states:
            return state  # type: ignore[return-value]
    return "cancelled"


def _post(row: sqlite3.Row, deliveries: tuple[Delivery, ...], now: datetime) -> OutboxPost:
    verdict = json.loads(row["verdict"])
    latest = json.loads(row["checked"]) if row["checked"] else verdict
    return OutboxPost(
        id=row["id"],
        state=shown_state(row["state"], row["hold_until"], now),
        draft=Draft.from_dict(json.loads(row["draft"]), source=f"outbox post {row['id']}"),
        verdict=verdict["verdict"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=when(row["sent_at"]),
        remote_id=row["remote_id"],
        url=row["url"],
        reason=row["reason"],
        attempts=row["attempts"],
        next_attempt_at=when(row["next_attempt_at"]),
        findings=tuple(_finding(f) for f in latest.get("findings", [])),
        backend=row["backend"],
        approved_by=row["approved_by"],
        hold_until=when(row["hold_until"]),
        consent_at_send=json.loads(row["consent_at_send"]) if row["consent_at_send"] else None,
        deliveries=deliveries,
        takedown_reason=row["takedown_reason"],
    )


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        network=row["network"],
        state=row["state"],
        remote_id=row["remote_id"],
        url=row["url"],
        reason=row["reason"],
        sent_at=when(row["sent_at"]),
        cost=row["cost"],
        removal=row["removal"],
        removal_reason=row["removal_reason"],
        removed_at=when(row["removed_at"]),
    )


def _finding(data: dict[str, Any]) -> Finding:
    where = data.get("where") or {}
    return Finding(
        rule=data["rule"],
        severity=data["severity"],
        message=data["message"],
        section=data.get("section", ""),
        where=Where(**where),
    )


def iso(moment: datetime | None) -> str | None:
    """How the outbox stores a moment: UTC, to the microsecond, so text order is time order."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
