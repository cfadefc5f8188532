"""What Compose and its final step look like, with fixed data, at the smallest and a large size.

The pool holds two fixture photos (one pupil with consent tagged, one declared as showing no
children); the text carries a surname and a homework reminder, so the findings panel shows a
blocking finding and one to confirm. Face reports come from the real detector (cached).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, TextArea
from tui_pilot import NOW

from tripdesk import config as settings
from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts_kept import KeptDraft, keep
from tripdesk.desk.final_step import FinalPhoto, final_photos, replies_note
from tripdesk.desk.versions import grouped, versions
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.pool.catalogue import PoolPhoto, set_tags
from tripdesk.screens.compose import ComposeScreen
from tripdesk.screens.compose_dialogs import KeptDrafts, PhotoChooser, SendPreview

MORNING = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TEXT = "Amira Khan met an astronaut! Remember to bring a coat tomorrow."


@pytest.fixture
def two_photos(tui_trip: Config, pool_photos: Callable[..., list[PoolPhoto]]) -> list[PoolPhoto]:
    pooled = {photo.original_name: photo for photo in pool_photos("IMG_0001.JPG", "IMG_0002.JPG")}
    astronaut, cup = pooled["IMG_0001.JPG"], pooled["IMG_0002.JPG"]
    conn = open_database(tui_trip.database)
    try:
        return [
            set_tags(conn, astronaut.id, ["P1001"], False),
            set_tags(conn, cup.id, [], True),
        ]
    finally:
        conn.close()


def compose_with(photos: list[PoolPhoto]) -> Callable[[Pilot], object]:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TripdeskApp)
        await pilot.pause()
        app.open_compose(photos)
        while not isinstance(app.screen, ComposeScreen) or not app.screen.is_mounted:
            await pilot.pause(0.05)
        screen = app.screen
        await app.workers.wait_for_complete()
        text = screen.query_one("#text", TextArea)
        text.cursor_blink = False
        text.insert(TEXT, (0, 0))
        screen.query_one("#alt-0", Input).value = "A pupil beside a model astronaut"
        await pilot.pause()
        screen.run_check()
        await pilot.pause()

    return run_before


def test_compose_at_80x24(
    snap_compare, app_factory: Callable[..., TripdeskApp], two_photos: list[PoolPhoto]
) -> None:
    assert snap_compare(app_factory(), terminal_size=(80, 24), run_before=compose_with(two_photos))


def test_compose_at_160x48(
    snap_compare, app_factory: Callable[..., TripdeskApp], two_photos: list[PoolPhoto]
) -> None:
    assert snap_compare(app_factory(), terminal_size=(160, 48), run_before=compose_with(two_photos))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_final_step_shows_the_prepared_photos(
    snap_compare, tui_trip: Config, two_photos: list[PoolPhoto], size: tuple[int, int]
) -> None:
    cup = two_photos[1]
    draft = Draft(
        text="Still life in the art workshop today! #Y6Museum",
        photos=(
            DraftPhoto(path=str(cup.pool_path), no_children=True, alt="A sketch of a coffee cup"),
        ),
    )
    outgoing: list[FinalPhoto] = final_photos(tui_trip, draft)

    class FinalStep(App[None]):
        """Only the dialog, so the snapshot changes when the final step does, not the photos."""

        def on_mount(self) -> None:
            self.push_screen(
                SendPreview(
                    draft,
                    outgoing,
                    when="",
                    now=True,
                    dry_run=True,
                    preview="halfcell",
                    clock=NOW,
                )
            )

    assert snap_compare(FinalStep(), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_final_step_shows_each_networks_text(
    snap_compare, tui_trip: Config, size: tuple[int, int]
) -> None:
    """A partner written with their Bluesky handle: X and Mastodon each get the partner's own."""
    settings.update(
        tui_trip.home,
        "guard",
        {"partners": [["@NHM_London", "@nhm.bsky.social", "@NHM@mastodon.social"]]},
    )
    config = settings.update(tui_trip.home, "publish", {"backend": ["x", "bluesky", "mastodon"]})
    draft = Draft(text="Thank you @nhm.bsky.social for the dinosaur workshop! #Y6Museum")
    texts = grouped(versions(draft, config))
    assert [networks for networks, _ in texts] == ["X", "Bluesky", "Mastodon"]

    class FinalStep(App[None]):
        def on_mount(self) -> None:
            self.push_screen(
                SendPreview(
                    draft,
                    (),
                    when="",
                    now=True,
                    dry_run=False,
                    preview="halfcell",
                    clock=NOW,
                    versions=texts,
                    replies=replies_note(config),
                )
            )

    assert snap_compare(FinalStep(), terminal_size=size)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Kept drafts show when they were last touched: in UTC, the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_kept_drafts_list(
    snap_compare,
    app_factory: Callable[..., TripdeskApp],
    tui_trip: Config,
    utc: None,
    size: tuple[int, int],
) -> None:
    conn = open_database(tui_trip.database)
    try:
        unset = ("", "", "", "")  # as Compose keeps a poll nobody has typed into
        keep(conn, KeptDraft("Coach leaves at three #Y6Museum", poll_options=unset), now=MORNING)
        keep(
            conn, KeptDraft("Which gallery? #Y6Museum", poll_on=True, poll_options=unset), now=NOON
        )
    finally:
        conn.close()

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TripdeskApp)
        await pilot.pause()
        app.open_compose([])
        while not isinstance(app.screen, ComposeScreen) or app.screen.verdict is None:
            await pilot.pause(0.05)
        app.screen.query_one("#text", TextArea).cursor_blink = False
        app.clear_notifications()  # "Reopened the draft…": a toast's life depends on the clock
        await pilot.pause(0.6)  # past the moment a changed draft would be kept again
        await pilot.press("ctrl+l")
        while not isinstance(app.screen, KeptDrafts):
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_photo_chooser(
    snap_compare,
    app_factory: Callable[..., TripdeskApp],
    two_photos: list[PoolPhoto],
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, TripdeskApp)
        await pilot.pause()
        app.open_compose(two_photos[:1])
        while not isinstance(app.screen, ComposeScreen) or app.screen.verdict is None:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        app.screen.set_focus(None)  # no text cursor under the dialog, blinking or not
        await pilot.press("ctrl+o")
        while not isinstance(app.screen, PhotoChooser):
            await pilot.pause(0.05)
        await pilot.press("space")
        while not app.screen.query_one(SelectionList).selected:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=run_before)
