"""Tagging from the keyboard: consenting pupils tag, others explain, never-photograph refuses."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import OptionList, Static
from tui_pilot import SMALL, cells, settle

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.pool.catalogue import photo_by_id
from tripdesk.screens.tag import TagScreen
from tripdesk.widgets.photo_grid import PhotoGrid


def tags_of(trip: Config, photo_id: int) -> tuple[tuple[str, ...], bool]:
    conn = open_database(trip.database)
    try:
        photo = photo_by_id(conn, photo_id)
    finally:
        conn.close()
    assert photo is not None
    return photo.pupils, photo.no_children


async def open_tag(app: TripdeskApp, pilot) -> TagScreen:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, TagScreen)
    return app.screen


def why(screen: TagScreen) -> str:
    return str(screen.query_one("#why", Static).content)


async def test_type_a_few_letters_and_enter_tags_a_consenting_pupil(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"ami", "enter")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == (("P1001",), False)
        assert "Tagged Amira K. (6B)" in why(screen)
        tagged = screen.query_one("#tagged", OptionList)
        assert "consent" in str(tagged.get_option_at_index(0).prompt)

        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is app.photos)
        row = [str(cell) for cell in app.photos.query_one(PhotoGrid).get_row_at(0)]
        assert row[3] == "Amira K. (6B)"


async def test_two_jacks_are_told_apart_by_initial_and_class(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"jack")
        await pilot.pause()
        matches = screen.query_one("#matches", OptionList)
        prompts = [str(matches.get_option_at_index(i).prompt) for i in range(matches.option_count)]
        assert len(prompts) == 2
        assert prompts[0].startswith("Jack B. (6B)") and prompts[0].endswith("consent")
        assert prompts[1].startswith("Jack H. (6A)") and prompts[1].endswith("no consent")


async def test_a_pupil_without_consent_is_tagged_and_the_teacher_is_told_why_it_cannot_go(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"ben", "enter")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == (("P1002",), False)
        assert "no photo consent" in why(screen)
        assert "cannot be posted" in why(screen)


async def test_a_never_photograph_pupil_is_shown_with_a_warning_and_cannot_be_tagged(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"ellie")
        await pilot.pause()
        matches = screen.query_one("#matches", OptionList)
        assert "⚠ never photograph" in str(matches.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == ((), False)
        assert "must never be photographed" in why(screen)


async def test_no_identifiable_children_is_declared_and_untag_removes_a_pupil(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"grace", "enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == (("P1005",), False), "pupils first, then declare"
        screen.query_one("#tagged", OptionList).focus()
        await pilot.press("delete")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == ((), False)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert tags_of(tui_trip, photo.id) == ((), True)
        assert "Declared no identifiable children" in why(screen)


async def test_faces_are_found_and_blurring_them_makes_a_new_pool_photo(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0001.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await settle(pilot, lambda: photo.id in screen.reports)
        report = screen.reports[photo.id]
        assert report is not None and report.count and report.count >= 1
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: len(screen.changed) == 1)
        (blurred,) = screen.changed.values()
        assert blurred.derived_from == photo.id and blurred.sha256 != photo.sha256
        assert "Made IMG_0001 · blurred" in why(screen) and "the original is kept" in why(screen)
        assert screen.photos == [blurred], "the screen shows the copy, not the original"
        assert blurred.id in screen.reports, "the copy was looked at again for faces"
        await pilot.press("escape")
        await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count == 2)
        rows = cells(map(app.photos.query_one(PhotoGrid).get_row_at, (0, 1)))
        assert ["IMG_0001 · blurred", "blurred copy"] in [[r[0].strip(), r[2]] for r in rows]


async def test_two_quick_picks_are_both_saved_in_order(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list], tui_trip: Config
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_tag(app, pilot)
        await pilot.press(*"ami", "enter", *"grace", "enter")  # no wait between the two
        await settle(pilot, lambda: "Grace" in why(screen))
        assert tags_of(tui_trip, photo.id) == (("P1001", "P1005"), False)
        tagged = screen.query_one("#tagged", OptionList)
        assert tagged.option_count == 2
