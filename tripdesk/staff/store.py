"""The staff list (schema part "staff"): who may approve posts, and their PINs' lockouts.

Five wrong PINs in a row lock that colleague out for a while, so a PIN cannot be guessed at the
laptop; the count and the lock live in the database, so restarting tripdesk does not reset them.
Each try runs inside one write transaction: two guesses at once are counted one after the other.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tripdesk import audit, store
from tripdesk.errors import TripdeskError
from tripdesk.staff import pins

MIGRATIONS = [
    """
    CREATE TABLE staff_member (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        pin_salt BLOB NOT NULL,
        pin_key BLOB NOT NULL,
        pin_cost INTEGER NOT NULL,
        pin_block_size INTEGER NOT NULL,
        pin_parallel INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        wrong_pins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    );
    """,
]

WRONG_PINS_ALLOWED = 5
LOCKOUT = timedelta(minutes=15)
MAX_NAME = 60


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    added_at: datetime
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def to_dict(self, now: datetime | None = None) -> dict[str, object]:
        now = now or datetime.now(UTC)
        return {
            "name": self.name,
            "added_at": self.added_at.isoformat(),
            "locked_until": self.locked_until.isoformat() if self.locked(now) else None,
        }


def name_key(name: str) -> str:
    """The same colleague however the name is typed: case, spacing and accents aside."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clean_name(name: str) -> str:
    """The name as it will be shown, or a TripdeskError saying what is wrong with it."""
    shown = " ".join(name.split())
    if not shown:
        raise TripdeskError('A member of staff needs a name, e.g. "Mr Jones".')
    if len(shown) > MAX_NAME:
        raise TripdeskError(f"A staff name may have at most {MAX_NAME} characters.")
    if any(not ch.isprintable() for ch in shown):
        raise TripdeskError("A staff name may not contain invisible characters.")
    return shown


def add(conn: sqlite3.Connection, name: str, pin: str) -> StaffMember:
    """Put a colleague on the staff list with their PIN (kept only as a slow salted hash)."""
    shown = clean_name(name)
    wrong = pins.problem(pin)
    if wrong:
        raise TripdeskError(wrong)
    kept = pins.make(pin)
    with store.transaction(conn):
        existing = find(conn, shown)
        if existing is not None:
            raise TripdeskError(f"{existing.name} is already on the staff list.")
        cursor = conn.execute(
            "INSERT INTO staff_member (name, name_key, pin_salt, pin_key, pin_cost, "
            "pin_block_size, pin_parallel, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                shown,
                name_key(shown),
                kept.salt,
                kept.key,
                kept.cost,
                kept.block_size,
                kept.parallel,
                _iso(datetime.now(UTC)),
            ),
        )
        staff_id = int(cursor.lastrowid or 0)
        audit.record(conn, "staff.added", staff=staff_id, name=shown)
    member = find(conn, shown)
    assert member is not None, "a colleague just added is readable on the same connection"
    return member


def members(conn: sqlite3.Connection) -> list[StaffMember]:
    """Everyone on the staff list, by name."""
    rows = conn.execute("SELECT * FROM staff_member ORDER BY name_key").fetchall()
    return [_member(row) for row in rows]


def find(conn: sqlite3.Connection, name: str) -> StaffMember | None:
    row = conn.execute(
        "SELECT * FROM staff_member WHERE name_key = ?", (name_key(name),)
    ).fetchone()
    return None if row is None else _member(row)


def check_pin(
    conn: sqlite3.Connection, name: str, pin: str, *, now: datetime | None = None
) -> StaffMember:
    """The colleague, if `pin` is theirs; else a TripdeskError (exit 1) and one more wrong try.

    The PIN itself is never stored, logged or repeated in a message.
    """
    now = now or datetime.now(UTC)
    with store.transaction(conn):
        row = conn.execute(
            "SELECT * FROM staff_member WHERE name_key = ?", (name_key(name),)
        ).fetchone()
        if row is None:
            raise TripdeskError(
                f"{clean_name(name)} is not on the staff list; add them with "
                "`tripdesk staff add NAME`.",
                exit_code=1,
            )
        member = _member(row)
        if member.locked(now):
            raise _locked_error(member)
        kept = pins.PinHash(
            salt=row["pin_salt"],
            key=row["pin_key"],
            cost=row["pin_cost"],
            block_size=row["pin_block_size"],
            parallel=row["pin_parallel"],
        )
        if pins.matches(pin, kept):
            conn.execute(
                "UPDATE staff_member SET wrong_pins = 0, locked_until = NULL WHERE id = ?",
                (member.id,),
            )
            return member
        wrong = row["wrong_pins"] + 1
        if wrong >= WRONG_PINS_ALLOWED:
            until = now + LOCKOUT
            conn.execute(
                "UPDATE staff_member SET wrong_pins = 0, locked_until = ? WHERE id = ?",
                (_iso(until), member.id),
            )
            audit.record(conn, "staff.locked", staff=member.id, name=member.name, until=until)
            failure = _locked_error(replace(member, locked_until=until))
        else:
            conn.execute("UPDATE staff_member SET wrong_pins = ? WHERE id = ?", (wrong, member.id))
            audit.record(conn, "staff.pin_refused", staff=member.id, name=member.name)
            left = WRONG_PINS_ALLOWED - wrong
            failure = TripdeskError(
                f"That is not {member.name}'s PIN; {left} more wrong "
                f"{'try' if left == 1 else 'tries'} will lock them out for "
                f"{int(LOCKOUT.total_seconds() // 60)} minutes.",
                exit_code=1,
            )
    raise failure


def _locked_error(member: StaffMember) -> TripdeskError:
    assert member.locked_until is not None
    return TripdeskError(
        f"{member.name} is locked out after {WRONG_PINS_ALLOWED} wrong PINs until "
        f"{member.locked_until.astimezone():%H:%M}.",
        exit_code=1,
    )


def _member(row: sqlite3.Row) -> StaffMember:
    return StaffMember(
        id=row["id"],
        name=row["name"],
        added_at=datetime.fromisoformat(row["added_at"]),
        locked_until=datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
