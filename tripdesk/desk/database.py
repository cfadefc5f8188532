"""Opening the trip's database with every room's tables, in one ordered list, once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tripdesk import audit, store
from tripdesk.consent import store as consent_store
from tripdesk.desk import drafts_kept
from tripdesk.media import tables as media_tables
from tripdesk.pool import catalogue
from tripdesk.publish import schema as publish_schema
from tripdesk.staff import store as staff_store

PARTS: store.Parts = (
    ("audit", audit.MIGRATIONS),
    ("pool", catalogue.MIGRATIONS),
    ("consent", consent_store.MIGRATIONS),
    ("media", media_tables.MIGRATIONS),
    ("publish", publish_schema.MIGRATIONS),
    ("staff", staff_store.MIGRATIONS),
    ("drafts", drafts_kept.MIGRATIONS),
)


def open_database(path: Path) -> sqlite3.Connection:
    """One connection to a database whose tables are all up to date (for commands and tests)."""
    conn = store.connect(path)
    store.migrate(conn, PARTS)
    return conn


def trip_database(path: Path) -> store.Database:
    """The app's database: migrated once, a connection for each thread that asks."""
    return store.Database(path, PARTS)
