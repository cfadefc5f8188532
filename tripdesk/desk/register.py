"""Importing a consent register the same way from Setup, the Register screen and the command.

The register as it stood before is read in the same call, so the caller can say who lost or
gained consent: a parent withdrawing consent mid-trip must not go unnoticed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tripdesk.config import Config
from tripdesk.consent.register import Register
from tripdesk.consent.store import ImportReport, import_register, load_register


@dataclass(frozen=True)
class RegisterImport:
    """What an import did, and the register before and after it."""

    report: ImportReport
    before: Register
    after: Register


def trip_register(conn: sqlite3.Connection, config: Config) -> Register:
    """The register as this trip reads it: looked-after pupils as `[guard] looked_after` says."""
    return load_register(conn, looked_after=config.guard.looked_after)


def import_consent(
    conn: sqlite3.Connection,
    config: Config,
    register_csv: Path,
    roster_csv: Path | None = None,
    *,
    today: date | None = None,
) -> RegisterImport:
    """Import the register (and the trip roster); raises TripdeskError, changing nothing, if bad."""
    before = trip_register(conn, config)
    report = import_register(conn, config, register_csv, roster_csv, today=today)
    return RegisterImport(report, before, trip_register(conn, config))
