"""A trip with a small register of its own, so these tests need nothing from ../shared."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.consent.store import import_register
from tripdesk.desk.database import open_database

REGISTER = """\
id,forename,preferred_name,surname,year,class,consent_social_media,consent_website,consent_press,consent_expires,consent_withdrawn,never_photograph
P1,Amira,,Khan,6,6B,yes,yes,no,2029-07-31,,no
P2,Benjamin,Ben,Okafor,6,6B,yes,yes,no,2029-07-31,,no
P3,Jack,,Brown,6,6A,yes,yes,no,2029-07-31,,no
"""


@pytest.fixture
def trip(home: Path) -> Config:
    settings.update(home, "trip", {"name": "Year 6 museum", "teacher": "Ms Patel"})
    return settings.load(home)


@pytest.fixture
def conn(trip: Config) -> Iterator[sqlite3.Connection]:
    connection = open_database(trip.database)
    register = trip.home / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    import_register(connection, trip, register, None)
    yield connection
    connection.close()
