"""The publishing tables (schema part "publish"): the outbox, its attempts, and the account.

The database's opener applies `MIGRATIONS` once; nothing in publishing migrates on a read.
"""

from __future__ import annotations

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
    # Several networks: one delivery per network per post, each with its own stages, a key
    # chosen before sending (Bluesky's rkey, Mastodon's Idempotency-Key) and its removal;
    # approval, holding back, the consent snapshot, and media ids per network.
    """
    ALTER TABLE outbox_post ADD COLUMN approved_by TEXT;
    ALTER TABLE outbox_post ADD COLUMN hold_until TEXT;
    ALTER TABLE outbox_post ADD COLUMN consent_at_send TEXT;
    ALTER TABLE outbox_post ADD COLUMN takedown_reason TEXT;
    CREATE TABLE outbox_delivery (
        post_id INTEGER NOT NULL REFERENCES outbox_post (id),
        network TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled', 'blocked')),
        stage TEXT CHECK (stage IN ('uploading', 'publishing')),
        remote_id TEXT,
        url TEXT,
        reason TEXT,
        sent_at TEXT,
        cost REAL,
        removal TEXT CHECK (removal IN ('queued', 'removing', 'removed', 'refused')),
        removal_reason TEXT,
        removal_next_at TEXT,
        removed_at TEXT,
        PRIMARY KEY (post_id, network)
    );
    INSERT INTO outbox_delivery (post_id, network, key, state, remote_id, url, reason, sent_at)
        SELECT id, backend, 'post-' || id, state, remote_id, url, reason, sent_at
        FROM outbox_post
        WHERE backend IS NOT NULL AND state IN ('sent', 'failed', 'uncertain', 'blocked');
    CREATE TABLE outbox_media (
        post_id INTEGER NOT NULL REFERENCES outbox_post (id),
        position INTEGER NOT NULL,
        network TEXT NOT NULL,
        media_id TEXT NOT NULL,
        expires_at TEXT,
        PRIMARY KEY (post_id, position, network)
    );
    INSERT INTO outbox_media (post_id, position, network, media_id, expires_at)
        SELECT post_id, position, media_backend, media_id, media_expires_at
        FROM outbox_photo WHERE media_id IS NOT NULL AND media_backend IS NOT NULL;
    CREATE TABLE publish_network_account (
        network TEXT PRIMARY KEY,
        store TEXT NOT NULL,
        username TEXT NOT NULL,
        user_id TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    """,
]
