"""Fixtures for the pool tests: a trip with a short settle time, and an event recorder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pool_helpers import EventLog

from tripdesk import config as settings
from tripdesk.config import Config


@pytest.fixture
def trip(home: Path) -> Callable[..., Config]:
    """`trip(delete_source="auto", watch="polling")`: settings for a quick test trip."""

    def make(**ingest: object) -> Config:
        values = {"settle_seconds": 0.2, "rescan_seconds": 30, **ingest}
        return settings.update(home, "ingest", values)

    return make


@pytest.fixture
def events() -> EventLog:
    return EventLog()
