"""Blur in one step from Photos: `b` shows the photo's numbered faces, a number ticks one, Enter
makes the copy in a worker, and Photos then shows the copy chosen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static
from tui_pilot import LARGE, SMALL, settle

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk import photos as desk_photos
from tripdesk.desk.database import open_database
from tripdesk.pool.catalogue import PoolPhoto, list_photos
from tripdesk.screens.blur import BlurScreen
from tripdesk.screens.photos import PhotosScreen
from tripdesk.widgets.face_choice import FaceChoice
from tripdesk.widgets.halfblocks import HalfBlockPicture
from tripdesk.widgets.photo_grid import PhotoGrid
from tripdesk.widgets.preview import PhotoPreview


def pool_now(trip: Config) -> list[PoolPhoto]:
    conn = open_database(trip.database)
    try:
        return sorted(list_photos(conn), key=lambda photo: photo.id)
    finally:
        conn.close()


def tag_amira(trip: Config, photo: PoolPhoto) -> PoolPhoto:
    conn = open_database(trip.database)
    try:
        return desk_photos.tag(conn, photo, ["P1001"], no_children=False)
    finally:
        conn.close()


def toasts(app: TripdeskApp) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


async def open_blur(app: TripdeskApp, pilot: Pilot[None]) -> BlurScreen:
    await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
    await pilot.press("b")
    await settle(pilot, lambda: isinstance(app.screen, BlurScreen), show=lambda: toasts(app))
    dialog = app.screen
    assert isinstance(dialog, BlurScreen)
    await pilot.pause()
    return dialog


async def test_a_face_chosen_by_its_number_is_blurred_from_photos_in_a_copy_that_keeps_the_tags(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (group,) = pool_photos("IMG_0004.JPG")
    group = tag_amira(tui_trip, group)
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        dialog = await open_blur(app, pilot)
        faces = dialog.query_one(FaceChoice)
        labels = [str(faces.get_option_at_index(i).prompt) for i in range(faces.option_count)]
        assert labels[:2] == ["face 1, left, small", "face 2, left, small"]
        assert len(labels) == 4 and faces.selected == [], "nothing ticked until the teacher says"
        picture = dialog.query_one(HalfBlockPicture)
        assert [box.number for box in picture.boxes] == [1, 2, 3, 4], "the same numbers drawn"

        await pilot.press("enter")  # nothing ticked yet: told, and the dialog stays
        assert app.screen is dialog
        assert "Tick a face first" in str(dialog.query_one("#hint", Static).content)

        await pilot.press("2")
        assert faces.selected == [(0, 1)], "face 2 only"
        await pilot.press("enter")
        grid = app.photos.query_one(PhotoGrid)
        await settle(pilot, lambda: grid.row_count == 2, show=lambda: toasts(app))
        copy = grid.photo_at_cursor()
        assert copy is not None and copy.derived_from == group.id, "the copy is chosen"
        assert app.screen is app.photos
        await settle(pilot, lambda: any("Made IMG_0004 · blurred" in t for t in toasts(app)))
        (said,) = [t for t in toasts(app) if t.startswith("Made")]
        assert (
            said
            == "Made IMG_0004 · blurred with its tags (still 3 faces seen); the original is kept."
        )
        assert str(grid.get_row_at(grid.cursor_row)[0]).strip() == "IMG_0004 · blurred"

    photos = pool_now(tui_trip)
    assert len(photos) == 2, "a new pool photo"
    original, made = photos
    assert made.derived_from == original.id and made.sha256 != group.sha256
    assert made.pupils == ("P1001",), "the copy keeps the original's tags"
    assert original.sha256 == group.sha256 and original.pupils == ("P1001",), "original untouched"
    assert (tui_trip.trip.pool / original.pool_path).exists()


async def test_a_number_and_enter_typed_together_are_taken_in_turn(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    """Keys that reach the app in one burst (a quick typist, a terminal over ssh) tick first."""
    pool_photos("IMG_0001.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await open_blur(app, pilot)
        app.post_message(events.Key("1", "1"))  # as the terminal driver hands keys over
        app.post_message(events.Key("enter", "\r"))
        grid = app.photos.query_one(PhotoGrid)
        await settle(pilot, lambda: grid.row_count == 2, show=lambda: toasts(app))
    assert len(pool_now(tui_trip)) == 2


async def test_a_click_inside_a_face_box_on_the_picture_ticks_that_face(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0004.JPG")
    app = app_factory()
    async with app.run_test(size=LARGE) as pilot:
        dialog = await open_blur(app, pilot)
        picture = dialog.query_one(HalfBlockPicture)
        face = picture.boxes[3]
        size = picture.content_size
        middle = (
            int((face.left + face.right) / 2 * size.width),
            int((face.top + face.bottom) / 2 * size.height),
        )
        await pilot.click(HalfBlockPicture, offset=middle)
        assert dialog.query_one(FaceChoice).selected == [(0, 3)], "face 4, clicked on the photo"
        await pilot.click(HalfBlockPicture, offset=(0, 0))  # the sky: no face there
        assert dialog.query_one(FaceChoice).selected == [(0, 3)]


async def test_escape_goes_back_without_blurring(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    pool_photos("IMG_0004.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await open_blur(app, pilot)
        await pilot.press("1", "escape")
        await pilot.pause()
        assert app.screen is app.photos
        await app.workers.wait_for_complete()
    assert len(pool_now(tui_trip)) == 1, "nothing was made"


async def test_a_photo_with_no_faces_gets_one_sentence_and_no_dialog(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
        await pilot.press("b")
        await settle(pilot, lambda: any(t.startswith("No faces") for t in toasts(app)))
        assert "No faces found in IMG_0002.JPG: there is nothing to blur." in toasts(app)
        assert app.screen is app.photos


async def test_faces_not_yet_found_are_looked_for_first_in_a_worker(
    app_factory: Callable[..., TripdeskApp],
    pool_photos: Callable[..., list],
    tui_trip: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before the preview has found the faces, `b` looks for them and then opens the dialog."""
    pool_photos("IMG_0004.JPG")
    monkeypatch.setattr(PhotosScreen, "_load_preview", lambda self, photo: None)
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
        assert app.photos.query_one(PhotoPreview).faces is None
        await pilot.press("b")
        assert "Looking for faces in IMG_0004.JPG…" in toasts(app)
        await settle(pilot, lambda: isinstance(app.screen, BlurScreen))
        assert app.screen.query_one(FaceChoice).option_count == 4


async def test_keys_are_answered_while_the_copy_is_being_made(
    app_factory: Callable[..., TripdeskApp],
    pool_photos: Callable[..., list],
    tui_trip: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool_photos("IMG_0003.JPG", "IMG_0004.JPG")
    release = threading.Event()
    started = threading.Event()
    real = desk_photos.blurred_copy

    def slow_copy(*args: object, **kwargs: object) -> PoolPhoto:
        started.set()
        assert release.wait(30), "the test never let the copy finish"
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(desk_photos, "blurred_copy", slow_copy)
    app = app_factory()
    async with app.run_test(size=LARGE) as pilot:
        grid = app.photos.query_one(PhotoGrid)
        await settle(pilot, lambda: grid.row_count == 2)
        assert str(grid.get_row_at(grid.cursor_row)[0]).strip() == "IMG_0004.JPG"
        await open_blur(app, pilot)
        await pilot.press("1", "enter")
        for _ in range(400):
            if started.is_set():
                break
            await pilot.pause(0.05)
        assert started.is_set(), "the copy is being made in a worker"
        await pilot.press("up")  # while the worker holds the copy back
        await pilot.pause()
        assert grid.cursor_row == 0, "the cursor moved while blurring"
        assert app.screen is app.photos and grid.row_count == 2
        release.set()
        await settle(pilot, lambda: grid.row_count == 3)
        copy = grid.photo_at_cursor()
        assert copy is not None and copy.derived_from is not None, "the copy is chosen at the end"


async def test_the_keys_help_and_the_palette_offer_blur_with_a_sentence(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    from tripdesk.screens.help import every_key, screen_commands

    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        keys = every_key(app)
        assert ("Photos", "b", "Blur") in keys
        assert ("Blur", "1 … 9", "Tick or untick the face of that number") in keys
        commands = {c.title: c.help for c in screen_commands(app, app.photos)}
        assert commands["Blur"].startswith("Choose faces of the photo under the cursor")
        assert commands["Blur"].endswith("(key b)")


@pytest.fixture
def fixed_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Folders show as ~/… under the test's home, as in the other snapshots."""
    monkeypatch.setenv("HOME", str(home))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_blur_dialog(snap_compare, app_factory, pool_photos, fixed_home, size) -> None:  # type: ignore[no-untyped-def]
    pool_photos("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG")

    async def face_two_ticked(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, TripdeskApp)
        preview = app.photos.query_one(PhotoPreview)
        await settle(
            pilot,
            lambda: app.outbox_status is not None and preview.faces is not None,
        )
        dialog = await open_blur(app, pilot)
        picture = dialog.query_one(HalfBlockPicture)
        await settle(pilot, lambda: len(picture.boxes) == 4)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=size, run_before=face_two_ticked)
