"""Fixtures for the media tests: a settings object and a database in a fresh TRIPDESK_HOME."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripdesk import config, store
from tripdesk.config import Config


@pytest.fixture
def cfg(home: Path) -> Config:
    return config.load(home)


@pytest.fixture
def conn(cfg: Config) -> Iterator[sqlite3.Connection]:
    connection = store.connect(cfg.database)
    yield connection
    connection.close()
