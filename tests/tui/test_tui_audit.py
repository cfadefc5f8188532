"""The audit as a teacher reads it: sentences, the technical facts beside, dry-run said plainly.

The events are written straight into the log with a fixed time, so the snapshots are stable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from tui_pilot import LARGE, SMALL, settle

from tripdesk import audit
from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.screens.audit import AuditScreen


@pytest.fixture(autouse=True)
def fixed_times(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every event at one time, the register's import too, shown in UTC on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("tripdesk.audit._now", lambda: "2026-06-10T13:30:00.000+00:00")
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def a_trip_day(tui_trip: Config) -> None:
    """Photos pooled, four originals deleted, a post recorded in dry-run."""
    conn = open_database(tui_trip.database)
    try:
        for photo in range(1, 5):
            audit.record(conn, "pool.pooled", photo=photo, sha256=f"{photo:064x}", size=2_000_000)
        for photo in range(1, 5):
            audit.record(
                conn, "pool.source_deleted", photo=photo, sha256=f"{photo:064x}", inode=9000 + photo
            )
        audit.record(conn, "publish.queued", post=1, verdict="ok", photos=[], confirmed=[])
        audit.record(conn, "publish.sent", post=1, state="sent", remote_id="dry-run-1")
    finally:
        conn.close()


def said(screen: AuditScreen) -> list[str]:
    told = screen.query_one("#events", OptionList)
    return [str(told.get_option_at_index(i).prompt) for i in range(told.option_count)]


async def open_audit(pilot: Pilot[None]) -> AuditScreen:
    await pilot.pause()
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(pilot.app.screen, AuditScreen))
    screen = pilot.app.screen
    assert isinstance(screen, AuditScreen)
    return screen


async def test_the_audit_tells_what_happened_and_keeps_the_hashes_beside(
    app_factory: Callable[..., TripdeskApp], a_trip_day: None
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_audit(pilot)
        lines = said(screen)
        assert "Recorded (dry-run) post 1: nothing was posted" in lines[0]
        assert "Put post 1 in the outbox" in lines[1]
        assert "Deleted 4 originals from the phone folder, each confirmed gone" in lines[2]
        assert "Copied 4 photos into the pool, each copy checked" in lines[3]
        assert not any("9001" in line or "0000001" in line for line in lines)
        assert "DRY-RUN" in screen.sub_title

        await pilot.press("down", "down")
        await pilot.pause()
        facts = str(screen.query_one("#detail", Static).render())
        assert "inode: 9001" in facts and "inode: 9004" in facts
        assert f"sha256: {1:064x}" in facts

        await pilot.press("slash", *"dry")
        await settle(pilot, lambda: len(said(screen)) == 1)
        assert "Recorded (dry-run)" in said(screen)[0]


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_audit_story(
    snap_compare,
    app_factory: Callable[..., TripdeskApp],
    a_trip_day: None,
    size: tuple[int, int],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(home))

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_audit(pilot)
        await pilot.press("down", "down")
        await settle(pilot, lambda: "inode" in str(screen.query_one("#detail", Static).render()))

    assert snap_compare(app_factory(), terminal_size=size, run_before=run_before)
