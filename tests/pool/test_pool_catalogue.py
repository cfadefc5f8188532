"""The catalogue API the TUI and the media code build on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pool_helpers import jpeg_bytes, make_ingestor, sha256

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue


@pytest.fixture
def pooled(trip: Callable[..., Config]) -> Iterator[tuple[Config, sqlite3.Connection]]:
    """Three small photos in the pool, their originals still in the inbox (`ask`)."""
    config = trip(delete_source="ask")
    config.trip.inbox.mkdir(parents=True, exist_ok=True)
    for seed in range(3):
        (config.trip.inbox / f"IMG_{seed:04d}.JPG").write_bytes(
            jpeg_bytes(seed, taken=f"2026:06:12 10:0{seed}:00")
        )
    (config.trip.inbox / "IMG_0009.JPG").write_bytes(b"broken")
    make_ingestor(config, lambda event: None).scan_once()
    conn = open_database(config.database)
    yield config, conn
    conn.close()


def test_photos_are_listed_latest_pooled_first(pooled: tuple[Config, sqlite3.Connection]) -> None:
    _, conn = pooled
    photos = catalogue.list_photos(conn)
    assert [p.original_name for p in photos] == [  # catalogued in the order found
        "IMG_0009.JPG",
        "IMG_0002.JPG",
        "IMG_0001.JPG",
        "IMG_0000.JPG",
    ]
    assert [p.id for p in catalogue.list_photos(conn, limit=2)] == [p.id for p in photos[:2]]
    first = photos[-1]
    assert catalogue.photo_by_id(conn, first.id) == first
    assert catalogue.photo_by_sha(conn, first.sha256) == first
    assert catalogue.photo_by_path(conn, first.pool_path) == first
    assert catalogue.photo_by_id(conn, 999) is None
    assert (first.kind, first.damaged, first.derived_from) == ("photo", False, None)
    assert first.pupils == () and first.no_children is False
    assert first.source_deleted_at is None


def test_tags_are_kept_and_audited(pooled: tuple[Config, sqlite3.Connection]) -> None:
    _, conn = pooled
    photo = catalogue.list_photos(conn)[-1]
    tagged = catalogue.set_tags(conn, photo.id, ["P1002", "P1001", "P1002"], False)
    assert tagged.pupils == ("P1001", "P1002") and not tagged.no_children
    cleared = catalogue.set_tags(conn, photo.id, [], True)
    assert cleared.pupils == () and cleared.no_children
    facts = [e.facts for e in audit.events(conn, kind_prefix="pool.tagged", newest_first=False)]
    assert facts == [
        {"photo": photo.id, "pupils": ["P1001", "P1002"], "no_children": False},
        {"photo": photo.id, "pupils": [], "no_children": True},
    ]


def test_tags_that_contradict_each_other_are_refused(
    pooled: tuple[Config, sqlite3.Connection],
) -> None:
    _, conn = pooled
    photo = catalogue.list_photos(conn)[-1]
    with pytest.raises(TripdeskError, match="cannot also be declared"):
        catalogue.set_tags(conn, photo.id, ["P1001"], True)
    with pytest.raises(TripdeskError, match="no photo 999"):
        catalogue.set_tags(conn, 999, [], True)
    assert catalogue.photo_by_id(conn, photo.id) == photo


def test_a_derived_copy_is_catalogued_beside_its_parent(
    pooled: tuple[Config, sqlite3.Connection],
) -> None:
    _, conn = pooled
    parent = catalogue.list_photos(conn)[-1]
    data = jpeg_bytes(42)
    path = parent.pool_path.with_name(parent.pool_path.stem + "_blurred.jpg")
    path.write_bytes(data)
    derived = catalogue.add_derived(conn, parent, path, sha256(data), "faces blurred")
    assert derived.derived_from == parent.id
    assert derived.captured_at == parent.captured_at and derived.size == len(data)
    assert catalogue.add_derived(conn, parent, path, sha256(data), "again") == derived
    [event] = audit.events(conn, kind_prefix="pool.derived")
    assert event.facts["parent"] == parent.id and event.facts["reason"] == "faces blurred"
    assert catalogue.counts(conn).total == 4  # the blurred copy is not counted again


def test_counts_follow_what_happens(pooled: tuple[Config, sqlite3.Connection]) -> None:
    config, conn = pooled
    counts = catalogue.counts(conn)
    assert (counts.pooled_today, counts.awaiting_deletion, counts.damaged, counts.total) == (
        3,
        3,
        1,
        4,
    )
    ingestor = make_ingestor(config, lambda event: None)
    ingestor.delete_sources(ingestor.awaiting_deletion()[:1])
    assert catalogue.counts(conn).awaiting_deletion == 2
    (config.trip.inbox / "IMG_0000.JPG").unlink(missing_ok=True)
    (config.trip.inbox / "IMG_0001.JPG").unlink(missing_ok=True)
    (config.trip.inbox / "IMG_0002.JPG").unlink(missing_ok=True)
    assert ingestor.awaiting_deletion() == []
    assert catalogue.counts(conn).awaiting_deletion == 0


def test_a_deleted_original_is_dated_on_its_photo(
    pooled: tuple[Config, sqlite3.Connection],
) -> None:
    config, conn = pooled
    ingestor = make_ingestor(config, lambda event: None)
    [receipt] = ingestor.delete_sources([catalogue.list_photos(conn)[-1]])
    assert receipt.deleted
    assert catalogue.photo_by_id(conn, receipt.photo.id).source_deleted_at is not None
    assert not Path(receipt.source).exists()
