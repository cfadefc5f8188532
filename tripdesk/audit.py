"""The append-only audit log the safeguarding lead reads: what happened, when, and the facts.

Rows can be added and read, never changed or removed: triggers in the database refuse it.
Facts must never hold a surname, a GPS position or a credential; callers pass ids, hashes,
sizes, pool paths and reasons.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MIGRATIONS = [
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        facts TEXT NOT NULL
    );
    CREATE INDEX audit_kind ON audit (kind);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
]


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    kind: str
    facts: dict[str, Any]


def record(conn: sqlite3.Connection, kind: str, **facts: Any) -> int:
    """Append one event; `kind` is dotted by part, e.g. `pool.pooled`, `guard.checked`."""
    cursor = conn.execute(
        "INSERT INTO audit (at, kind, facts) VALUES (?, ?, ?)",
        (_now(), kind, json.dumps(facts, default=str, ensure_ascii=False, sort_keys=True)),
    )
    return int(cursor.lastrowid or 0)


def events(
    conn: sqlite3.Connection,
    *,
    kind_prefix: str = "",
    search: str = "",
    limit: int = 1000,
    newest_first: bool = True,
) -> Iterator[Event]:
    """Events filtered by kind prefix (`pool.`) and by text anywhere in kind or facts."""
    order = "DESC" if newest_first else "ASC"
    rows = conn.execute(
        f"SELECT id, at, kind, facts FROM audit "
        f"WHERE kind LIKE ? ESCAPE '\\' AND (kind || ' ' || facts) LIKE ? ESCAPE '\\' "
        f"ORDER BY id {order} LIMIT ?",
        (_like_prefix(kind_prefix), f"%{_escape(search)}%", limit),
    )
    for row in rows:
        yield Event(
            id=row["id"],
            at=datetime.fromisoformat(row["at"]),
            kind=row["kind"],
            facts=json.loads(row["facts"]),
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(prefix: str) -> str:
    return _escape(prefix) + "%"
