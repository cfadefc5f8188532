"""The Outbox's newer moves by keys: send a held post now, cut a backoff short, read a post.

Posts are queued through the real outbox; the app's own sender sends them (dry-run, or the X
stand-in on 127.0.0.1), so what the table shows is what the outbox did.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.screens.outbox import OutboxScreen

sys.path.append(str(Path(__file__).resolve().parents[1] / "publish"))
from xstandin import ENV, XStandIn

SIZE = (100, 30)


@pytest.fixture
def outbox(tui_trip: Config) -> Iterator[Outbox]:
    conn = open_database(tui_trip.database)
    yield Outbox(conn, tui_trip)
    conn.close()


def queue(outbox: Outbox, text: str, **how: object) -> OutboxPost:
    draft = Draft(text=text)
    return outbox.queue(draft, check(draft, load_register(outbox.conn), outbox.config.guard), **how)


async def until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def state(app: TripdeskApp, post: OutboxPost) -> str:
    table = app.screen.query_one("#posts", DataTable)
    for i in range(table.row_count):
        row = table.get_row_at(i)
        if str(row[0]) == str(post.id):
            return str(row[1])
    return ""


def detail(app: TripdeskApp) -> str:
    return str(app.screen.query_one("#detail", Static).render())


async def open_outbox(app: TripdeskApp, pilot: Pilot, post: OutboxPost) -> OutboxScreen:
    await pilot.pause()
    await pilot.press("o")
    await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the Outbox screen")
    screen = app.screen
    assert isinstance(screen, OutboxScreen)
    await until(pilot, lambda: state(app, post), "the post in the list")
    table = screen.query_one("#posts", DataTable)
    table.move_cursor(row=table.get_row_index(str(post.id)))
    await pilot.pause()
    return screen


async def test_a_held_post_shows_until_when_and_n_sends_it_now(
    app_factory: Callable[..., TripdeskApp], outbox: Outbox
) -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    post = queue(outbox, "Coach leaves at three #Y6Museum", hold_until=later)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(app, pilot, post)
        assert state(app, post) == "Held"
        assert f"Held until {later.astimezone():%H:%M}" in detail(app)
        assert app.screen.active_bindings["n"].enabled
        await pilot.press("n")
        await until(
            pilot, lambda: state(app, post) == "Recorded (dry-run)", "the post to be recorded"
        )
        assert "Dry-run: Recorded" in detail(app)
        assert "nothing was posted" in detail(app)
        assert not app.screen.active_bindings["n"].enabled
    assert outbox.get(post.id).state == "sent"


async def test_a_post_waiting_out_a_backoff_goes_at_once_on_n(
    app_factory: Callable[..., TripdeskApp], outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XStandIn() as x:
        monkeypatch.setenv("TRIPDESK_BACKEND", "x")
        monkeypatch.setenv("TRIPDESK_X_API_BASE", x.base_url)
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        x.fail_next("503")  # turned away before handling: safe to try again
        post = queue(outbox, "Lunch by the whale #Y6Museum")
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await open_outbox(app, pilot, post)
            await until(
                pilot,
                lambda: (
                    outbox.get(post.id).next_attempt_at is not None and "Next try" in detail(app)
                ),
                "the post to wait out a backoff",
            )
            assert state(app, post) == "Queued"
            await pilot.press("n")
            await until(pilot, lambda: state(app, post) == "Sent", "the post to go at once")
            assert "X: Sent" in detail(app)
            assert "https://x.com/" in detail(app)
            assert "DRY-RUN" not in app.screen.sub_title
        assert len(x.created) == 1
