"""Photos dropped into a real inbox appear, reach "awaiting deletion", and are deleted on `y`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static
from tui_pilot import SMALL, cells, settle

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.wording import short_path
from tripdesk.screens.delete import DeleteScreen
from tripdesk.widgets.photo_grid import PhotoGrid


def states(app: TripdeskApp) -> dict[str, str]:
    grid = app.photos.query_one(PhotoGrid)
    rows = cells(grid.get_row_at(i) for i in range(grid.row_count))
    return {row[0].strip(): row[2] for row in rows}


async def test_arrivals_wait_for_deletion_then_y_deletes_and_proves_them_gone(
    app_factory: Callable[..., TripdeskApp], tui_trip: Config, fixture_photos: Path
) -> None:
    inbox = tui_trip.trip.inbox
    app = app_factory(watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for name in ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0007_not_a_photo.JPG"):
            shutil.copy(fixture_photos / name, inbox / name)
        await settle(
            pilot,
            lambda: (
                states(app).get("IMG_0001.JPG") == "awaiting deletion"
                and states(app).get("IMG_0002.JPG") == "awaiting deletion"
            ),
            show=lambda: states(app),
        )
        await settle(
            pilot,
            lambda: "waiting for deletion 2" in str(counts(app)),
            show=lambda: counts(app),
        )

        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, DeleteScreen)
        await settle(pilot, lambda: dialog.stage == "asking")
        offer = str(dialog.query_one("#text", Static).content)
        assert "2 originals are safely in the pool" in offer
        assert short_path(inbox) in offer and "IMG_0001.JPG" in offer

        await pilot.press("y")
        await settle(pilot, lambda: dialog.stage == "done")
        receipt = str(dialog.query_one("#text", Static).content)
        assert "Deleted and confirmed gone: 2" in receipt
        assert not (inbox / "IMG_0001.JPG").exists()
        assert not (inbox / "IMG_0002.JPG").exists()
        assert (inbox / "IMG_0007_not_a_photo.JPG").exists(), "a damaged file is never deleted"

        await pilot.press("escape")
        await settle(pilot, lambda: states(app).get("IMG_0001.JPG") == "deleted from phone")
        assert states(app)["IMG_0002.JPG"] == "deleted from phone"
        assert states(app)["IMG_0007_not_a_photo.JPG"].startswith("damaged")


async def test_n_keeps_the_originals(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    pool_photos("IMG_0003.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await settle(pilot, lambda: states(app).get("IMG_0003.JPG") == "awaiting deletion")
        await pilot.press("d")
        dialog = app.screen
        await settle(pilot, lambda: getattr(dialog, "stage", "") == "asking")
        await pilot.press("c", "o", "t", "1")  # the app's keys never act over a dialog
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.photos
        assert (tui_trip.trip.inbox / "IMG_0003.JPG").exists()


async def test_looking_in_the_inbox_by_key_pools_what_is_there(
    app_factory: Callable[..., TripdeskApp], tui_trip: Config, fixture_photos: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shutil.copy(fixture_photos / "IMG_0002.JPG", tui_trip.trip.inbox / "IMG_0002.JPG")
        shutil.copy(fixture_photos / "IMG_0006_truncated.JPG", tui_trip.trip.inbox / "x.JPG")
        await pilot.press("i")
        await settle(pilot, lambda: states(app).get("IMG_0002.JPG") == "awaiting deletion")
        await settle(pilot, lambda: states(app).get("x.JPG", "").startswith("damaged"))


def counts(app: TripdeskApp) -> object:
    return app.photos.query_one("#counts", Static).content


async def test_an_original_changed_since_pooling_is_kept_and_the_receipt_says_why(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    pool_photos("IMG_0002.JPG", "IMG_0003.JPG")
    changed = tui_trip.trip.inbox / "IMG_0003.JPG"
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("d")
        dialog = app.screen
        await settle(pilot, lambda: getattr(dialog, "stage", "") == "asking")
        with changed.open("ab") as original:  # the phone rewrote it after it was pooled
            original.write(b"more")
        await pilot.press("y")
        await settle(pilot, lambda: dialog.stage == "done")
        receipt = str(dialog.query_one("#text", Static).content)
        assert "Deleted and confirmed gone: 1" in receipt
        assert "Not deleted: 1" in receipt and "IMG_0003.JPG: " in receipt
        assert changed.exists() and not (tui_trip.trip.inbox / "IMG_0002.JPG").exists()
