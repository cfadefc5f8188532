import sqlite3
import threading
from pathlib import Path

import pytest

from tripdesk import audit, store
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError


def test_connect_sets_wal_and_foreign_keys(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_apply_once_and_only_the_new_steps(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    first = ["CREATE TABLE thing (id INTEGER PRIMARY KEY);"]
    store.ensure_schema(conn, "thing", first)
    store.ensure_schema(conn, "thing", first)
    second = [*first, "ALTER TABLE thing ADD COLUMN name TEXT;"]
    store.ensure_schema(conn, "thing", second)
    columns = [row["name"] for row in conn.execute("PRAGMA table_info(thing)")]
    assert columns == ["id", "name"]
    version = conn.execute("SELECT version FROM schema WHERE part = 'thing'").fetchone()
    assert version[0] == 2


def test_a_failed_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    broken = ["CREATE TABLE a (id INTEGER); CREATE TABLE a (id INTEGER);"]
    with pytest.raises(sqlite3.OperationalError):
        store.ensure_schema(conn, "broken", broken)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'a'").fetchone() is None
    assert conn.execute("SELECT * FROM schema WHERE part = 'broken'").fetchone() is None


def test_a_newer_database_is_refused_in_one_sentence(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    store.ensure_schema(conn, "thing", ["CREATE TABLE x (id INTEGER);", "SELECT 1;"])
    with pytest.raises(TripdeskError, match="newer tripdesk"):
        store.ensure_schema(conn, "thing", ["CREATE TABLE x (id INTEGER);"])


def test_not_a_database_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(TripdeskError, match="Cannot open the database"):
        open_database(path)


def test_audit_is_append_only(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    audit.record(conn, "pool.pooled", sha256="ab" * 32, size=10)
    for statement in ("UPDATE audit SET kind = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert [e.kind for e in audit.events(conn)] == ["pool.pooled"]


def test_audit_filters_by_kind_and_text_newest_first(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "t.db")
    audit.record(conn, "pool.pooled", pool_path="a/1.jpg")
    audit.record(conn, "pool.deleted", pool_path="a/1.jpg")
    audit.record(conn, "guard.checked", verdict="blocked")
    assert [e.kind for e in audit.events(conn)] == ["guard.checked", "pool.deleted", "pool.pooled"]
    assert [e.kind for e in audit.events(conn, kind_prefix="pool.")] == [
        "pool.deleted",
        "pool.pooled",
    ]
    assert [e.kind for e in audit.events(conn, search="blocked")] == ["guard.checked"]
    assert list(audit.events(conn, search="100%_")) == []
    event = next(audit.events(conn, newest_first=False))
    assert event.facts == {"pool_path": "a/1.jpg"}
    assert event.at.tzinfo is not None


def test_audit_from_many_threads_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    open_database(path)

    def write(n: int) -> None:
        conn = open_database(path)
        for i in range(25):
            audit.record(conn, "test.event", thread=n, i=i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list(audit.events(open_database(path), kind_prefix="test."))) == 100


def test_threads_migrating_the_same_part_at_once_apply_each_step_once(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    open_database(path)
    steps = [f"CREATE TABLE step{n} (id INTEGER);" for n in range(20)]
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def migrate() -> None:
        conn = open_database(path)
        start.wait()
        try:
            store.ensure_schema(conn, "race", steps)
        except BaseException as error:  # collected for the assertion below
            failures.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    conn = open_database(path)
    assert conn.execute("SELECT version FROM schema WHERE part = 'race'").fetchone()[0] == 20
