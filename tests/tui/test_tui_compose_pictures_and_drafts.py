"""Compose's newer parts by keys: thumbnails, adding and removing photos, marked words, ctrl+a,
a long paste, the kept drafts list, "hold until" at the final step, and the command palette."""

from __future__ import annotations

from collections.abc import Callable

from test_tui_compose_flow import (
    SIZE,
    declared,
    kept,
    open_compose,
    posts,
    tagged,
    type_text,
    until,
)
from textual import events
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts_kept import KeptDraft, keep, swap_photo
from tripdesk.desk.photos import blurred_copy
from tripdesk.screens.compose import ComposeScreen
from tripdesk.screens.compose_dialogs import KeptDrafts, PhotoChooser, SendPreview
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.screens.help import screen_commands
from tripdesk.screens.outbox import OutboxScreen
from tripdesk.store import transaction
from tripdesk.widgets.alt_text import AltTextField
from tripdesk.widgets.draft_text import DraftText
from tripdesk.widgets.halfblocks import HalfBlockPicture


async def test_photos_show_as_thumbnails_and_can_be_added_and_taken_out(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    astronaut, cup = pool_photos("IMG_0001.JPG", "IMG_0002.JPG")
    astronaut = tagged(tui_trip, astronaut, "P1001")
    cup = declared(tui_trip, cup)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [astronaut])
        await until(pilot, lambda: screen.query(HalfBlockPicture), "the thumbnail")
        assert "IMG_0001.JPG — Amira" in str(screen.query_one("#photo-0 .photo-caption").render())

        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, PhotoChooser), "the photo chooser")
        choices = app.screen.query_one(SelectionList)
        assert choices.option_count == 1  # the photo already attached is not offered again
        await pilot.press("space", "enter")
        await until(pilot, lambda: len(screen.photos) == 2, "the cup to be attached")
        await until(pilot, lambda: len(screen.query(HalfBlockPicture)) == 2, "both thumbnails")
        assert [p.id for p in screen.photos] == [astronaut.id, cup.id]

        screen.query_one("#alt-1", Input).focus()
        await type_text(pilot, "A cup")
        screen.query_one("#alt-0", Input).focus()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: len(screen.photos) == 1, "the astronaut to be taken out")
        assert screen.photos[0].id == cup.id
        assert screen.query_one("#alt-0", Input).value == "A cup"  # its alt text moved with it
        assert len(screen.query(AltTextField)) == 1


async def test_the_words_a_finding_is_about_are_marked_and_ctrl_a_selects_all(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        await type_text(pilot, "Well done Amira Khan ")
        await until(pilot, lambda: screen.verdict and screen.verdict.blocking, "the surname")
        text = screen.query_one("#text", DraftText)
        (start, end), *_ = text.marks
        assert "Khan" in text.text[start:end]

        await pilot.press("ctrl+a")
        assert text.selected_text == text.text
        await pilot.press("backspace")
        await until(pilot, lambda: not text.marks, "the marks to go with the words")


async def test_a_long_paste_goes_in_whole_and_the_count_stays_in_view(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    long_text = "The whale hall was enormous and everyone wanted to stay longer. " * 8
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compose(app, pilot, [])
        text = screen.query_one("#text", TextArea)
        app.post_message(events.Paste(long_text))  # as the terminal sends it, to the app
        await until(pilot, lambda: long_text in text.text, "the pasted text")
        count = screen.query_one("#count", Static)
        await until(pilot, lambda: "/280" in str(count.render()), "the count")
        assert str(count.render()).startswith(str(len(long_text) + len(" #Y6Museum")))
        assert count.region.height == 1 and screen.region.contains_region(count.region)
        await until(
            pilot, lambda: any(f.rule == "length" for f in screen.verdict.blocking), "too long"
        )


async def test_kept_drafts_are_listed_reopened_and_thrown_away(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    conn = open_database(tui_trip.database)
    try:
        old = keep(conn, KeptDraft(text="An older draft about the coach"))
    finally:
        conn.close()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        assert screen.query_one("#text", TextArea).text == "An older draft about the coach"
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen.keeper.draft_id is None, "a new draft")
        await type_text(pilot, "Dinosaurs today ")
        await until(pilot, lambda: len(kept(tui_trip)) == 2, "the new draft to be kept")

        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, KeptDrafts), "the kept drafts")
        listing = app.screen.query_one(OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert "Dinosaurs today" in shown[0] and "(open now)" in shown[0]
        assert "An older draft about the coach" in shown[1]
        listing.highlighted = 1
        await pilot.press("delete", "escape")
        await until(pilot, lambda: [d.id for d in kept(tui_trip)] != [None], "the throw-away")
        await until(pilot, lambda: old.id not in [d.id for d in kept(tui_trip)], "it gone")
        assert screen.query_one("#text", TextArea).text.startswith("Dinosaurs today")


async def test_hold_until_queues_the_post_held_and_a_wrong_time_is_told(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(app, pilot, [])
        await type_text(pilot, "Coach at four ")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SendPreview), "the final step")
        final = app.screen
        await until(pilot, lambda: final.query("#hold-until"), "the hold field")
        assert "Dry-run: nothing will be posted" in str(final.query_one("#dry-run").render())
        hold = final.query_one("#hold-until", Input)
        hold.focus()
        hold.value = "half past"
        await pilot.press("enter")
        problem = final.query_one("#hold-problem", Static)
        await until(pilot, lambda: "is not a time" in str(problem.render()), "the problem told")
        assert app.screen is final and hold.has_focus
        hold.value = "2099-06-11 09:00"
        await pilot.press("enter")  # understood: on to the Record button
        await until(pilot, lambda: final.query_one("#yes").has_focus, "the Record button")
        assert "Held until 09:00" in str(problem.render())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox")
        await until(pilot, lambda: posts(tui_trip), "the post")
    (post,) = posts(tui_trip)
    assert post.state == "held"
    assert post.hold_until is not None and post.hold_until.year == 2099
    assert kept(tui_trip) == []  # a queued draft is no longer kept


async def test_every_compose_action_is_in_the_palette_once_with_a_sentence(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        commands = screen_commands(app, screen)
        names = [command.title for command in commands]
        assert len(names) == len(set(names))
        mine = {"Send", "Add photos", "Remove photo", "Drafts", "New draft", "Findings"}
        assert mine | {"Select all", "Back"} <= set(names)
        assert "Queue (offline)" not in names  # online: the queue key is hidden, so not offered
        said = {command.title: command.help for command in commands}
        assert all(len(said[name].split()) >= 8 for name in mine)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen is not screen, "the palette")
        await type_text(pilot, "add photos")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PhotoChooser), "the chooser")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "Compose again")
        assert not isinstance(app.screen, ConfirmScreen)
        assert isinstance(app.screen, ComposeScreen)


async def test_a_post_needing_approval_asks_a_colleague_for_their_pin(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    from textual.widgets import Select

    from tripdesk import config
    from tripdesk.screens.compose_dialogs import ApproveDialog
    from tripdesk.staff import store as staff

    config.update(tui_trip.home, "trip", {"teacher": "Ms Patel"})
    trip = config.update(tui_trip.home, "approval", {"required": "all"})
    conn = open_database(trip.database)
    staff.add(conn, "Mr Jones", "4821")
    conn.close()
    app = app_factory(trip=trip)
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(app, pilot, [])
        await type_text(pilot, "Coach at four ")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SendPreview), "the final step")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ApproveDialog), "the approval")
        dialog = app.screen
        dialog.query_one("#approver", Select).value = "Mr Jones"
        pin = dialog.query_one("#pin", Input)
        pin.focus()
        pin.value = "1111"
        await pilot.press("enter")
        problem = dialog.query_one("#approve-problem", Static)
        await until(
            pilot,
            lambda: "PIN" in str(problem.render()) and "Checking" not in str(problem.render()),
            "the wrong PIN told",
        )
        assert posts(trip) == [] and pin.value == ""
        assert "1111" not in str(problem.render())
        pin.value = "4821"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox")
        await until(pilot, lambda: posts(trip), "the post")
    (post,) = posts(trip)
    assert post.approved_by == "Mr Jones"


async def test_a_blurred_copy_made_elsewhere_replaces_the_original_in_the_open_draft(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    """Tag (or Photos) blurs a photo of the draft open beneath it: coming back, Compose shows
    the copy and keeps it, never the original with the faces."""
    original, copy = pool_photos("IMG_0001.JPG", "IMG_0002.JPG")
    original = declared(tui_trip, original)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [original])
        screen.query_one("#alt-0", Input).focus()
        await type_text(pilot, "Fossils on a table")
        await until(pilot, lambda: kept(tui_trip) and kept(tui_trip)[0].photos, "a kept draft")
        await until(pilot, lambda: kept(tui_trip)[0].photos[0].alt, "the alt text kept")

        app.push_screen(ConfirmScreen("Blur", "Pretend Tag is open"))
        await pilot.pause()
        conn = open_database(tui_trip.database)
        try:
            with transaction(conn):
                assert swap_photo(conn, original.id, copy.id) == 1
        finally:
            conn.close()
        app.pop_screen()

        await until(pilot, lambda: [p.id for p in screen.photos] == [copy.id], "the copy shown")
        assert screen.query_one("#alt-0", Input).value == "Fossils on a table"
        screen.query_one("#text", TextArea).focus()
        await type_text(pilot, "Look ")
        await until(pilot, lambda: kept(tui_trip)[0].text.startswith("Look"), "the next keep")
        assert [p.photo_id for p in kept(tui_trip)[0].photos] == [copy.id]


async def test_a_blurred_copy_is_named_as_one_in_compose(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    """The teacher tells the copy from its original by name here too (IMG_0001 · blurred)."""
    (photo,) = pool_photos("IMG_0001.JPG")
    conn = open_database(tui_trip.database)
    try:
        copy = blurred_copy(conn, tui_trip, declared(tui_trip, photo), [(10, 10, 40, 40)])
    finally:
        conn.close()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [copy])
        caption = str(screen.query_one("#photo-0 .photo-caption").render())
        assert "IMG_0001 · blurred" in caption and "IMG_0001.JPG" not in caption
