"""The durable outbox: every post is stored before any network call and goes out exactly once.

`Outbox` is the one door the rest of tripdesk uses. Behind it each job has its own class: the
teacher's moves (`moves`), the sending state machine (`sending`, with one table from failure
to outcome in `outcomes`), takedowns (`removals`), the backoff, the send lock, the photos and
the row mapping (`posts`).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.publish import costs
from tripdesk.publish.backends import Backend
from tripdesk.publish.backoff import Backoff
from tripdesk.publish.moves import Moves
from tripdesk.publish.networks import Networks
from tripdesk.publish.outcomes import CHECK_ACCOUNT, INTERRUPTED_UNKNOWN
from tripdesk.publish.photos import Photos, Prepare
from tripdesk.publish.posts import STATES, Attempt, Delivery, OutboxPost, PostRows, PostState
from tripdesk.publish.removals import Remover
from tripdesk.publish.rounds import SendSummary
from tripdesk.publish.sending import Consent, Review, Sender
from tripdesk.publish.switches import Switches
from tripdesk.verdict import Verdict

__all__ = [
    "CHECK_ACCOUNT",
    "INTERRUPTED_UNKNOWN",
    "STATES",
    "Attempt",
    "Delivery",
    "Outbox",
    "OutboxPost",
    "PostState",
    "SendSummary",
]
Clock = Callable[[], datetime]


class Outbox:
    """The outbox on one database connection (one per thread)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        backend: Backend | Sequence[Backend] | None = None,
        *,
        review: Review | None = None,
        prepare: Prepare | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        passphrase: Callable[[], str] | None = None,
        consent: Consent | None = None,
    ) -> None:
        """`review` (the guard, run again at send time) and `consent` (each tagged pupil's
        consent, noted at send time) come from the hallway; without `review` the outbox keeps
        and changes posts but cannot send them."""
        self.conn = conn
        self.config = config
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rows = PostRows(conn)
        self._switches = Switches(conn)
        backoff = Backoff(rng)
        photos = Photos(conn, config.cache("prepared"), prepare, self._clock)
        self.cache_dir = photos.cache_dir
        self._networks = Networks(conn, config, backend, passphrase)
        self._moves = Moves(conn, config, photos, self._switches, self._clock)
        self._sender = Sender(
            conn,
            config,
            self._networks,
            photos,
            self._switches,
            review=review,
            consent=consent,
            clock=self._clock,
            backoff=backoff,
            remover=Remover(conn, self._switches, self._clock, backoff),
        )

    # What is in it ----------------------------------------------------------------------

    def posts(self, *, states: Collection[PostState] | None = None) -> list[OutboxPost]:
        """Posts, newest first, optionally only those in `states`."""
        return self._rows.posts(self._clock(), states)

    def get(self, post_id: int) -> OutboxPost:
        return self._rows.get(post_id, self._clock())

    def counts(self) -> dict[PostState, int]:
        return self._rows.counts(self._clock())

    def attempts(self, post_id: int) -> list[Attempt]:
        """Every attempt to send the post, oldest first: when, the outcome, the status, why."""
        return self._rows.attempts(post_id)

    # The teacher's moves ----------------------------------------------------------------

    def queue(
        self,
        draft: Draft,
        verdict: Verdict,
        *,
        approved_by: str | None = None,
        hold_until: datetime | None = None,
    ) -> OutboxPost:
        """Store a checked draft with its photos prepared; a blocked verdict is refused.

        A post with `hold_until` in the future is `held` and goes out by itself when the time
        passes (the guard runs again then, as for every post).
        """
        post_id = self._moves.queue(draft, verdict, approved_by=approved_by, hold_until=hold_until)
        return self.get(post_id)

    def retry(self, post_id: int) -> OutboxPost:
        """Send a failed, blocked or uncertain post again, or one waiting out a backoff now."""
        self._moves.retry(post_id)
        return self.get(post_id)

    def send_now(self, post_id: int) -> OutboxPost:
        """A post waiting out a backoff is due at once (the next `send_due` sends it)."""
        self._moves.send_now(post_id)
        return self.get(post_id)

    def release(self, post_id: int) -> OutboxPost:
        """A held post is due at once."""
        self._moves.release(post_id)
        return self.get(post_id)

    def cancel(self, post_id: int) -> OutboxPost:
        self._moves.cancel(post_id)
        return self.get(post_id)

    def mark_sent(self, post_id: int) -> OutboxPost:
        """The teacher found an uncertain post on the account: it went out, do not send again."""
        self._moves.mark_sent(post_id)
        return self.get(post_id)

    def take_down(self, post_id: int, reason: str) -> OutboxPost:
        """Queue the removal of a sent post from every network it went to (`send_due` does it);
        each delivery ends with a receipt. What has not gone out is cancelled instead."""
        self._moves.take_down(post_id, reason)
        return self.get(post_id)

    @property
    def paused(self) -> bool:
        return self._switches.paused

    @property
    def pause_reason(self) -> str | None:
        return self._switches.pause_reason

    def set_paused(self, paused: bool, reason: str | None = None) -> None:
        """Stop (or restart) all sending; remembered across restarts."""
        self._moves.set_paused(paused, reason)

    def hold(self) -> tuple[datetime, str] | None:
        """A rate limit that holds posts back: until when, and why (the latest of any network)."""
        holds = [
            held
            for network in self._networks.chosen()
            if (held := self._switches.hold(network, self._clock()))
        ]
        return max(holds) if holds else None

    def spent(self) -> float:
        """The trip's total so far, in dollars: what every sent delivery cost."""
        return costs.spent(self.conn)

    # Sending ----------------------------------------------------------------------------

    def send_due(self) -> SendSummary:
        """Take down what is asked for, then send every post that is due, each at most once."""
        return self._sender.send_due()

    def recover(self) -> list[int]:
        """Settle posts left `sending` by a process that died; call only with the send lock."""
        return self._sender.recover()
