"""The staff list: PINs kept only as slow salted hashes, and five wrong PINs lock a colleague."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.staff import pins
from tripdesk.staff import store as staff

PIN = "739184"
NOW = datetime(2026, 6, 12, 10, 0, tzinfo=UTC)


def test_a_pin_is_kept_only_as_a_salted_scrypt_hash(conn: sqlite3.Connection, trip: Config) -> None:
    staff.add(conn, "Mr Jones", PIN)
    staff.add(conn, "Mrs Ali", PIN)
    rows = conn.execute("SELECT pin_salt, pin_key, pin_cost FROM staff_member").fetchall()
    assert len(rows) == 2 and rows[0]["pin_salt"] != rows[1]["pin_salt"]
    assert rows[0]["pin_key"] != rows[1]["pin_key"]  # the same PIN, told apart by the salt
    assert all(row["pin_cost"] >= 2**14 for row in rows)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for kept in trip.home.iterdir():
        if kept.is_file():
            assert PIN.encode() not in kept.read_bytes(), kept
    facts = " ".join(str(e.facts) for e in audit.events(conn))
    assert PIN not in facts and "Mr Jones" in facts


def test_the_staff_list_knows_a_name_however_it_is_typed(conn: sqlite3.Connection) -> None:
    staff.add(conn, "  Mr   Jones ", PIN)
    assert [m.name for m in staff.members(conn)] == ["Mr Jones"]
    with pytest.raises(TripdeskError, match="Mr Jones is already on the staff list"):
        staff.add(conn, "mr jones", "2222")
    assert staff.check_pin(conn, "MR JONES", PIN, now=NOW).name == "Mr Jones"


@pytest.mark.parametrize(
    ("name", "pin", "words"),
    [
        ("Mr Jones", "12", "at least 4"),
        ("", PIN, "needs a name"),
        ("Mr\x1bJones", PIN, "invisible"),
    ],
)
def test_bad_names_and_pins_are_refused_in_one_sentence(
    conn: sqlite3.Connection, name: str, pin: str, words: str
) -> None:
    with pytest.raises(TripdeskError, match=words):
        staff.add(conn, name, pin)
    assert staff.members(conn) == []


def test_five_wrong_pins_lock_the_colleague_for_fifteen_minutes(
    conn: sqlite3.Connection, trip: Config
) -> None:
    staff.add(conn, "Mr Jones", PIN)
    for left in (4, 3, 2, 1):
        with pytest.raises(TripdeskError, match=f"{left} more wrong") as refused:
            staff.check_pin(conn, "Mr Jones", "0000", now=NOW)
        assert refused.value.exit_code == 1 and "0000" not in refused.value.message
    with pytest.raises(TripdeskError, match="locked out after 5 wrong PINs until"):
        staff.check_pin(conn, "Mr Jones", "0000", now=NOW)
    # Locked: even the right PIN is refused, and a fresh connection remembers the lock.
    later = open_database(trip.database)
    try:
        with pytest.raises(TripdeskError, match="locked out"):
            staff.check_pin(later, "Mr Jones", PIN, now=NOW + timedelta(minutes=14))
        member = staff.check_pin(later, "Mr Jones", PIN, now=NOW + timedelta(minutes=15, seconds=1))
        assert member.name == "Mr Jones"
    finally:
        later.close()
    kinds = [e.kind for e in audit.events(conn, kind_prefix="staff.", newest_first=False)]
    assert kinds == ["staff.added"] + ["staff.pin_refused"] * 4 + ["staff.locked"]


def test_a_right_pin_clears_the_count_of_wrong_ones(conn: sqlite3.Connection) -> None:
    staff.add(conn, "Mr Jones", PIN)
    for _ in range(4):
        with pytest.raises(TripdeskError):
            staff.check_pin(conn, "Mr Jones", "0000", now=NOW)
    staff.check_pin(conn, "Mr Jones", PIN, now=NOW)
    with pytest.raises(TripdeskError, match="4 more wrong"):
        staff.check_pin(conn, "Mr Jones", "0000", now=NOW)


def test_someone_not_on_the_list_cannot_approve(conn: sqlite3.Connection) -> None:
    with pytest.raises(TripdeskError, match="Mr Smith is not on the staff list") as refused:
        staff.check_pin(conn, "Mr Smith", PIN, now=NOW)
    assert refused.value.exit_code == 1


def test_the_hash_matches_only_its_own_pin() -> None:
    kept = pins.make(PIN)
    assert pins.matches(PIN, kept)
    assert not pins.matches(PIN + "0", kept)
    assert not pins.matches(PIN, pins.make("123456"))
