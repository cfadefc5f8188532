"""The sending state machine: each due post, each of its networks, at most once.

A post is claimed (`queued → sending`), the guard runs again (stage `checking`: the register
may have changed), then each delivery passes `uploading` (photos; this can never create a post)
and `publishing` (the one request that can), each stage committed before it starts. If
tripdesk dies mid-send, `recover` looks at the stage: before `publishing` the delivery simply
goes back to the queue; at `publishing` nobody knows whether the network created the post, so it
becomes `uncertain` and waits for the teacher. What each failure leads to is in `outcomes`.
Only one process sends at a time (`SendLock`), which is what makes that recovery safe.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from tripdesk import audit
from tripdesk.config import NETWORK_NAMES, Config
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.guard.handles import text_for
from tripdesk.publish import costs
from tripdesk.publish.backends import Outgoing, Published, new_key
from tripdesk.publish.backoff import Backoff
from tripdesk.publish.lock import SendLock
from tripdesk.publish.networks import Networks
from tripdesk.publish.outcomes import (
    INTERRUPTED_BEFORE,
    INTERRUPTED_UNKNOWN,
    Outcome,
    outcome_of,
)
from tripdesk.publish.photos import Photos
from tripdesk.publish.posts import iso, summed_up
from tripdesk.publish.removals import Remover
from tripdesk.publish.rounds import Round, SendSummary, Stop
from tripdesk.publish.switches import Switches
from tripdesk.store import transaction
from tripdesk.verdict import Verdict

Review = Callable[[Draft, sqlite3.Connection, Config], Verdict]
Consent = Callable[[sqlite3.Connection, Sequence[str], date], dict[str, dict[str, Any]]]
Clock = Callable[[], datetime]
NO_CONNECTION = "No connection; the outbox will try again when it is back."
_BUCKETS = {"sent": "sent", "failed": "failed", "uncertain": "uncertain", "blocked": "blocked"}


class Sender:
    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        networks: Networks,
        photos: Photos,
        switches: Switches,
        *,
        review: Review | None,
        consent: Consent | None,
        clock: Clock,
        backoff: Backoff,
        remover: Remover,
    ) -> None:
        self.conn = conn
        self.config = config
        self.networks = networks
        self.photos = photos
        self.switches = switches
        self._review = review
        self._consent = consent
        self._clock = clock
        self.backoff = backoff
        self.remover = remover

    def send_due(self) -> SendSummary:
        """Remove what a takedown asks for, then send every post that is due, one at a time."""
        if self._review is None:
            raise TripdeskError(
                "This outbox was opened without the guard, so it cannot send; send from the app "
                "or with `tripdesk outbox send`."
            )
        with SendLock(self.config.home / "outbox.lock") as locked:
            if not locked:
                return SendSummary(message="Another tripdesk is sending right now.")
            self.recover()
            self.networks.fresh()
            now = Round()
            for post_id in self.remover.run(
                lambda network: self.ready(network, now), self.networks.backend
            ):
                now.add("removed", post_id)
            while True:
                if self.switches.paused:
                    now.message = self.switches.pause_reason
                    break
                post_id = self._next_due(now.skipped)
                if post_id is None:
                    break
                try:
                    bucket = self._send_post(post_id, now)
                except Stop as stop:
                    now.add("waiting", post_id)
                    now.message = stop.message
                    break
                if bucket is None:
                    now.skipped.add(post_id)
                else:
                    now.add(bucket, post_id)
            return now.summary(self.switches.paused)

    def recover(self) -> list[int]:
        """Settle posts left `sending` by a process that died; call only with the send lock."""
        posts = self.conn.execute("SELECT id, stage FROM outbox_post WHERE state = 'sending'")
        ids = []
        for post in posts.fetchall():
            ids.append(post["id"])
            left = self.conn.execute(
                "SELECT network, stage FROM outbox_delivery "
                "WHERE post_id = ? AND state = 'sending'",
                (post["id"],),
            ).fetchall()
            for delivery in left:
                self._finish(post["id"], delivery["network"], _interrupted(delivery["stage"]))
            lost = _interrupted(post["stage"])
            with transaction(self.conn):
                self._close_attempts(post["id"], lost.reason)
            self._settle(post["id"], fallback=lost)
        return ids

    def _next_due(self, skipped: set[int]) -> int | None:
        rows = self.conn.execute(
            "SELECT id FROM outbox_post WHERE state = 'queued' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
            "AND (hold_until IS NULL OR hold_until <= ?) ORDER BY id",
            (iso(self._clock()), iso(self._clock())),
        )
        return next((row["id"] for row in rows if row["id"] not in skipped), None)

    def ready(self, network: str, now: Round) -> bool:
        """Whether `network` can be tried this round: not held, credentials set, reachable."""
        if network in now.unavailable:
            return False
        held = self.switches.hold(network, self._clock())
        if held:
            now.message = held[1]
            return False
        try:
            backend = self.networks.backend(network)
            if network not in now.checked and not backend.reachable():
                now.offline = True
                now.message = NO_CONNECTION
                now.unavailable.add(network)
                return False
        except TripdeskError as error:
            now.message = error.message
            now.unavailable.add(network)
            return False
        now.checked.add(network)
        return True

    def _send_post(self, post_id: int, now: Round) -> str | None:
        """Take one post through checking, then each network it still waits for."""
        existing = self.conn.execute(
            "SELECT network, state FROM outbox_delivery WHERE post_id = ? ORDER BY rowid",
            (post_id,),
        ).fetchall()
        networks = [r["network"] for r in existing] or list(self.networks.chosen())
        pending = [r["network"] for r in existing if r["state"] == "queued"] or (
            [] if existing else networks
        )
        row = self.conn.execute("SELECT * FROM outbox_post WHERE id = ?", (post_id,)).fetchone()
        draft = Draft.from_dict(json.loads(row["draft"]), source=f"outbox post {post_id}")
        ready = [n for n in pending if self.ready(n, now) and self._affordable(n, draft, now)]
        if not ready or not self._claim(post_id, networks, ready, new=not existing):
            return None
        row = self.conn.execute("SELECT * FROM outbox_post WHERE id = ?", (post_id,)).fetchone()
        try:
            held_back = self._unapproved(row, draft) or self._check_again(
                post_id, draft, json.loads(row["verdict"])
            )
            refused = Outcome("blocked", "blocked", reason=held_back) if held_back else None
        except Exception as error:  # the guard could not run: nothing has gone out
            refused = outcome_of(error, publishing=False)
        if refused:
            for network in ready:
                self._finish(post_id, network, refused)
            return self._settle(post_id)
        later: datetime | None = None
        for network in ready:
            if network in now.unavailable:
                self._finish(post_id, network, Outcome("queued", "skipped"))
                continue
            outcome, published = self._deliver(post_id, network, draft, row["reply_settings"])
            if outcome.then == "backoff":
                later = later or self._clock() + self.backoff.delay(int(row["attempts"]))
                outcome = _tried_again_at(outcome, later)
            elif outcome.until is not None:
                later = max(later, outcome.until) if later else outcome.until
            price = costs.cost(network, draft, self.networks.settings().publish.prices)
            self._finish(post_id, network, outcome, published, price if published else None)
            self._after(network, outcome, now)
            if outcome.then in ("pause", "stop"):
                self._settle(post_id, next_attempt_at=later)
                raise Stop(outcome.reason or "Paused.")
        return self._settle(post_id, next_attempt_at=later)

    def _affordable(self, network: str, draft: Draft, now: Round) -> bool:
        """False, with the sentence, when this post would take the trip past its budget."""
        publish = self.networks.settings().publish
        reason = costs.over_budget(self.conn, network, draft, publish.budget, publish.prices)
        if reason:
            now.message = reason
        return reason is None

    def _claim(self, post_id: int, networks: list[str], ready: list[str], *, new: bool) -> bool:
        with transaction(self.conn):
            claimed = self.conn.execute(
                "UPDATE outbox_post SET state = 'sending', stage = 'checking', backend = ?, "
                "attempts = attempts + 1 WHERE id = ? AND state = 'queued'",
                (",".join(networks), post_id),
            ).rowcount
            if not claimed:
                return False
            if new:
                self.conn.executemany(
                    "INSERT INTO outbox_delivery (post_id, network, key, state) "
                    "VALUES (?, ?, ?, 'queued')",
                    [(post_id, network, new_key(network)) for network in networks],
                )
            self.conn.executemany(
                "INSERT INTO outbox_attempt (post_id, backend, started_at) VALUES (?, ?, ?)",
                [(post_id, network, iso(self._clock())) for network in ready],
            )
        return True

    def _deliver(
        self, post_id: int, network: str, draft: Draft, reply_settings: str
    ) -> tuple[Outcome, Published | None]:
        """Upload, then publish, to one network; what happened, as the outcome table says."""
        backend = self.networks.backend(network)
        self._stage(post_id, network, "uploading")
        try:
            photos = self.photos.upload(post_id, network, backend)
        except Exception as error:  # nothing can have been created yet
            return outcome_of(error, publishing=False), None
        if self.switches.paused:
            return Outcome(
                "queued", "held_by_pause", "stop", None, self.switches.pause_reason
            ), None
        key = self.conn.execute(
            "SELECT key FROM outbox_delivery WHERE post_id = ? AND network = ?",
            (post_id, network),
        ).fetchone()["key"]
        partners = self.config.guard.partners
        rehearsed = self.config.publish.dry_run_networks if network == "dry-run" else ()
        versions = tuple((n, text_for(draft.text, n, partners)) for n in rehearsed)
        outgoing = Outgoing(
            outbox_id=post_id,
            text=versions[0][1] if versions else text_for(draft.text, network, partners),
            versions=versions,
            photos=photos,
            poll=draft.poll,
            reply_settings=reply_settings,
            key=key,
        )
        self._stage(post_id, network, "publishing")
        try:
            published = backend.publish(outgoing)
        except Exception as error:  # the request may have gone out: never send it blindly again
            return outcome_of(error, publishing=True), None
        return Outcome("sent", "sent"), published

    def _after(self, network: str, outcome: Outcome, now: Round) -> None:
        """What an outcome means for the rest of the round."""
        if outcome.then == "hold" and outcome.until is not None:
            with transaction(self.conn):
                self.switches.set_hold(network, outcome.until, outcome.reason or "")
            now.message = outcome.reason
        elif outcome.then == "pause":
            with transaction(self.conn):
                self.switches.set_paused(True, outcome.reason)
                audit.record(self.conn, "publish.paused", network=network)
        elif outcome.then == "offline":
            now.offline = True
            now.unavailable.add(network)
            now.message = outcome.reason

    def _unapproved(self, row: sqlite3.Row, draft: Draft) -> str | None:
        """A post that needs a second member of staff never goes without one, however queued."""
        if row["approved_by"] is None and self.config.approval.needed(draft.shows_children):
            return (
                "This post needs a second member of staff's approval, which it does not have; "
                "cancel it and queue it again with their approval."
            )
        return None

    def _check_again(self, post_id: int, draft: Draft, queued_with: dict[str, Any]) -> str | None:
        """Run the guard again and note each tagged pupil's consent; a reason to hold back."""
        if self._review is None:  # send_due refuses to start without it
            raise TripdeskError("The guard is not there to check this post again.")
        verdict = self._review(draft, self.conn, self.config)
        pupils = sorted({p for photo in draft.photos for p in photo.pupils})
        consent = {}
        if self._consent is not None and pupils:
            consent = self._consent(self.conn, pupils, self._clock().date())
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_post SET checked = ?, consent_at_send = ? WHERE id = ?",
                (
                    json.dumps(verdict.to_dict(), ensure_ascii=False),
                    json.dumps(consent, ensure_ascii=False),
                    post_id,
                ),
            )
            audit.record(self.conn, "publish.checked_again", post=post_id, verdict=verdict.verdict)
        if verdict.verdict == "blocked":
            return f"The guard blocks this now: {verdict.blocking[0].message}"
        confirmed = {
            (f["rule"], f["message"])
            for f in queued_with.get("findings", [])
            if f.get("severity") == "confirm"
        }
        new = [f for f in verdict.to_confirm if (f.rule, f.message) not in confirmed]
        if new:
            return f"Something new needs confirming before this goes out: {new[0].message}"
        return None

    def _stage(self, post_id: int, network: str, stage: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_delivery SET state = 'sending', stage = ? "
                "WHERE post_id = ? AND network = ?",
                (stage, post_id, network),
            )
            self.conn.execute("UPDATE outbox_post SET stage = ? WHERE id = ?", (stage, post_id))

    def _finish(
        self,
        post_id: int,
        network: str,
        outcome: Outcome,
        published: Published | None = None,
        price: float | None = None,
    ) -> None:
        """Leave `sending` on one network: its new state and the attempt's outcome, at once."""
        sent = outcome.state == "sent"
        stamp = iso(self._clock())
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE outbox_delivery SET state = ?, stage = NULL, reason = ?, "
                "remote_id = COALESCE(?, remote_id), url = COALESCE(?, url), "
                "sent_at = COALESCE(?, sent_at), cost = COALESCE(?, cost) "
                "WHERE post_id = ? AND network = ?",
                (
                    outcome.state,
                    outcome.reason,
                    published.remote_id if published else None,
                    published.url if published else None,
                    stamp if sent else None,
                    price,
                    post_id,
                    network,
                ),
            )
            self.conn.execute(
                "UPDATE outbox_attempt SET finished_at = ?, outcome = ?, status = ?, error = ? "
                "WHERE id = (SELECT MAX(id) FROM outbox_attempt WHERE post_id = ? AND backend = ?)"
                " AND finished_at IS NULL",
                (stamp, outcome.name, outcome.status, outcome.reason, post_id, network),
            )
            audit.record(
                self.conn,
                f"publish.{outcome.name}",
                post=post_id,
                network=network,
                state=outcome.state,
                status=outcome.status,
                remote_id=published.remote_id if published else None,
            )

    def _close_attempts(self, post_id: int, reason: str | None) -> None:
        self.conn.execute(
            "UPDATE outbox_attempt SET finished_at = ?, outcome = 'interrupted', error = ? "
            "WHERE post_id = ? AND finished_at IS NULL",
            (iso(self._clock()), reason, post_id),
        )

    def _settle(
        self,
        post_id: int,
        *,
        next_attempt_at: datetime | None = None,
        fallback: Outcome | None = None,
    ) -> str:
        """The post's own state from its deliveries'; which part of the summary it belongs in."""
        with transaction(self.conn):
            rows = self.conn.execute(
                "SELECT * FROM outbox_delivery WHERE post_id = ? ORDER BY rowid", (post_id,)
            ).fetchall()
            if rows:
                state = summed_up([r["state"] for r in rows])
                reason = _reasons(rows)
            else:
                state = fallback.state if fallback else "queued"
                reason = fallback.reason if fallback else None
            first = next((r for r in rows if r["state"] == "sent"), None)
            self.conn.execute(
                "UPDATE outbox_post SET state = ?, stage = NULL, reason = ?, next_attempt_at = ?, "
                "remote_id = ?, url = ?, sent_at = ? WHERE id = ?",
                (
                    state,
                    reason,
                    iso(next_attempt_at) if state == "queued" else None,
                    first["remote_id"] if first else None,
                    first["url"] if first else None,
                    max(r["sent_at"] for r in rows if r["state"] == "sent") if first else None,
                    post_id,
                ),
            )
        return _BUCKETS.get(state, "waiting")


def _reasons(rows: Sequence[sqlite3.Row]) -> str | None:
    """Why the post is not (all) sent: one network's reason as it is, several each named."""
    if len(rows) == 1:
        return rows[0]["reason"]
    said = [(r["network"], r["reason"]) for r in rows if r["reason"]]
    return " ".join(f"{NETWORK_NAMES.get(n, n)}: {reason}" for n, reason in said) or None


def _interrupted(stage: str | None) -> Outcome:
    if stage == "publishing":
        return Outcome("uncertain", "interrupted", reason=INTERRUPTED_UNKNOWN)
    return Outcome("queued", "interrupted", reason=INTERRUPTED_BEFORE)


def _tried_again_at(outcome: Outcome, later: datetime) -> Outcome:
    said = (outcome.reason or "").strip()
    said = said if said.endswith((".", "!", "?")) else f"{said}."
    return Outcome(
        outcome.state,
        outcome.name,
        outcome.then,
        outcome.status,
        f"{said} It will be tried again at {later.astimezone():%H:%M}.",
    )
