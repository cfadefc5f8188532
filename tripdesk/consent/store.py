"""The register in the database: replaced whole on each import, and never half-written.

An import that fails leaves the previous register exactly as it was; one that succeeds records
in the audit log who lost or gained consent, by id only, so a post already out can be reviewed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tripdesk import audit, store
from tripdesk.config import Config
from tripdesk.consent.csvfile import read_register, read_roster
from tripdesk.consent.register import LookedAfter, Pupil, Register
from tripdesk.errors import TripdeskError

MIGRATIONS = [
    """
    CREATE TABLE consent_pupil (
        id TEXT PRIMARY KEY,
        forename TEXT NOT NULL,
        preferred_name TEXT NOT NULL,
        surname TEXT NOT NULL,
        year TEXT NOT NULL,
        klass TEXT NOT NULL,
        consent_social_media INTEGER NOT NULL,
        consent_expires TEXT,
        consent_withdrawn TEXT,
        never_photograph INTEGER NOT NULL,
        on_roster INTEGER NOT NULL
    );
    """,
    "ALTER TABLE consent_pupil ADD COLUMN looked_after INTEGER NOT NULL DEFAULT 0;",
]

_FIELDS = (
    "id",
    "forename",
    "preferred_name",
    "surname",
    "year",
    "klass",
    "consent_social_media",
    "consent_expires",
    "consent_withdrawn",
    "never_photograph",
    "on_roster",
    "looked_after",
)


@dataclass(frozen=True)
class ImportReport:
    count: int
    on_roster: int
    lost_consent: tuple[str, ...]
    gained_consent: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    notes: tuple[str, ...] = ()  # one line each: what the teacher should know about the file


def load_register(conn: sqlite3.Connection, *, looked_after: LookedAfter = "never") -> Register:
    """The register last imported; an empty one when none has been imported yet.

    `looked_after` is `[guard] looked_after`: unless it is "consent", looked-after pupils are
    held as never to be photographed.
    """
    rows = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM consent_pupil ORDER BY id")
    return Register((_pupil(row) for row in rows), looked_after=looked_after)


def withdraw(conn: sqlite3.Connection, pupil_id: str, today: date) -> bool:
    """Record today that a pupil's consent is withdrawn; False when it already was."""
    with store.transaction(conn):
        row = conn.execute(
            "SELECT consent_withdrawn FROM consent_pupil WHERE id = ?", (pupil_id,)
        ).fetchone()
        if row is None:
            raise TripdeskError(f"{pupil_id} is not on the consent register.")
        if row["consent_withdrawn"] is not None:
            return False
        conn.execute(
            "UPDATE consent_pupil SET consent_withdrawn = ? WHERE id = ?",
            (today.isoformat(), pupil_id),
        )
        audit.record(conn, "consent.withdrawn", pupil=pupil_id, on=today.isoformat())
    return True


def import_register(
    conn: sqlite3.Connection,
    config: Config,
    register_csv: Path,
    roster_csv: Path | None,
    *,
    today: date | None = None,
) -> ImportReport:
    """Replace the register with the file's pupils, all or nothing, and audit what changed."""
    today = today or date.today()
    roster = read_roster(roster_csv) if roster_csv is not None else None
    read = read_register(register_csv, config.register_columns, roster, today=today)
    pupils = read.pupils
    policy = config.guard.looked_after
    old = load_register(conn, looked_after=policy)
    new = Register(pupils, looked_after=policy)
    report = replace(_compare(old, new, today), notes=read.notes)
    with store.transaction(conn):
        conn.execute("DELETE FROM consent_pupil")
        conn.executemany(
            f"INSERT INTO consent_pupil ({', '.join(_FIELDS)}) "
            f"VALUES ({', '.join('?' for _ in _FIELDS)})",
            [_row(pupil) for pupil in pupils],
        )
        audit.record(
            conn,
            "consent.imported",
            file=register_csv.name,
            sha256=read.sha256,
            roster_file=roster_csv.name if roster_csv else None,
            count=report.count,
            on_roster=report.on_roster,
            lost_consent=list(report.lost_consent),
            gained_consent=list(report.gained_consent),
            added=list(report.added),
            removed=list(report.removed),
            looked_after=sum(1 for p in pupils if p.looked_after),
            flag_column=not read.notes,
        )
    return report


def _compare(old: Register, new: Register, today: date) -> ImportReport:
    old_ids = {p.id for p in old.pupils}
    new_ids = {p.id for p in new.pupils}
    lost, gained = [], []
    for pupil in new.pupils:
        before = old.get(pupil.id)
        if before is None:
            continue
        if before.may_appear(today) and not pupil.may_appear(today):
            lost.append(pupil.id)
        elif pupil.may_appear(today) and not before.may_appear(today):
            gained.append(pupil.id)
    return ImportReport(
        count=len(new.pupils),
        on_roster=sum(1 for p in new.pupils if p.on_roster),
        lost_consent=tuple(sorted(lost)),
        gained_consent=tuple(sorted(gained)),
        added=tuple(sorted(new_ids - old_ids)),
        removed=tuple(sorted(old_ids - new_ids)),
    )


def _row(pupil: Pupil) -> tuple[object, ...]:
    return (
        pupil.id,
        pupil.forename,
        pupil.preferred_name,
        pupil.surname,
        pupil.year,
        pupil.klass,
        int(pupil.consent_social_media),
        pupil.consent_expires.isoformat() if pupil.consent_expires else None,
        pupil.consent_withdrawn.isoformat() if pupil.consent_withdrawn else None,
        int(pupil.never_photograph),
        int(pupil.on_roster),
        int(pupil.looked_after),
    )


def _pupil(row: sqlite3.Row) -> Pupil:
    return Pupil(
        id=row["id"],
        forename=row["forename"],
        preferred_name=row["preferred_name"],
        surname=row["surname"],
        year=row["year"],
        klass=row["klass"],
        consent_social_media=bool(row["consent_social_media"]),
        consent_expires=date.fromisoformat(row["consent_expires"])
        if row["consent_expires"]
        else None,
        consent_withdrawn=date.fromisoformat(row["consent_withdrawn"])
        if row["consent_withdrawn"]
        else None,
        never_photograph=bool(row["never_photograph"]),
        on_roster=bool(row["on_roster"]),
        looked_after=bool(row["looked_after"]),
    )
