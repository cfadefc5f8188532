"""The one SQLite database: opened the same way everywhere, migrated once when it is opened.

Every part of tripdesk (audit, pool, consent, media, publish) owns a list of migrations; the
hallway's opener hands them all to `migrate` in one ordered list, and the `schema` table
remembers how far each part has come, so a later version only adds the steps it appends.
Reads only read.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from tripdesk import private
from tripdesk.errors import TripdeskError


def connect(path: Path) -> sqlite3.Connection:
    """Open the database for this thread: WAL, foreign keys, and waiting out other writers."""
    try:
        private.make_folder(path.parent)
        private.create_file(path)  # owner-only; SQLite gives its -wal and -shm the same mode
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
    return conn


Parts = Sequence[tuple[str, Sequence[str]]]


def migrate(conn: sqlite3.Connection, parts: Parts) -> None:
    """Bring every part's tables up to date, in the order given."""
    for part, migrations in parts:
        ensure_schema(conn, part, migrations)


class Database:
    """A trip's database for a process: migrated once when opened, one connection per thread.

    SQLite connections must not be shared between threads that write, so each worker thread
    gets its own, made on first use and closed with the database.
    """

    def __init__(self, path: Path, parts: Parts) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        migrate(self.connection(), parts)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()


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
    """`with transaction(conn):` runs the block in BEGIN IMMEDIATE … COMMIT, or rolls back.

    Inside a transaction already open on `conn`, the block becomes a SAVEPOINT instead: its
    own failure undoes only its own work, and the outer transaction decides the rest.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._savepoint: str | None = None

    def __enter__(self) -> sqlite3.Connection:
        if self.conn.in_transaction:
            self._savepoint = f"nested_{id(self):x}"
            self.conn.execute(f"SAVEPOINT {self._savepoint}")
        else:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self._savepoint is None:
            self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
            return
        if kind is not None:
            self.conn.execute(f"ROLLBACK TO {self._savepoint}")
        self.conn.execute(f"RELEASE {self._savepoint}")


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
