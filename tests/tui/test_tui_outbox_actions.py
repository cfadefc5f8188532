"""The Outbox screen in the real app: pause all, cancel, and an uncertain post marked as sent.

Posts are queued through the real outbox; the app's own background sender sends them, to the
dry-run backend or to the X stand-in on 127.0.0.1 (tests/publish/xstandin.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Switch

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.draft import Draft
from tripdesk.guard import check
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.screens.outbox import OutboxScreen

# The publish tests' X stand-in: a real HTTP server, shared rather than copied.
sys.path.append(str(Path(__file__).resolve().parents[1] / "publish"))
from xstandin import ENV, XStandIn

SIZE = (100, 30)


@pytest.fixture
def outbox(tui_trip: Config) -> Iterator[Outbox]:
    conn = open_database(tui_trip.database)
    yield Outbox(conn, tui_trip)
    conn.close()


def queue(outbox: Outbox, text: str) -> OutboxPost:
    draft = Draft(text=text)
    verdict = check(draft, load_register(outbox.conn), outbox.config.guard)
    return outbox.queue(draft, verdict)


async def until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition` holds; fail naming `what` after a generous wait."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def rows(app: TripdeskApp) -> dict[str, list[str]]:
    """The outbox table as {post id: [cells]}."""
    table = app.screen.query_one("#posts", DataTable)
    return {
        str(table.get_row_at(i)[0]): [str(cell) for cell in table.get_row_at(i)]
        for i in range(table.row_count)
    }


def state(app: TripdeskApp, post: OutboxPost) -> str:
    return rows(app).get(str(post.id), ["", ""])[1]


async def open_outbox(app: TripdeskApp, pilot: Pilot) -> OutboxScreen:
    await pilot.pause()
    await pilot.press("o")
    await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the Outbox screen")
    assert isinstance(app.screen, OutboxScreen)
    return app.screen


async def highlight(app: TripdeskApp, pilot: Pilot, post: OutboxPost) -> None:
    table = app.screen.query_one("#posts", DataTable)
    table.move_cursor(row=table.get_row_index(str(post.id)))
    await pilot.pause()


async def test_pause_all_holds_posts_and_cancel_keeps_one_from_going(
    app_factory: Callable[..., TripdeskApp], outbox: Outbox
) -> None:
    outbox.set_paused(True)
    first = queue(outbox, "Year 6 loved the dinosaurs today! #Y6Museum")
    second = queue(outbox, "Lunch by the whale. #Y6Museum")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_outbox(app, pilot)
        await until(pilot, lambda: app.outbox_status is not None, "the sender's first report")
        assert screen.query_one("#pause", Switch).value
        assert "PAUSED" in str(screen.query_one("#online").render())
        assert "ON: nothing is sent" in str(screen.query_one("#pause-label").render())
        assert state(app, first) == state(app, second) == "Queued"

        await highlight(app, pilot, second)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the cancel question")
        await pilot.press("y")
        await until(pilot, lambda: state(app, second) == "Cancelled", "the cancelled post")
        assert not app.screen.active_bindings["x"].enabled
        assert not app.screen.active_bindings["m"].enabled

        await pilot.press("p")
        await until(
            pilot, lambda: state(app, first) == "Recorded (dry-run)", "the first post to go out"
        )
        assert not screen.query_one("#pause", Switch).value
        assert "off: posts go out" in str(screen.query_one("#pause-label").render())
        await highlight(app, pilot, first)
        sent = outbox.get(first.id)
        assert sent.url and "dry-run" in sent.url
        assert sent.url in str(screen.query_one("#detail").render())

    assert not outbox.paused
    assert outbox.get(first.id).state == "sent"
    assert outbox.get(second.id).state == "cancelled"


async def test_an_uncertain_post_asks_before_retrying_and_is_marked_sent(
    app_factory: Callable[..., TripdeskApp], outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XStandIn() as x:
        monkeypatch.setenv("TRIPDESK_BACKEND", "x")
        monkeypatch.setenv("TRIPDESK_X_API_BASE", x.base_url)
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        x.fail_next("drop-after")
        post = queue(outbox, "Year 6 loved the dinosaurs today! #Y6Museum")
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_outbox(app, pilot)
            await until(pilot, lambda: state(app, post) == "Uncertain", "the uncertain post")
            await highlight(app, pilot, post)
            assert "check the account" in str(screen.query_one("#detail").render())

            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the warning")
            assert "may already be out" in str(app.screen.query_one("#title").render())
            await pilot.press("n")
            await until(pilot, lambda: app.screen is screen, "the outbox again")
            assert state(app, post) == "Uncertain"

            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press("y")
            await until(pilot, lambda: state(app, post) == "Sent", "the post marked as sent")
            assert not app.screen.active_bindings["s"].enabled
        assert len(x.created) == 1
    assert outbox.get(post.id).state == "sent"
