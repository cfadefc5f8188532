"""A set-up trip and a factory for the app on it, for every TUI test (Photos, Compose, …).

The trip has the fixture register imported, `preview = halfcell` (stable snapshots), a short
settle time so arrivals are pooled quickly, and a fixed "today" so consent dates never drift.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_pilot import NOW, TODAY

from tripdesk import config
from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.store import import_register
from tripdesk.desk.database import open_database
from tripdesk.pool.catalogue import PoolPhoto, list_photos
from tripdesk.pool.ingest import Ingestor


@pytest.fixture(autouse=True)
def owner_only_files() -> Iterator[None]:
    """The app runs as `tripdesk` starts it: creating files for their owner only."""
    before = os.umask(0o077)
    yield
    os.umask(before)


@pytest.fixture
def tui_trip(home: Path, fixture_register: Path) -> Config:
    """A trip that has been set up, with the fixture register and roster imported."""
    config.update(home, "trip", {"name": "Year 6 Museum", "hashtag": "#Y6Museum"})
    config.update(home, "guard", {"partners": ["@NHM_London"]})
    config.update(home, "ingest", {"settle_seconds": 0.1})
    trip = config.update(home, "preview", {"mode": "halfcell"})
    conn = open_database(trip.database)
    try:
        import_register(
            conn,
            trip,
            fixture_register / "sample_register.csv",
            fixture_register / "trip_roster.csv",
            today=TODAY,
        )
    finally:
        conn.close()
    trip.trip.inbox.mkdir(parents=True, exist_ok=True)
    return trip


@pytest.fixture
def app_factory(tui_trip: Config) -> Callable[..., TripdeskApp]:
    """`app_factory(watch=False)` builds the app on the trip; watching the inbox is opt-in."""

    def make(*, watch: bool = False, trip: Config | None = None) -> TripdeskApp:
        return TripdeskApp(trip or tui_trip, watch=watch, today=lambda: TODAY, clock=lambda: NOW)

    return make


@pytest.fixture
def pool_photos(tui_trip: Config, fixture_photos: Path) -> Callable[..., list[PoolPhoto]]:
    """`pool_photos("IMG_0001.JPG", …)` pools those fixture photos through the real ingestor."""

    def pool(*names: str) -> list[PoolPhoto]:
        for name in names:
            shutil.copy(fixture_photos / name, tui_trip.trip.inbox / name)
        Ingestor(
            tui_trip, lambda event: None, connect=lambda: open_database(tui_trip.database)
        ).scan_once()
        conn = open_database(tui_trip.database)
        try:
            return sorted(list_photos(conn), key=lambda photo: photo.id)
        finally:
            conn.close()

    return pool


def pytest_configure(config: pytest.Config) -> None:
    # textual-image 0.12 calls a Pillow method Pillow 13 has deprecated; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:Image.Image.getdata:DeprecationWarning")
