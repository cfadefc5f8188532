"""The durable outbox: every post is stored before any network call and goes out exactly once.

A post moves `queued → sending → sent | failed | uncertain | blocked`, or is `cancelled`.
While `sending` it passes three stages, each committed before it starts: `checking` (the guard
runs again, since the register may have changed), `uploading` (photos; this can never create
a post) and `publishing` (the one request that can). If tripdesk dies mid-send, the next sender
looks at the stage: before `publishing` the post simply goes back to the queue; at
`publishing` nobody knows whether X created it, so it becomes `uncertain` and waits for the
teacher to check the account. Only one process sends at a time (a lock file the OS releases
even when the process is killed), which is what makes that recovery safe.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NoReturn

from tripdesk import audit
from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.publish import schema
from tripdesk.publish.backends import (
    AlreadyPosted,
    Backend,
    CredentialsRefused,
    NotCreated,
    Outgoing,
    OutgoingPhoto,
    RateLimited,
    Rejected,
    SendFailure,
    make_backend,
)
from tripdesk.verdict import Finding, Verdict, Where

PostState = Literal["queued", "sending", "sent", "failed", "uncertain", "cancelled", "blocked"]
STATES: tuple[PostState, ...] = (
    "queued",
    "sending",
    "sent",
    "failed",
    "uncertain",
    "cancelled",
    "blocked",
)
Review = Callable[[Draft, sqlite3.Connection, Config], Verdict]
Prepare = Callable[..., Any]
Clock = Callable[[], datetime]

CHECK_ACCOUNT = "check the account, then mark it as sent or send it again"
INTERRUPTED_UNKNOWN = (
    f"tripdesk stopped while this was being published, so it may have gone out; {CHECK_ACCOUNT}."
)
BACKOFF_FIRST = 30.0
BACKOFF_LONGEST = 30 * 60.0
MEDIA_MARGIN = timedelta(minutes=5)
_BUCKETS = {"sent": "sent", "failed": "failed", "uncertain": "uncertain", "blocked": "blocked"}


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "text": self.draft.text,
            "photos": len(self.draft.photos),
            "verdict": self.verdict,
            "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "remote_id": self.remote_id,
            "url": self.url,
            "reason": self.reason,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "findings": [f.to_dict() for f in self.findings],
            "backend": self.backend,
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


@dataclass(frozen=True)
class SendSummary:
    """What one `send_due` did; `message` explains why it stopped early, if it did."""

    sent: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    uncertain: tuple[int, ...] = ()
    blocked: tuple[int, ...] = ()
    waiting: tuple[int, ...] = ()
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
            "offline": self.offline,
            "paused": self.paused,
            "message": self.message,
        }


@dataclass
class _Results:
    by_outcome: dict[str, list[int]] = field(default_factory=dict)

    def add(self, outcome: str, post_id: int) -> None:
        self.by_outcome.setdefault(outcome, []).append(post_id)

    def get(self, outcome: str) -> tuple[int, ...]:
        return tuple(self.by_outcome.get(outcome, ()))


class _Stop(Exception):
    """Ends this `send_due` early: the reason applies to every post, not just this one."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


class Outbox:
    """The outbox on one database connection (one per thread)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Config,
        backend: Backend | None = None,
        *,
        review: Review | None = None,
        prepare: Prepare | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        passphrase: Callable[[], str] | None = None,
    ) -> None:
        schema.ensure(conn)
        self.conn = conn
        self.config = config
        self._given_backend = backend
        self._backend = backend
        self._review = review or _real_review
        self._prepare = prepare or _real_prepare
        self._clock = clock or (lambda: datetime.now(UTC))
        self._random = rng or random.Random()
        self.cache_dir = config.home / "cache" / "prepared"
        self._passphrase = passphrase

    @property
    def backend(self) -> Backend:
        """The given backend, else the one the settings and credentials choose right now.

        Chosen afresh for each `send_due`, so `account set` or `account forget` in another
        process takes effect in a running app without a restart. `passphrase` (given to the
        constructor) unlocks credentials kept in an encrypted file.
        """
        if self._backend is None:
            self._backend = make_backend(
                settings.load(self.config.home), conn=self.conn, passphrase=self._passphrase
            )
        return self._backend

    # The teacher's side -----------------------------------------------------------------

    def queue(self, draft: Draft, verdict: Verdict) -> OutboxPost:
        """Store a checked draft with its photos prepared; a blocked verdict is refused."""
        if verdict.verdict == "blocked":
            first = verdict.blocking[0].message if verdict.blocking else "the guard blocked it"
            raise TripdeskError(f"This draft cannot go out: {first}", exit_code=1)
        photos = []
        for number, photo in enumerate(draft.photos, start=1):
            source = self._source(photo.path)
            prepared = self._prepare_photo(source, number)
            if photo.sha256 and photo.sha256 != prepared.source_sha256:
                raise TripdeskError(
                    f"Photo {number} ({source.name}) has changed since the draft was checked; "
                    "check the draft again.",
                    exit_code=1,
                )
            photos.append((number, str(source), prepared, photo.alt))
        now = self._clock()
        with _transaction(self.conn):
            cursor = self.conn.execute(
                "INSERT INTO outbox_post (state, draft, verdict, reply_settings, created_at) "
                "VALUES ('queued', ?, ?, ?, ?)",
                (
                    json.dumps(draft.to_dict(), ensure_ascii=False),
                    json.dumps(verdict.to_dict(), ensure_ascii=False),
                    self.config.publish.reply_settings,
                    _iso(now),
                ),
            )
            post_id = int(cursor.lastrowid or 0)
            for number, source, prepared, alt in photos:
                self.conn.execute(
                    "INSERT INTO outbox_photo (post_id, position, source_path, source_sha256, "
                    "prepared_path, mime, alt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        post_id,
                        number,
                        source,
                        prepared.source_sha256,
                        str(prepared.path),
                        prepared.mime,
                        alt,
                    ),
                )
            audit.record(
                self.conn,
                "publish.queued",
                post=post_id,
                verdict=verdict.verdict,
                photos=[p[2].source_sha256 for p in photos],
                confirmed=[f.rule for f in verdict.to_confirm],
            )
        return self.get(post_id)

    def posts(self, *, states: Collection[PostState] | None = None) -> list[OutboxPost]:
        """Posts, newest first, optionally only those in `states`."""
        if states is None:
            rows = self.conn.execute("SELECT * FROM outbox_post ORDER BY id DESC").fetchall()
        else:
            wanted = list(states)
            marks = ",".join("?" * len(wanted))
            rows = self.conn.execute(
                f"SELECT * FROM outbox_post WHERE state IN ({marks}) ORDER BY id DESC",
                wanted,
            ).fetchall()
        return [_post(row) for row in rows]

    def get(self, post_id: int) -> OutboxPost:
        row = self.conn.execute("SELECT * FROM outbox_post WHERE id = ?", (post_id,)).fetchone()
        if row is None:
            raise TripdeskError(f"There is no post {post_id} in the outbox.")
        return _post(row)

    def counts(self) -> dict[PostState, int]:
        counts: dict[PostState, int] = dict.fromkeys(STATES, 0)
        for row in self.conn.execute("SELECT state, COUNT(*) AS n FROM outbox_post GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def attempts(self, post_id: int) -> list[Attempt]:
        """Every attempt to send the post, oldest first: when, the outcome, the status, why."""
        rows = self.conn.execute(
            "SELECT * FROM outbox_attempt WHERE post_id = ? ORDER BY id", (post_id,)
        )
        return [
            Attempt(
                post_id=row["post_id"],
                backend=row["backend"],
                started_at=datetime.fromisoformat(row["started_at"]),
                finished_at=_when(row["finished_at"]),
                outcome=row["outcome"],
                status=row["status"],
                error=row["error"],
            )
            for row in rows
        ]

    def retry(self, post_id: int) -> OutboxPost:
        """Send a failed, blocked or uncertain post again (for uncertain: the teacher checked).

        A post held back because the guard found something new to confirm takes the teacher's
        retry as that confirmation; a blocked one is checked again when it is sent.
        """
        post = self.get(post_id)
        columns: dict[str, str | None] = {"reason": None, "next_attempt_at": None}
        checked = self.conn.execute(
            "SELECT checked FROM outbox_post WHERE id = ?", (post_id,)
        ).fetchone()["checked"]
        if post.state == "blocked" and checked and json.loads(checked)["verdict"] == "confirm":
            columns["verdict"] = checked
        self._move(
            post_id,
            ("failed", "uncertain", "blocked"),
            "queued",
            "publish.retried",
            "only failed, blocked or uncertain posts can be sent again",
            **columns,
        )
        return self.get(post_id)

    def cancel(self, post_id: int) -> OutboxPost:
        self._move(
            post_id,
            ("queued", "failed", "uncertain", "blocked"),
            "cancelled",
            "publish.cancelled",
            "only posts that have not gone out can be cancelled",
            reason="Cancelled by the teacher.",
            next_attempt_at=None,
        )
        return self.get(post_id)

    def mark_sent(self, post_id: int) -> OutboxPost:
        """The teacher found an uncertain post on the account: it went out, do not send again."""
        self._move(
            post_id,
            ("uncertain",),
            "sent",
            "publish.marked_sent",
            "only uncertain posts can be marked as sent",
            reason="Marked as sent by the teacher after checking the account.",
            sent_at=_iso(self._clock()),
        )
        return self.get(post_id)

    @property
    def paused(self) -> bool:
        return self._setting("paused") == "1"

    @property
    def pause_reason(self) -> str | None:
        return self._setting("pause_reason") if self.paused else None

    def set_paused(self, paused: bool, reason: str | None = None) -> None:
        """Stop (or restart) all sending; remembered across restarts."""
        with _transaction(self.conn):
            self._set_setting("paused", "1" if paused else "0")
            self._set_setting(
                "pause_reason", reason or ("Paused by the teacher." if paused else "")
            )
            if not paused:
                self._set_setting("hold_until", "")
            audit.record(self.conn, "publish.paused" if paused else "publish.resumed")

    def hold(self) -> tuple[datetime, str] | None:
        """A rate limit that holds every post back: until when, and why."""
        until = _when(self._setting("hold_until"))
        if until is None or until <= self._clock():
            return None
        return until, self._setting("hold_reason") or ""

    # Sending ---------------------------------------------------------------------------

    def send_due(self) -> SendSummary:
        """Send every post that is due now, one at a time, each at most once."""
        with _SendLock(self.config.home / "outbox.lock") as locked:
            if not locked:
                return SendSummary(message="Another tripdesk is sending right now.")
            self.recover()
            self._backend = self._given_backend
            results = _Results()
            message: str | None = None
            offline = False
            checked_network = False
            while True:
                if self.paused:
                    message = self.pause_reason
                    break
                held = self.hold()
                if held:
                    message = held[1]
                    break
                post_id = self._next_due()
                if post_id is None:
                    break
                if not checked_network:
                    try:
                        reachable = self.backend.reachable()
                    except TripdeskError as error:
                        message = error.message
                        break
                    if not reachable:
                        offline = True
                        message = "No connection; the outbox will try again when it is back."
                        break
                    checked_network = True
                try:
                    results.add(self._send_one(post_id), post_id)
                except _Stop as stop:
                    results.add("waiting", post_id)
                    offline = stop.outcome == "offline"
                    message = stop.message
                    break
            return SendSummary(
                sent=results.get("sent"),
                failed=results.get("failed"),
                uncertain=results.get("uncertain"),
                blocked=results.get("blocked"),
                waiting=results.get("waiting"),
                offline=offline,
                paused=self.paused,
                message=message,
            )

    def recover(self) -> list[int]:
        """Settle posts left `sending` by a process that died; call only with the send lock."""
        rows = self.conn.execute(
            "SELECT id, stage FROM outbox_post WHERE state = 'sending'"
        ).fetchall()
        for row in rows:
            if row["stage"] == "publishing":
                self._finish(row["id"], "uncertain", "interrupted", reason=INTERRUPTED_UNKNOWN)
            else:
                self._finish(
                    row["id"],
                    "queued",
                    "interrupted",
                    reason="Interrupted before it was sent; it will be sent again.",
                )
        return [row["id"] for row in rows]

    def _next_due(self) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM outbox_post WHERE state = 'queued' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT 1",
            (_iso(self._clock()),),
        ).fetchone()
        return None if row is None else int(row["id"])

    def _send_one(self, post_id: int) -> str:
        """Take one post through checking, uploading and publishing; returns its outcome."""
        backend = self.backend
        with _transaction(self.conn):
            claimed = self.conn.execute(
                "UPDATE outbox_post SET state = 'sending', stage = 'checking', backend = ?, "
                "attempts = attempts + 1 WHERE id = ? AND state = 'queued'",
                (backend.name, post_id),
            ).rowcount
            if claimed:
                self.conn.execute(
                    "INSERT INTO outbox_attempt (post_id, backend, started_at) VALUES (?, ?, ?)",
                    (post_id, backend.name, _iso(self._clock())),
                )
        if not claimed:
            return "skipped"
        row = self.conn.execute("SELECT * FROM outbox_post WHERE id = ?", (post_id,)).fetchone()
        draft = Draft.from_dict(json.loads(row["draft"]), source=f"outbox post {post_id}")
        try:
            held_back = self._check_again(post_id, draft, json.loads(row["verdict"]))
            if held_back:
                return self._finish(post_id, "blocked", "blocked", reason=held_back)
            self._stage(post_id, "uploading")
            photos = self._upload(post_id, backend)
        except TripdeskError as error:
            return self._finish(post_id, "blocked", "blocked", reason=error.message)
        except CredentialsRefused as error:
            self._refused(post_id, error)
        except RateLimited as error:
            self._rate_limited(post_id, error)
        except NotCreated as error:
            return self._not_created(post_id, error)
        except Rejected as error:
            return self._finish(post_id, "failed", "failed", reason=str(error), status=error.status)
        except Exception as error:  # nothing has gone out yet; the teacher can send it again
            return self._finish(
                post_id,
                "failed",
                "failed",
                reason=f"tripdesk could not get this ready to send ({type(error).__name__}: "
                f"{error}).",
            )
        if self.paused:
            self._finish(post_id, "queued", "held_by_pause", reason=self.pause_reason)
            raise _Stop("paused", self.pause_reason or "Paused.")
        outgoing = Outgoing(
            outbox_id=post_id,
            text=draft.text,
            photos=photos,
            poll=draft.poll,
            reply_settings=row["reply_settings"],
        )
        self._stage(post_id, "publishing")
        try:
            published = backend.publish(outgoing)
        except CredentialsRefused as error:
            self._refused(post_id, error)
        except RateLimited as error:
            self._rate_limited(post_id, error)
        except NotCreated as error:
            return self._not_created(post_id, error)
        except AlreadyPosted as error:
            return self._finish(post_id, "uncertain", "duplicate", reason=str(error), status=403)
        except Rejected as error:
            return self._finish(post_id, "failed", "failed", reason=str(error), status=error.status)
        except SendFailure as error:
            return self._finish(
                post_id, "uncertain", "uncertain", reason=str(error), status=error.status
            )
        except Exception as error:  # the request may have gone out: never send it blindly again
            return self._finish(
                post_id,
                "uncertain",
                "uncertain",
                reason=f"Something went wrong while publishing ({type(error).__name__}); "
                f"{CHECK_ACCOUNT}.",
            )
        self._finish(
            post_id,
            "sent",
            "sent",
            sent_at=_iso(self._clock()),
            remote_id=published.remote_id,
            url=published.url,
        )
        return "sent"

    def _check_again(self, post_id: int, draft: Draft, queued_with: dict[str, Any]) -> str | None:
        """Run the guard again; a reason to hold the post back, or None to go on."""
        verdict = self._review(draft, self.conn, self.config)
        self.conn.execute(
            "UPDATE outbox_post SET checked = ? WHERE id = ?",
            (json.dumps(verdict.to_dict(), ensure_ascii=False), post_id),
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

    def _upload(self, post_id: int, backend: Backend) -> tuple[OutgoingPhoto, ...]:
        """Upload each photo, reusing a media id the backend gave earlier while it is valid."""
        rows = self.conn.execute(
            "SELECT * FROM outbox_photo WHERE post_id = ? ORDER BY position", (post_id,)
        ).fetchall()
        photos = []
        for row in rows:
            prepared = Path(row["prepared_path"])
            if not prepared.exists():
                again = self._prepare_photo(Path(row["source_path"]), row["position"])
                if again.source_sha256 != row["source_sha256"]:
                    raise TripdeskError(
                        f"Photo {row['position']} has changed in the pool since this post was "
                        "queued; check the draft again."
                    )
                prepared = Path(again.path)
                self.conn.execute(
                    "UPDATE outbox_photo SET prepared_path = ? WHERE post_id = ? AND position = ?",
                    (str(prepared), post_id, row["position"]),
                )
            expires = _when(row["media_expires_at"])
            reusable = (
                row["media_id"]
                and row["media_backend"] == backend.name
                and expires is not None
                and expires > self._clock() + MEDIA_MARGIN
            )
            media_id = row["media_id"]
            if not reusable:
                media = backend.upload(prepared, row["mime"], row["alt"])
                media_id = media.id
                self.conn.execute(
                    "UPDATE outbox_photo SET media_backend = ?, media_id = ?, media_expires_at = ? "
                    "WHERE post_id = ? AND position = ?",
                    (backend.name, media.id, _iso(media.expires_at), post_id, row["position"]),
                )
            photos.append(
                OutgoingPhoto(path=prepared, mime=row["mime"], alt=row["alt"], media_id=media_id)
            )
        return tuple(photos)

    def _not_created(self, post_id: int, error: NotCreated) -> str:
        if error.offline:
            self._finish(post_id, "queued", "offline", reason=str(error), status=error.status)
            raise _Stop("offline", str(error))
        attempts = self.get(post_id).attempts
        delay = min(BACKOFF_LONGEST, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
        later = self._clock() + timedelta(seconds=delay * self._random.uniform(0.5, 1.0))
        self._finish(
            post_id,
            "queued",
            "retry",
            reason=f"{_sentence(str(error))} It will be tried again at {later.astimezone():%H:%M}.",
            status=error.status,
            next_attempt_at=_iso(later),
        )
        return "waiting"

    def _rate_limited(self, post_id: int, error: RateLimited) -> NoReturn:
        with _transaction(self.conn):
            self._set_setting("hold_until", _iso(error.until))
            self._set_setting("hold_reason", str(error))
        self._finish(
            post_id,
            "queued",
            "rate_limited",
            reason=str(error),
            status=429,
            next_attempt_at=_iso(error.until),
        )
        raise _Stop("rate_limited", str(error))

    def _refused(self, post_id: int, error: CredentialsRefused) -> NoReturn:
        self._finish(post_id, "queued", "refused", reason=str(error), status=401)
        self.set_paused(True, str(error))
        raise _Stop("refused", str(error))

    def _stage(self, post_id: int, stage: str) -> None:
        self.conn.execute("UPDATE outbox_post SET stage = ? WHERE id = ?", (stage, post_id))

    def _finish(
        self,
        post_id: int,
        state: PostState,
        outcome: str,
        *,
        reason: str | None = None,
        status: int | None = None,
        **columns: str | None,
    ) -> str:
        """Leave `sending`: the new state and the attempt's outcome, in one transaction.

        Returns which part of the `SendSummary` the post belongs in.
        """
        values = {"state": state, "stage": None, "reason": reason, "next_attempt_at": None}
        values.update(columns)
        assignments = ", ".join(f"{name} = ?" for name in values)
        with _transaction(self.conn):
            self.conn.execute(
                f"UPDATE outbox_post SET {assignments} WHERE id = ?",
                (*values.values(), post_id),
            )
            self.conn.execute(
                "UPDATE outbox_attempt SET finished_at = ?, outcome = ?, status = ?, error = ? "
                "WHERE id = (SELECT MAX(id) FROM outbox_attempt WHERE post_id = ?) "
                "AND finished_at IS NULL",
                (
                    _iso(self._clock()),
                    outcome,
                    status,
                    None if state == "sent" else reason,
                    post_id,
                ),
            )
            audit.record(
                self.conn,
                f"publish.{outcome}",
                post=post_id,
                state=state,
                status=status,
                remote_id=columns.get("remote_id"),
            )
        return _BUCKETS.get(state, "waiting")

    def _move(
        self,
        post_id: int,
        allowed: tuple[PostState, ...],
        state: PostState,
        event: str,
        refusal: str,
        **columns: Any,
    ) -> None:
        """A teacher's change of state, made only if the post is still in an allowed state."""
        self.get(post_id)
        values = {"state": state, **columns}
        assignments = ", ".join(f"{name} = ?" for name in values)
        marks = ",".join("?" * len(allowed))
        with _transaction(self.conn):
            changed = self.conn.execute(
                f"UPDATE outbox_post SET {assignments} WHERE id = ? AND state IN ({marks})",
                (*values.values(), post_id, *allowed),
            ).rowcount
            if changed:
                audit.record(self.conn, event, post=post_id)
        if not changed:
            current = self.get(post_id).state
            raise TripdeskError(f"Post {post_id} is {current}; {refusal}.")

    def _source(self, path: str) -> Path:
        source = Path(path).expanduser()
        return source if source.is_absolute() else self.config.home / source

    def _prepare_photo(self, source: Path, number: int) -> Any:
        if not source.is_file():
            raise TripdeskError(f"Photo {number} ({source}) is not there.", exit_code=1)
        return self._prepare(source, cache_dir=self.cache_dir)

    def _setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM outbox_setting WHERE key = ?", (key,)).fetchone()
        return row["value"] if row and row["value"] != "" else None

    def _set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO outbox_setting (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class _SendLock:
    """An exclusive lock on a file, held while sending; the OS drops it if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+b")
        try:
            _lock(self.handle)
        except OSError:
            self.handle.close()
            self.handle = None
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            _unlock(self.handle)
            self.handle.close()
            self.handle = None


if os.name == "nt":  # pragma: no cover - the school laptops may run Windows
    import msvcrt

    def _lock(handle: Any) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: Any) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, or nothing when the connection is already in a transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self.outer:
            self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


def _real_review(draft: Draft, conn: sqlite3.Connection, config: Config) -> Verdict:
    from tripdesk.desk.review import review_draft

    return review_draft(draft, conn, config)


def _real_prepare(photo: Path, *, cache_dir: Path) -> Any:
    from tripdesk.media.prepare import prepare

    return prepare(photo, cache_dir=cache_dir)


def _post(row: sqlite3.Row) -> OutboxPost:
    verdict = json.loads(row["verdict"])
    latest = json.loads(row["checked"]) if row["checked"] else verdict
    return OutboxPost(
        id=row["id"],
        state=row["state"],
        draft=Draft.from_dict(json.loads(row["draft"]), source=f"outbox post {row['id']}"),
        verdict=verdict["verdict"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=_when(row["sent_at"]),
        remote_id=row["remote_id"],
        url=row["url"],
        reason=row["reason"],
        attempts=row["attempts"],
        next_attempt_at=_when(row["next_attempt_at"]),
        findings=tuple(_finding(f) for f in latest.get("findings", [])),
        backend=row["backend"],
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


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
