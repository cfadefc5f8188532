"""Drafts the teacher is writing, kept in the database as they are typed.

A draft lives here until it goes into the outbox or the teacher throws it away, so a quit, a
crash or a flat battery never costs the words. It is kept as the Compose screen holds it: the
text, the pool photos by id with their alt texts, and the poll as edited (the empty options
too, so a finding about option 3 still lands on option 3).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
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


def discard(conn: sqlite3.Connection, draft_id: int) -> None:
    """Forget a draft: it went into the outbox, or the teacher threw it away."""
    conn.execute("DELETE FROM kept_draft WHERE id = ?", (draft_id,))


def without_photos(draft: KeptDraft, gone: Sequence[int]) -> KeptDraft:
    """The draft less photos that are no longer in the pool."""
    return KeptDraft(
        text=draft.text,
        photos=tuple(p for p in draft.photos if p.photo_id not in gone),
        poll_on=draft.poll_on,
        poll_options=draft.poll_options,
        poll_minutes=draft.poll_minutes,
        id=draft.id,
        updated_at=draft.updated_at,
    )


def _with(draft: KeptDraft, draft_id: int, moment: str) -> KeptDraft:
    return KeptDraft(
        text=draft.text,
        photos=draft.photos,
        poll_on=draft.poll_on,
        poll_options=draft.poll_options,
        poll_minutes=draft.poll_minutes,
        id=draft_id,
        updated_at=datetime.fromisoformat(moment),
    )


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
