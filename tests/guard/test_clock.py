"""The laptop's clock against the newest time tripdesk recorded: a clock set back is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tripdesk import audit, config
from tripdesk.clock import clock_behind, newest_recorded
from tripdesk.desk.database import open_database


def test_a_fresh_database_trusts_the_clock(home):
    conn = open_database(config.load(home).database)
    try:
        assert newest_recorded(conn) is None
        assert clock_behind(conn) is None
    finally:
        conn.close()


def test_a_clock_earlier_than_the_last_event_is_named_with_both_times(home):
    conn = open_database(config.load(home).database)
    try:
        audit.record(conn, "consent.imported", count=1)
        newest = newest_recorded(conn)
        assert newest is not None
        assert clock_behind(conn, now=newest + timedelta(hours=1)) is None
        assert clock_behind(conn, now=newest - timedelta(seconds=20)) is None  # within slack
        behind = newest - timedelta(days=3)
        sentence = clock_behind(conn, now=behind)
        assert sentence is not None and sentence.count(".") == 1
        assert behind.astimezone(UTC).strftime("%d/%m/%Y %H:%M") in sentence
        assert newest.astimezone(UTC).strftime("%d/%m/%Y %H:%M") in sentence
    finally:
        conn.close()


def test_a_naive_local_time_is_compared_as_local(home):
    conn = open_database(config.load(home).database)
    try:
        audit.record(conn, "guard.checked")
        assert clock_behind(conn, now=datetime.now() + timedelta(minutes=5)) is None
        assert clock_behind(conn, now=datetime.now() - timedelta(days=1)) is not None
    finally:
        conn.close()
