"""`store.transaction` nests: an inner block is a savepoint inside the outer transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripdesk import store


def test_an_inner_failure_undoes_only_the_inner_block(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (x)")
    with store.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), store.transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            raise ValueError
        with store.transaction(conn):
            conn.execute("INSERT INTO t VALUES (3)")
    assert [row[0] for row in conn.execute("SELECT x FROM t ORDER BY x")] == [1, 3]
    assert not conn.in_transaction


def test_an_outer_failure_undoes_the_inner_blocks_too(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ValueError), store.transaction(conn):
        with store.transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
        raise ValueError
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert not conn.in_transaction
