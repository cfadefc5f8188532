"""One round of sending (`send_due`): what it did, in a summary, and what it learnt on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SendSummary:
    """What one `send_due` did; `message` explains why it stopped early, if it did."""

    sent: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    uncertain: tuple[int, ...] = ()
    blocked: tuple[int, ...] = ()
    waiting: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    offline: bool = False
    paused: bool = False
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": list(self.sent),
            "failed": list(self.failed),
            "uncertain": list(self.uncertain),
            "blocked": list(self.blocked),
            "waiting": list(self.waiting),
            "removed": list(self.removed),
            "offline": self.offline,
            "paused": self.paused,
            "message": self.message,
        }


@dataclass
class Round:
    """One `send_due`: what happened to each post, and which networks are out for the round."""

    by_bucket: dict[str, list[int]] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)
    unavailable: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)
    offline: bool = False
    message: str | None = None

    def add(self, bucket: str, post_id: int) -> None:
        self.by_bucket.setdefault(bucket, []).append(post_id)

    def summary(self, paused: bool) -> SendSummary:
        def get(bucket: str) -> tuple[int, ...]:
            return tuple(self.by_bucket.get(bucket, ()))

        return SendSummary(
            sent=get("sent"),
            failed=get("failed"),
            uncertain=get("uncertain"),
            blocked=get("blocked"),
            waiting=get("waiting"),
            removed=get("removed"),
            offline=self.offline,
            paused=paused,
            message=self.message,
        )


class Stop(Exception):
    """Ends this `send_due` early: the reason applies to every post, not just this one."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
