"""Fixtures for the media tests: a settings object and a database in a fresh TRIPDESK_HOME."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripdesk import config
from tripdesk.config import Config
from tripdesk.desk.database import open_database


@pytest.fixture
def cfg(home: Path) -> Config:
    return config.load(home)


@pytest.fixture
def conn(cfg: Config) -> Iterator[sqlite3.Connection]:
    connection = open_database(cfg.database)
    yield connection
    connection.close()
