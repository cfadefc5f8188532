"""The publishing tables (schema part "publish"): the outbox, its attempts, and the account."""

from __future__ import annotations

import sqlite3

from tripdesk import store

MIGRATIONS = [
    """
    CREATE TABLE outbox_post (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        state TEXT NOT NULL CHECK (state IN
            ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled', 'blocked')),
        stage TEXT CHECK (stage IN ('checking', 'uploading', 'publishing')),
        draft TEXT NOT NULL,
        verdict TEXT NOT NULL,
        checked TEXT,
        reply_settings TEXT NOT NULL,
        backend TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        remote_id TEXT,
        url TEXT,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT
    );
    CREATE INDEX outbox_post_state ON outbox_post (state, next_attempt_at);
    CREATE TABLE outbox_photo (
        post_id INTEGER NOT NULL REFERENCES outbox_post (id),
        position INTEGER NOT NULL,
        source_path TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        prepared_path TEXT NOT NULL,
        mime TEXT NOT NULL,
        alt TEXT NOT NULL,
        media_backend TEXT,
        media_id TEXT,
        media_expires_at TEXT,
        PRIMARY KEY (post_id, position)
    );
    CREATE TABLE outbox_attempt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        post_id INTEGER NOT NULL REFERENCES outbox_post (id),
        backend TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        status INTEGER,
        error TEXT
    );
    CREATE INDEX outbox_attempt_post ON outbox_attempt (post_id);
    CREATE TABLE outbox_setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE publish_account (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        store TEXT NOT NULL,
        username TEXT NOT NULL,
        user_id TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    """,
]


def ensure(conn: sqlite3.Connection) -> None:
    store.ensure_schema(conn, "publish", MIGRATIONS)
