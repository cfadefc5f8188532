"""The one SQLite database: opened the same way everywhere, each part migrating its own tables.

Every part of tripdesk (audit, pool, consent, media, publish) owns a list of migrations and
calls `ensure_schema` with it; the `schema` table remembers how far each part has come, so a
later version only adds the steps it appends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from tripdesk.errors import TripdeskError


def connect(path: Path) -> sqlite3.Connection:
    """Open the database for this thread: WAL, foreign keys, and waiting out other writers."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema (part TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
    except sqlite3.DatabaseError as error:
        raise TripdeskError(f"Cannot open the database {path}: {error}.") from None
    except OSError as error:
        raise TripdeskError(f"Cannot open the database {path}: {error.strerror}.") from None
    from tripdesk import audit

    ensure_schema(conn, "audit", audit.MIGRATIONS)
    return conn


def ensure_schema(conn: sqlite3.Connection, part: str, migrations: Sequence[str]) -> None:
    """Apply the migrations of `part` that this database has not had yet, each atomically.

    The version is read inside the write transaction, so threads or processes starting at once
    never apply the same step twice.
    """
    while True:
        with transaction(conn):
            row = conn.execute("SELECT version FROM schema WHERE part = ?", (part,)).fetchone()
            done = row["version"] if row else 0
            if done > len(migrations):
                raise TripdeskError(
                    f"The database was written by a newer tripdesk ({part} schema {done}); "
                    "please update tripdesk."
                )
            if done == len(migrations):
                return
            for statement in _statements(migrations[done]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema (part, version) VALUES (?, ?) "
                "ON CONFLICT(part) DO UPDATE SET version = excluded.version",
                (part, done + 1),
            )


class transaction:
    """`with transaction(conn):` runs the block in BEGIN IMMEDIATE … COMMIT, or rolls back."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


def _statements(script: str) -> list[str]:
    """Split a migration into statements at semicolons, keeping trigger bodies whole."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n\t;"):
                statements.append(current.strip())
            current = ""
    return statements
