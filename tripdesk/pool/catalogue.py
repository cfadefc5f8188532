"""The pool's catalogue: every pooled photo, where it came from, and the teacher's tags.

Pool file names never carry the original name (it can name a child); the catalogue keeps it,
on the laptop only. Each photo may have several inbox originals (the same bytes synced twice);
`pool_source` remembers each one until it is deleted or found gone.

Times: `captured_at` is the camera's local clock (EXIF DateTimeOriginal, else the file's time),
kept as it was read, without a zone; `pooled_at` and deletion times are UTC.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from tripdesk import audit, store
from tripdesk.errors import TripdeskError
from tripdesk.pool.transfer import SourceState
from tripdesk.shown import shown

MIGRATIONS = [
    """
    CREATE TABLE pool_photo (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        pool_path TEXT NOT NULL UNIQUE,
        original_name TEXT NOT NULL,
        source_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        captured_at TEXT NOT NULL,
        pooled_at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
        damaged INTEGER NOT NULL DEFAULT 0,
        damage_reason TEXT,
        derived_from INTEGER REFERENCES pool_photo (id),
        no_children INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE pool_tag (
        photo_id INTEGER NOT NULL REFERENCES pool_photo (id),
        pupil TEXT NOT NULL,
        PRIMARY KEY (photo_id, pupil)
    );
    CREATE TABLE pool_source (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES pool_photo (id),
        path BLOB NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        device INTEGER NOT NULL,
        seen_at TEXT NOT NULL,
        deleted_at TEXT,
        gone_at TEXT
    );
    CREATE INDEX pool_source_photo ON pool_source (photo_id);
    CREATE INDEX pool_source_waiting ON pool_source (path)
        WHERE deleted_at IS NULL AND gone_at IS NULL;
    """,
    # Why a photo may be incomplete (a sentence), so that its original is never deleted.
    "ALTER TABLE pool_photo ADD COLUMN incomplete TEXT;",
]

_WAITING = "s.deleted_at IS NULL AND s.gone_at IS NULL"
_SELECT = f"""
    SELECT p.*,
        (SELECT group_concat(pupil, char(31)) FROM pool_tag t WHERE t.photo_id = p.id) AS pupils,
        CASE WHEN EXISTS (SELECT 1 FROM pool_source s WHERE s.photo_id = p.id AND {_WAITING})
            THEN NULL
            ELSE (SELECT max(deleted_at) FROM pool_source s WHERE s.photo_id = p.id)
        END AS source_deleted_at
    FROM pool_photo p
"""


@dataclass(frozen=True)
class PoolPhoto:
    """One file in the pool. `source_deleted_at` is set once no original is left in the inbox
    and tripdesk deleted the last of them; `derived_from` links e.g. a blurred copy to its photo.
    """

    id: int
    sha256: str
    pool_path: Path
    original_name: str
    source_path: str
    size: int
    captured_at: datetime
    pooled_at: datetime
    kind: str
    damaged: bool
    damage_reason: str | None
    source_deleted_at: datetime | None
    derived_from: int | None
    pupils: tuple[str, ...]
    no_children: bool
    incomplete: str | None = None


@dataclass(frozen=True)
class PoolCounts:
    pooled_today: int
    awaiting_deletion: int
    damaged: int
    total: int


@dataclass(frozen=True)
class Source:
    """One inbox original of a pool photo, as it was when it was verified."""

    id: int
    photo_id: int
    path: Path
    state: SourceState


def pool_file(pool: Path, photo: PoolPhoto) -> Path:
    """Where a catalogued photo is on disk: the one rule. Paths are kept absolute; one kept
    relative (written by hand, or by an older tripdesk) is taken from the pool folder."""
    path = Path(photo.pool_path)
    return path if path.is_absolute() else pool / path


def list_photos(conn: sqlite3.Connection, *, limit: int | None = None) -> list[PoolPhoto]:
    """Pool photos, the latest pooled first."""
    rows = conn.execute(_SELECT + " ORDER BY p.id DESC LIMIT ?", (-1 if limit is None else limit,))
    return [_photo(row) for row in rows]


def photo_by_id(conn: sqlite3.Connection, photo_id: int) -> PoolPhoto | None:
    return _one(conn, "p.id = ?", photo_id)


def photo_by_sha(conn: sqlite3.Connection, sha256: str) -> PoolPhoto | None:
    return _one(conn, "p.sha256 = ?", sha256.lower())


def photo_by_path(conn: sqlite3.Connection, path: Path) -> PoolPhoto | None:
    """The photo at a pool path (a relative path is taken from the current folder)."""
    return _one(conn, "p.pool_path = ?", os.path.abspath(path))


def set_tags(
    conn: sqlite3.Connection, photo_id: int, pupils: Sequence[str], no_children: bool
) -> PoolPhoto:
    """Record who is in a photo (register ids), or that no child can be identified in it."""
    pupils = sorted(set(pupils))
    if pupils and no_children:
        raise TripdeskError("A photo tagged with pupils cannot also be declared free of children.")
    with store.transaction(conn):
        if conn.execute("SELECT 1 FROM pool_photo WHERE id = ?", (photo_id,)).fetchone() is None:
            raise TripdeskError(f"There is no photo {photo_id} in the pool.")
        conn.execute("DELETE FROM pool_tag WHERE photo_id = ?", (photo_id,))
        conn.executemany(
            "INSERT INTO pool_tag (photo_id, pupil) VALUES (?, ?)",
            [(photo_id, pupil) for pupil in pupils],
        )
        conn.execute(
            "UPDATE pool_photo SET no_children = ? WHERE id = ?", (int(no_children), photo_id)
        )
        audit.record(conn, "pool.tagged", photo=photo_id, pupils=pupils, no_children=no_children)
    return _require(conn, photo_id)


def add_derived(
    conn: sqlite3.Connection, parent: PoolPhoto, path: Path, sha256: str, reason: str
) -> PoolPhoto:
    """Catalogue a file made from a pool photo (e.g. its faces blurred), already written at
    `path` inside the pool. It keeps the parent's capture time and origin; no inbox original.
    """
    existing = photo_by_sha(conn, sha256)
    if existing is not None:
        return existing
    try:
        size = path.stat().st_size
    except OSError as error:
        raise TripdeskError(f"Cannot read the new pool file {path}: {error.strerror}.") from None
    with store.transaction(conn):
        photo_id = _insert_photo(
            conn,
            sha256=sha256.lower(),
            pool_path=Path(os.path.abspath(path)),
            original_name=parent.original_name,
            source_path=parent.source_path,
            size=size,
            captured_at=parent.captured_at,
            kind=parent.kind,
            derived_from=parent.id,
        )
        audit.record(
            conn,
            "pool.derived",
            photo=photo_id,
            parent=parent.id,
            sha256=sha256.lower(),
            size=size,
            pool_path=str(path),
            reason=reason,
        )
    return _require(conn, photo_id)


def counts(conn: sqlite3.Connection) -> PoolCounts:
    """The header figures, in one query. Blurred and other derived copies are not counted."""
    midnight = datetime.combine(datetime.now().date(), time()).astimezone(UTC).isoformat()
    row = conn.execute(
        f"""
        SELECT
            count(*) FILTER (WHERE NOT damaged AND pooled_at >= ?) AS pooled_today,
            count(*) FILTER (WHERE NOT damaged AND incomplete IS NULL AND EXISTS (
                SELECT 1 FROM pool_source s WHERE s.photo_id = p.id AND {_WAITING}
            )) AS awaiting_deletion,
            count(*) FILTER (WHERE damaged) AS damaged,
            count(*) AS total
        FROM pool_photo p WHERE derived_from IS NULL
        """,
        (midnight,),
    ).fetchone()
    return PoolCounts(row["pooled_today"], row["awaiting_deletion"], row["damaged"], row["total"])


def add_pooled(
    conn: sqlite3.Connection,
    *,
    sha256: str,
    pool_path: Path,
    source: Path,
    state: SourceState,
    captured_at: datetime,
    kind: str,
    damage: str | None,
    incomplete: str | None = None,
) -> tuple[PoolPhoto, Source]:
    """Record a freshly placed pool copy and its inbox original, atomically and audited."""
    with store.transaction(conn):
        photo_id = _insert_photo(
            conn,
            sha256=sha256,
            pool_path=pool_path,
            original_name=shown(_text(source.name)),  # only ever shown to the teacher
            source_path=_text(str(source)),
            size=state.size,
            captured_at=captured_at,
            kind=kind,
            damage=damage,
            incomplete=incomplete,
        )
        source_id = _insert_source(conn, photo_id, source, state)
        audit.record(
            conn,
            "pool.damaged" if damage else "pool.pooled",
            photo=photo_id,
            sha256=sha256,
            size=state.size,
            pool_path=str(pool_path),
            media=kind,
            **({"reason": damage} if damage else {}),
            **({"maybe_incomplete": True} if incomplete else {}),
        )
    return _require(conn, photo_id), Source(source_id, photo_id, source, state)


def add_source(
    conn: sqlite3.Connection, photo: PoolPhoto, source: Path, state: SourceState
) -> Source:
    """Remember another inbox original of a photo already in the pool (a duplicate)."""
    with store.transaction(conn):
        source_id = _insert_source(conn, photo.id, source, state)
        audit.record(conn, "pool.duplicate", photo=photo.id, sha256=photo.sha256, size=state.size)
    return Source(source_id, photo.id, source, state)


def waiting_source(conn: sqlite3.Connection, path: Path) -> Source | None:
    """The original at `path` still waiting in the inbox, as it was when it was verified."""
    row = conn.execute(
        f"SELECT * FROM pool_source s WHERE path = ? AND {_WAITING}", (os.fsencode(path),)
    ).fetchone()
    return None if row is None else _source(row)


def waiting_sources(conn: sqlite3.Connection, photo_id: int | None = None) -> list[Source]:
    """Inbox originals not yet deleted nor found gone, of one photo or of all."""
    where = "" if photo_id is None else " AND photo_id = ?"
    rows = conn.execute(
        f"SELECT * FROM pool_source s WHERE {_WAITING}{where} ORDER BY id",
        () if photo_id is None else (photo_id,),
    )
    return [_source(row) for row in rows]


def mark_deleted(conn: sqlite3.Connection, source: Source, photo: PoolPhoto) -> None:
    """The deletion receipt: the original was checked, deleted and proven gone."""
    with store.transaction(conn):
        conn.execute("UPDATE pool_source SET deleted_at = ? WHERE id = ?", (_now(), source.id))
        audit.record(
            conn,
            "pool.source_deleted",
            photo=photo.id,
            source=source.id,
            sha256=photo.sha256,
            size=source.state.size,
            inode=source.state.inode,
            mtime_ns=source.state.mtime_ns,
        )


def mark_gone(conn: sqlite3.Connection, source: Source, *, why: str = "gone") -> None:
    """The verified original is no longer in the inbox as it was: another hand removed it (the
    phone, the teacher) or it changed (`why` says which, as a short code)."""
    with store.transaction(conn):
        conn.execute("UPDATE pool_source SET gone_at = ? WHERE id = ?", (_now(), source.id))
        audit.record(conn, "pool.source_gone", photo=source.photo_id, source=source.id, why=why)


def _insert_photo(
    conn: sqlite3.Connection,
    *,
    sha256: str,
    pool_path: Path,
    original_name: str,
    source_path: str,
    size: int,
    captured_at: datetime,
    kind: str,
    damage: str | None = None,
    derived_from: int | None = None,
    incomplete: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO pool_photo (sha256, pool_path, original_name, source_path, size, "
        "captured_at, pooled_at, kind, damaged, damage_reason, derived_from, incomplete) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sha256,
            str(pool_path),
            original_name,
            source_path,
            size,
            captured_at.isoformat(),
            _now(),
            kind,
            int(damage is not None),
            damage,
            derived_from,
            incomplete,
        ),
    )
    return int(cursor.lastrowid or 0)


def _insert_source(
    conn: sqlite3.Connection, photo_id: int, source: Path, state: SourceState
) -> int:
    cursor = conn.execute(
        "INSERT INTO pool_source (photo_id, path, size, mtime_ns, inode, device, seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            photo_id,
            os.fsencode(source),
            state.size,
            state.mtime_ns,
            state.inode,
            state.device,
            _now(),
        ),
    )
    return int(cursor.lastrowid or 0)


def _one(conn: sqlite3.Connection, where: str, value: object) -> PoolPhoto | None:
    row = conn.execute(_SELECT + f" WHERE {where}", (value,)).fetchone()
    return None if row is None else _photo(row)


def _require(conn: sqlite3.Connection, photo_id: int) -> PoolPhoto:
    photo = _one(conn, "p.id = ?", photo_id)
    assert photo is not None, "a photo just written is readable in the same connection"
    return photo


def _photo(row: sqlite3.Row) -> PoolPhoto:
    deleted = row["source_deleted_at"]
    return PoolPhoto(
        id=row["id"],
        sha256=row["sha256"],
        pool_path=Path(row["pool_path"]),
        original_name=row["original_name"],
        source_path=row["source_path"],
        size=row["size"],
        captured_at=datetime.fromisoformat(row["captured_at"]),
        pooled_at=datetime.fromisoformat(row["pooled_at"]),
        kind=row["kind"],
        damaged=bool(row["damaged"]),
        damage_reason=row["damage_reason"],
        source_deleted_at=datetime.fromisoformat(deleted) if deleted else None,
        derived_from=row["derived_from"],
        pupils=tuple(sorted(row["pupils"].split("\x1f"))) if row["pupils"] else (),
        no_children=bool(row["no_children"]),
        incomplete=row["incomplete"],
    )


def _source(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"],
        photo_id=row["photo_id"],
        path=Path(os.fsdecode(row["path"])),
        state=SourceState(row["size"], row["mtime_ns"], row["inode"], row["device"]),
    )


def _text(name: str) -> str:
    """A file name as text the database can hold, even when it is not valid UTF-8."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
