"""Snapshots of each screen with fixed data, `preview = halfcell` and a fixed "today".

Update with `pytest tests/tui/test_tui_snapshots.py --snapshot-update`, then look at every SVG
in tests/tui/__snapshots__/ before keeping it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select, Static
from tui_pilot import LARGE, SMALL, settle

from tripdesk import config
from tripdesk.app import TripdeskApp
from tripdesk.screens.delete import DeleteScreen
from tripdesk.screens.tag import TagScreen
from tripdesk.screens.zoom import ZoomScreen
from tripdesk.widgets.halfblocks import HalfBlockPicture
from tripdesk.widgets.photo_grid import PhotoGrid
from tripdesk.widgets.preview import PhotoPreview


@pytest.fixture(autouse=True)
def fixed_places_and_times(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Folders show as ~/… under a home set to the test's home; audit times are fixed."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr("tripdesk.audit._now", lambda: "2026-06-10T13:30:00.000+00:00")


async def photos_ready(pilot: Pilot[None]) -> None:
    """Rows read, the outbox heard from, and the preview's picture and faces in."""
    app = pilot.app
    assert isinstance(app, TripdeskApp)
    await settle(
        pilot,
        lambda: (
            app.outbox_status is not None
            and app.photos.query_one(PhotoGrid).row_count > 0
            and app.photos.query_one(PhotoPreview).faces is not None
        ),
    )


@pytest.fixture
def four_photos(pool_photos: Callable[..., list]) -> list:
    return pool_photos("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG")


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_photos_screen(snap_compare, app_factory, four_photos, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, run_before=photos_ready)


SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])


@SIZES
def test_tag_screen(snap_compare, app_factory, four_photos, size) -> None:  # type: ignore[no-untyped-def]
    async def tag_jack(pilot: Pilot[None]) -> None:
        await photos_ready(pilot)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(pilot.app.screen, TagScreen))
        screen = pilot.app.screen
        await settle(pilot, lambda: bool(screen.reports))  # type: ignore[attr-defined]
        await pilot.press(*"jack b", "enter")
        await settle(pilot, lambda: "Tagged" in str(screen.query_one("#why", Static).content))
        await pilot.press(*"ell")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=tag_jack)


@SIZES
def test_zoom_screen(snap_compare, app_factory, four_photos, size) -> None:  # type: ignore[no-untyped-def]
    async def zoom(pilot: Pilot[None]) -> None:
        await photos_ready(pilot)
        await pilot.press("z")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ZoomScreen))
        picture = pilot.app.screen.query_one(HalfBlockPicture)
        await settle(pilot, lambda: len(picture.boxes) == 4)

    assert snap_compare(app_factory(), terminal_size=size, run_before=zoom)


@SIZES
def test_delete_dialog(snap_compare, app_factory, four_photos, size) -> None:  # type: ignore[no-untyped-def]
    async def ask(pilot: Pilot[None]) -> None:
        await photos_ready(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: getattr(pilot.app.screen, "stage", "") == "asking")
        assert isinstance(pilot.app.screen, DeleteScreen)

    assert snap_compare(app_factory(), terminal_size=size, run_before=ask)


@SIZES
def test_register_screen(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    async def register(pilot: Pilot[None]) -> None:
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=register)


def test_audit_screen(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    async def consent_events(pilot: Pilot[None]) -> None:
        await pilot.press("a")
        await pilot.pause()
        pilot.app.screen.query_one("#kind", Select).value = "consent."
        await pilot.pause(0.3)

    assert snap_compare(app_factory(), terminal_size=SMALL, run_before=consent_events)


@SIZES
def test_keys_screen(snap_compare, app_factory, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=size, press=["question_mark"])


@SIZES
def test_setup_screen(snap_compare, home, size) -> None:  # type: ignore[no-untyped-def]
    app = TripdeskApp(config.load(home), watch=False)
    assert snap_compare(app, terminal_size=size)
