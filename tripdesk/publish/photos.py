"""A post's photos in the outbox: prepared once when queued, uploaded once per network.

The prepared copy (metadata stripped, sized) is what every network receives. A media id a
network gave earlier is used again while it is still valid, so a retry does not upload twice;
a prepared copy that went missing is made again, but only from the very same source bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import Backend, OutgoingPhoto
from tripdesk.publish.posts import iso, when

MEDIA_MARGIN = timedelta(minutes=5)
Prepare = Callable[..., Any]


@dataclass(frozen=True)
class PreparedPhoto:
    position: int
    source: Path
    prepared: Any  # media.prepare's result: path, mime, source_sha256
    alt: str


class Photos:
    def __init__(
        self,
        conn: sqlite3.Connection,
        cache_dir: Path,
        prepare: Prepare | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.conn = conn
        self.cache_dir = cache_dir
        self._prepare = prepare or _real_prepare
        self._clock = clock

    def prepare_draft(self, draft: Draft) -> list[PreparedPhoto]:
        """Prepare every photo of a draft; one that changed since it was checked is refused."""
        photos = []
        for number, photo in enumerate(draft.photos, start=1):
            source = Path(photo.path)  # made absolute where the draft entered
            prepared = self._prepare_one(source, number)
            if photo.sha256 and photo.sha256 != prepared.source_sha256:
                raise TripdeskError(
                    f"Photo {number} ({source.name}) has changed since the draft was checked; "
                    "check the draft again.",
                    exit_code=1,
                )
            photos.append(PreparedPhoto(number, source, prepared, photo.alt))
        return photos

    def store(self, post_id: int, photos: Sequence[PreparedPhoto]) -> None:
        """Write the photos' rows (inside the caller's transaction)."""
        for photo in photos:
            self.conn.execute(
                "INSERT INTO outbox_photo (post_id, position, source_path, source_sha256, "
                "prepared_path, mime, alt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    post_id,
                    photo.position,
                    str(photo.source),
                    photo.prepared.source_sha256,
                    str(photo.prepared.path),
                    photo.prepared.mime,
                    photo.alt,
                ),
            )

    def upload(self, post_id: int, network: str, backend: Backend) -> tuple[OutgoingPhoto, ...]:
        """Upload each photo to `network`, reusing a media id it gave earlier while valid."""
        rows = self.conn.execute(
            "SELECT p.post_id, p.position, p.source_path, p.source_sha256, p.prepared_path, "
            "p.mime, p.alt, m.media_id AS reuse_id, m.expires_at AS reuse_until "
            "FROM outbox_photo p LEFT JOIN outbox_media m "
            "ON m.post_id = p.post_id AND m.position = p.position AND m.network = ? "
            "WHERE p.post_id = ? ORDER BY p.position",
            (network, post_id),
        ).fetchall()
        photos = []
        for row in rows:
            prepared = self._present(row)
            expires = when(row["reuse_until"])
            media_id = row["reuse_id"]
            fresh = expires is not None and expires > self._clock() + MEDIA_MARGIN
            if not media_id or not fresh:
                media = backend.upload(prepared, row["mime"], row["alt"])
                media_id = media.id
                self.conn.execute(
                    "INSERT INTO outbox_media (post_id, position, network, media_id, expires_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_id, position, network) DO UPDATE "
                    "SET media_id = excluded.media_id, expires_at = excluded.expires_at",
                    (post_id, row["position"], network, media.id, iso(media.expires_at)),
                )
            photos.append(
                OutgoingPhoto(path=prepared, mime=row["mime"], alt=row["alt"], media_id=media_id)
            )
        return tuple(photos)

    def _present(self, row: sqlite3.Row) -> Path:
        """The prepared copy, made again from the same source bytes if it went missing."""
        prepared = Path(row["prepared_path"])
        if prepared.exists():
            return prepared
        again = self._prepare_one(Path(row["source_path"]), row["position"])
        if again.source_sha256 != row["source_sha256"]:
            raise TripdeskError(
                f"Photo {row['position']} has changed in the pool since this post was "
                "queued; check the draft again."
            )
        self.conn.execute(
            "UPDATE outbox_photo SET prepared_path = ? WHERE post_id = ? AND position = ?",
            (str(again.path), row["post_id"], row["position"]),
        )
        return Path(again.path)

    def _prepare_one(self, source: Path, number: int) -> Any:
        if not source.is_file():
            raise TripdeskError(f"Photo {number} ({source}) is not there.", exit_code=1)
        return self._prepare(source, cache_dir=self.cache_dir)


def _real_prepare(photo: Path, *, cache_dir: Path) -> Any:
    from tripdesk.media.prepare import prepare

    return prepare(photo, cache_dir=cache_dir)
