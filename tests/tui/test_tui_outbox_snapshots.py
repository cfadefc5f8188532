"""What the Outbox looks like with one post in every state a teacher meets, from fixed data.

The posts go through the real outbox against the X stand-in (deterministic post ids, so the
links are stable) with a fixed clock; sending is paused afterwards so nothing moves.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.desk.sending import review_draft
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.publish.outbox import Outbox

sys.path.append(str(Path(__file__).resolve().parents[1] / "publish"))
from xstandin import ENV, XStandIn

QUEUED_AT = datetime(2026, 6, 10, 13, 5, tzinfo=UTC)
TEXTS = (
    "Year 6 loved the dinosaurs today! #Y6Museum",
    "Lunch on the lawn, then the whale hall. #Y6Museum",
    "Back on the coach, tired and happy. #Y6Museum",
    "Packed lunches ready for tomorrow #Y6Museum",
    "Home time: the coach is back at four #Y6Museum",
)
HELD_UNTIL = datetime(2030, 6, 10, 16, 0, tzinfo=UTC)  # far ahead, so it is held on any day


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test, so the times on screen are the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def every_state(tui_trip: Config, monkeypatch: pytest.MonkeyPatch, utc: None) -> Iterator[None]:
    """A sent, an uncertain, a cancelled, a queued and a held post, and sending paused."""
    with XStandIn() as x:
        monkeypatch.setenv("TRIPDESK_BACKEND", "x")
        monkeypatch.setenv("TRIPDESK_X_API_BASE", x.base_url)
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        conn = open_database(tui_trip.database)
        try:
            outbox = Outbox(conn, tui_trip, clock=lambda: QUEUED_AT, review=review_draft)
            register = load_register(conn)

            def queue(text: str, **how: object) -> int:
                draft = Draft(text=text)
                return outbox.queue(draft, check(draft, register, tui_trip.guard), **how).id

            queue(TEXTS[0])
            outbox.send_due()
            queue(TEXTS[1])
            x.fail_next("drop-after")
            outbox.send_due()
            outbox.cancel(queue(TEXTS[2]))
            outbox.set_paused(True)
            queue(TEXTS[3])
            queue(TEXTS[4], hold_until=HELD_UNTIL)
        finally:
            conn.close()
        yield


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_outbox(
    snap_compare,
    app_factory: Callable[..., TripdeskApp],
    every_state: None,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TripdeskApp)
        await pilot.pause()
        await pilot.press("o")
        while app.outbox_status is None or type(app.screen).__name__ != "OutboxScreen":
            await pilot.pause(0.05)
        table = app.screen.query_one("#posts", DataTable)
        table.move_cursor(row=table.row_count - 1)  # the sent post: its delivery and link
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=run_before)
