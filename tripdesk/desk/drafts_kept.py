"""Drafts the teacher is writing, kept in the database as they are typed.

A draft lives here until it goes into the outbox or the teacher throws it away, so a quit, a
crash or a flat battery never costs the words. It is kept as the Compose screen holds it: the
text, the pool photos by id with their alt texts, and the poll as edited (the empty options
too, so a finding about option 3 still lands on option 3).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tripdesk.errors import TripdeskError

MIGRATIONS = [
    """
    CREATE TABLE kept_draft (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True)
class KeptPhoto:
    """A photo in a kept draft: the pool photo's id and the alt text typed for it."""

    photo_id: int
    alt: str = ""


@dataclass(frozen=True)
class KeptDraft:
    """What the teacher had on the Compose screen the last time a key was pressed."""

    text: str
    photos: tuple[KeptPhoto, ...] = ()
    poll_on: bool = False
    poll_options: tuple[str, ...] = ()
    poll_minutes: int = 1440
    id: int | None = None
    updated_at: datetime | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        """The first words, enough to tell one kept draft from another in a list."""
        words = " ".join(self.text.split())
        return words if len(words) <= 50 else words[:49] + "…"

    def is_empty(self, hashtag: str = "") -> bool:
        """Nothing worth keeping: no words beyond the trip's hashtag, no photos, no poll."""
        text = self.text.strip()
        return (
            text in ("", hashtag.strip())
            and not self.photos
            and not any(option.strip() for option in self.poll_options)
        )

    def body(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "photos": [{"photo_id": p.photo_id, "alt": p.alt} for p in self.photos],
            "poll": {
                "on": self.poll_on,
                "options": list(self.poll_options),
                "minutes": self.poll_minutes,
            },
        }


def keep(conn: sqlite3.Connection, draft: KeptDraft, *, now: datetime | None = None) -> KeptDraft:
    """Write the draft (a new row, or over its own row) and return it with its id."""
    moment = _iso(now)
    body = json.dumps(draft.body(), ensure_ascii=False)
    if draft.id is not None:
        cursor = conn.execute(
            "UPDATE kept_draft SET updated_at = ?, body = ? WHERE id = ?",
            (moment, body, draft.id),
        )
        if cursor.rowcount:
            return _with(draft, draft.id, moment)
    cursor = conn.execute(
        "INSERT INTO kept_draft (created_at, updated_at, body) VALUES (?, ?, ?)",
        (moment, moment, body),
    )
    return _with(draft, int(cursor.lastrowid or 0), moment)


def kept_drafts(conn: sqlite3.Connection) -> list[KeptDraft]:
    """Every kept draft, the one touched last first."""
    rows = conn.execute(
        "SELECT id, updated_at, body FROM kept_draft ORDER BY updated_at DESC, id DESC"
    )
    return [_draft(row) for row in rows]


def kept_draft(conn: sqlite3.Connection, draft_id: int) -> KeptDraft:
    row = conn.execute(
        "SELECT id, updated_at, body FROM kept_draft WHERE id = ?", (draft_id,)
    ).fetchone()
    if row is None:
        raise TripdeskError(f"There is no kept draft {draft_id}; it was sent or thrown away.")
    return _draft(row)


def swap_photo(conn: sqlite3.Connection, original_id: int, copy_id: int) -> int:
    """Put a blurred copy where its original stood in every kept draft, alt text and all; how
    many drafts changed. A draft never goes out with the faces its teacher blurred."""
    changed = 0
    for draft in kept_drafts(conn):
        if any(photo.photo_id == original_id for photo in draft.photos):
            photos = tuple(
                replace(photo, photo_id=copy_id) if photo.photo_id == original_id else photo
                for photo in draft.photos
            )
            keep(conn, replace(draft, photos=photos))
            changed += 1
    return changed


def discard(conn: sqlite3.Connection, draft_id: int) -> None:
    """Forget a draft: it went into the outbox, or the teacher threw it away."""
    conn.execute("DELETE FROM kept_draft WHERE id = ?", (draft_id,))


def _with(draft: KeptDraft, draft_id: int, moment: str) -> KeptDraft:
    return replace(draft, id=draft_id, updated_at=datetime.fromisoformat(moment))


def _draft(row: sqlite3.Row) -> KeptDraft:
    body = json.loads(row["body"])
    poll = body.get("poll") or {}
    return KeptDraft(
        text=str(body.get("text", "")),
        photos=tuple(
            KeptPhoto(int(p["photo_id"]), str(p.get("alt", ""))) for p in body.get("photos", [])
        ),
        poll_on=bool(poll.get("on", False)),
        poll_options=tuple(str(option) for option in poll.get("options", [])),
        poll_minutes=int(poll.get("minutes", 1440)),
        id=int(row["id"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _iso(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")


class Keeper:
    """Keeps one draft from worker threads: the newest snapshot wins, and the draft has one row.

    The screen takes a `ticket` when it takes a snapshot (on its own thread); a thread that
    writes an older ticket after a newer one has been written does nothing. Once the draft is
    queued (`sent`) nothing more is kept and its row is gone.
    """

    def __init__(self, kept: KeptDraft | None = None, *, hashtag: str = "") -> None:
        """`kept` is the draft as reopened from the database, if it was."""
        self.draft_id = kept.id if kept else None
        self.hashtag = hashtag
        self._last = kept
        self._lock = threading.Lock()
        self._issued = 0
        self._written = 0
        self._sent = False

    def ticket(self) -> int:
        self._issued += 1
        return self._issued

    def keep(self, conn: sqlite3.Connection, snapshot: KeptDraft, ticket: int) -> None:
        """Write the snapshot over the draft's row, or forget the draft once it is empty."""
        with self._lock:
            if ticket < self._written or self._sent or snapshot == self._last:
                return  # older than what is written, sent already, or nothing changed
            self._written = ticket
            self._last = snapshot
            if snapshot.is_empty(self.hashtag):
                if self.draft_id is not None:
                    discard(conn, self.draft_id)
                    self.draft_id = None
                return
            kept = keep(conn, replace(snapshot, id=self.draft_id))
            self.draft_id, self._last = kept.id, kept

    def sent(self, conn: sqlite3.Connection) -> None:
        """The draft went into the outbox: forget it and keep nothing more."""
        with self._lock:
            self._sent = True
            if self.draft_id is not None:
                discard(conn, self.draft_id)
                self.draft_id = None
