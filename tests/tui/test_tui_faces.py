"""Faces the teacher can see: numbered on the picture and in the list, zoomed, blurred by number.

Also the consent marks on the Photos list, and the words a face is described with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from textual.widgets import SelectionList, Static
from tui_pilot import LARGE, SMALL, TODAY, cells, settle

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.register import Pupil, Register
from tripdesk.desk.database import open_database
from tripdesk.media.report import FaceReport
from tripdesk.pool.catalogue import PoolPhoto, photo_by_id
from tripdesk.screens.photos import consent_note
from tripdesk.screens.tag import TagScreen
from tripdesk.screens.zoom import ZoomScreen
from tripdesk.widgets.halfblocks import HalfBlockPicture
from tripdesk.widgets.photo_grid import PhotoGrid
from tripdesk.widgets.preview import PhotoPreview, face_lines, face_words


def test_faces_are_numbered_left_to_right_and_described_by_place_and_size() -> None:
    report = FaceReport(3, ((750, 100, 1000, 300), (10, 10, 60, 60), (400, 50, 440, 90)))
    assert face_lines(report, (1000, 500)) == [
        "face 1, left, small",
        "face 2, middle, small",
        "face 3, right, large",
    ]
    assert face_words((300, 0, 450, 100), (1000, 500)) == "middle, medium"
    assert face_lines(None, (1000, 500)) == []


def pupil(pupil_id: str, **facts: object) -> Pupil:
    given: dict[str, object] = {
        "forename": "Ben",
        "preferred_name": "",
        "surname": "Tate",
        "year": "6",
        "klass": "6A",
        "consent_social_media": False,
        "consent_expires": None,
        "consent_withdrawn": None,
        "never_photograph": False,
        "on_roster": True,
    }
    return Pupil(id=pupil_id, **(given | facts))  # type: ignore[arg-type]


def tagged(*pupils: str) -> PoolPhoto:
    taken = datetime(2026, 6, 10, 10, 0)
    return PoolPhoto(
        1, "ab", Path("p.jpg"), "IMG_1.JPG", "IMG_1.JPG", 1, taken, taken, "photo",
        False, None, None, None, pupils, False,
    )  # fmt: skip


def test_the_photos_list_marks_a_photo_whose_pupil_may_not_appear_by_symbol_and_word() -> None:
    register = Register(
        [
            pupil("P1", consent_social_media=True, consent_expires=date(2030, 1, 1)),
            pupil("P2"),
            pupil("P3", never_photograph=True),
        ]
    )
    colours = {"warning": "yellow", "error": "red"}
    assert str(consent_note(tagged("P1"), register, TODAY, colours)) == "Ben T. (6A)"
    no_consent = consent_note(tagged("P1", "P2"), register, TODAY, colours)
    assert str(no_consent).startswith("✗ no consent · Ben T. (6A)")
    never = consent_note(tagged("P1", "P3"), register, TODAY, colours)
    assert str(never).startswith("⚠ never photograph · ")
    assert never.spans[0].style == "bold red", "never-photograph has its own colour"


async def test_tagging_a_pupil_without_consent_warns_at_once_and_marks_the_photo(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"ben", "enter")
        said = str(app.screen.query_one("#why", Static).content)
        assert "cannot be posted" in said, "told while the tag is still being saved"
        grid = app.photos.query_one(PhotoGrid)
        await settle(pilot, lambda: "no consent" in cells([grid.get_row_at(0)])[0][3])
        assert cells([grid.get_row_at(0)])[0][3].startswith("✗ no consent · Ben")


async def open_tag_on_group(app: TripdeskApp, pilot) -> TagScreen:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
    await pilot.press("t")
    await settle(pilot, lambda: isinstance(app.screen, TagScreen))
    screen = app.screen
    assert isinstance(screen, TagScreen)
    await settle(pilot, lambda: screen.query_one("#faces", SelectionList).option_count > 0)
    return screen


async def test_a_face_chosen_by_its_number_is_blurred_in_a_copy_that_keeps_the_tags(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (group,) = pool_photos("IMG_0004.JPG")
    app = app_factory()
    async with app.run_test(size=LARGE) as pilot:
        screen = await open_tag_on_group(app, pilot)
        await pilot.press(*"ami", "enter")
        await settle(pilot, lambda: screen.photos[0].pupils == ("P1001",))
        faces = screen.query_one("#faces", SelectionList)
        labels = [str(faces.get_option_at_index(i).prompt) for i in range(faces.option_count)]
        assert labels == [
            f"face {n}, {where}"
            for n, where in enumerate(
                ["left, small", "left, small", "left, small", "middle, small"], start=1
            )
        ]
        picture = screen.query_one(PhotoPreview).query_one(HalfBlockPicture)
        assert [box.number for box in picture.boxes] == [1, 2, 3, 4], "the same numbers drawn"

        screen.query_one("#matches").focus()  # a face's number works away from the list too
        await pilot.press("1", "3", "4")  # untick faces 1, 3 and 4 by their numbers
        assert faces.selected == [(0, 1)], "face 2 only"
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: screen.photos[0].id != group.id)
        (copy,) = screen.photos
        assert copy.derived_from == group.id
        assert copy.pupils == ("P1001",), "the copy keeps the original's tags"
        report = screen.reports[copy.id]
        assert report is not None and report.count == 3, "looked at again: one face fewer"
        assert "Tagging IMG_0004 · blurred" in str(screen.query_one("#title", Static).content)
        rows = cells(map(app.photos.query_one(PhotoGrid).get_row_at, range(2)))
        assert "IMG_0004 · blurred" in [row[0].strip() for row in rows]
    conn = open_database(tui_trip.database)
    try:
        kept = photo_by_id(conn, group.id)
    finally:
        conn.close()
    assert kept is not None and kept.sha256 == group.sha256, "the original is untouched"


async def test_z_zooms_the_photo_with_its_numbered_faces_and_escape_closes_it(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0004.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        preview = app.photos.query_one(PhotoPreview)
        await settle(pilot, lambda: preview.faces is not None and preview.picture is not None)
        await pilot.press("z")
        await settle(pilot, lambda: isinstance(app.screen, ZoomScreen))
        zoom = app.screen
        picture = zoom.query_one(HalfBlockPicture)
        await settle(pilot, lambda: len(picture.boxes) == 4)
        about = str(zoom.query_one("#about", Static).content)
        assert "4 faces detected — 1: left, small; 2: left, small" in about
        assert picture.size.height >= 12, "at 80×24 the photo fills most of the screen"
        await pilot.press("t")  # the app's keys wait while zoomed
        assert app.screen is zoom
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.photos


def test_a_256_colour_terminal_gets_the_picture_dithered_to_its_palette() -> None:
    from PIL import Image

    from tripdesk.widgets.halfblocks import dithered

    levels = {0, 95, 135, 175, 215, 255}
    greys = {8 + 10 * n for n in range(24)}
    ramp = Image.linear_gradient("L").resize((64, 16)).convert("RGB")
    out = dithered(ramp)
    colours = {colour for _count, colour in out.getcolors(4096) or []}
    assert all(set(c) <= levels or (len(set(c)) == 1 and c[0] in greys) for c in colours)
    # Dithering mixes neighbouring colours, so a smooth ramp keeps more than a few flat bands.
    assert len(colours) >= 8
