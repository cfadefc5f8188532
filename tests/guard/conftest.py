"""The fixture register read in place, and guard settings like a real trip's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripdesk.config import GuardSettings
from tripdesk.consent.csvfile import read_register, read_roster
from tripdesk.consent.register import Register


@pytest.fixture
def register(fixture_register: Path) -> Register:
    roster = read_roster(fixture_register / "trip_roster.csv")
    return Register(read_register(fixture_register / "sample_register.csv", {}, roster).pupils)


@pytest.fixture
def settings() -> GuardSettings:
    return GuardSettings(partners=("@NHM_London", "@AuthorVisit"))
