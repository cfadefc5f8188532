"""Peer views as modes, the command palette, Setup's help with the form, the Register's dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree, Input
from tui_pilot import SMALL, TODAY, settle

from tripdesk import config
from tripdesk.app import TripdeskApp
from tripdesk.screens.help import screen_commands
from tripdesk.screens.pick_file import PickFile
from tripdesk.screens.register import RegisterScreen
from tripdesk.screens.setup import FieldProblem, SetupScreen, hashtag_of, trip_values
from tripdesk.screens.tag import TagScreen
from tripdesk.widgets.photo_grid import PhotoGrid


async def test_peer_views_keep_their_place_and_escape_goes_back_to_the_photos(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert app.current_mode == "register"
        register = app.screen
        assert isinstance(register, RegisterScreen)
        register.query_one("#roster", DataTable).move_cursor(row=5)
        await pilot.press("a")
        await pilot.pause()
        assert app.current_mode == "audit"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is register, "the same view, as the teacher left it"
        assert register.query_one("#roster", DataTable).cursor_row == 5
        await pilot.press("o")
        await pilot.pause()
        assert app.current_mode == "outbox"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "photos" and app.screen is app.photos
        await pilot.press("a", "1")
        await pilot.pause()
        assert app.screen is app.photos


async def test_the_palette_offers_each_action_of_the_screen_once_with_a_sentence(
    app_factory: Callable[..., TripdeskApp], pool_photos: Callable[..., list]
) -> None:
    pool_photos("IMG_0002.JPG")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, lambda: app.photos.query_one(PhotoGrid).row_count > 0)
        photos = {c.title: c.help for c in screen_commands(app, app.photos)}
        assert "Zoom" in photos and "full screen" in photos["Zoom"]
        assert "Mark" in photos and "Look in inbox" in photos
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TagScreen))
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), "no command twice"
        tag = {c.title: c.help for c in screen_commands(app, app.screen)}
        assert "blurred" in tag["Blur chosen faces"] and "(key ^f)" in tag["Blur chosen faces"]
        assert {"No identifiable children", "Untag", "Zoom", "Compose", "Register"} <= set(tag)


def test_setup_adds_the_missing_hash_and_names_the_field_that_is_wrong(tmp_path: Path) -> None:
    assert hashtag_of(" Y6Museum ") == "#Y6Museum"
    assert hashtag_of("#Y6Museum") == "#Y6Museum"
    values = trip_values("Zoo", "Y5Zoo", tmp_path / "in", tmp_path / "pool")
    assert values["hashtag"] == "#Y5Zoo"
    with pytest.raises(FieldProblem) as bad:
        trip_values("Zoo", "Y5 Zoo", tmp_path / "in", tmp_path / "pool")
    assert bad.value.field == "hashtag"
    with pytest.raises(FieldProblem) as same:
        trip_values("Zoo", "", tmp_path / "in", tmp_path / "in")
    assert same.value.field == "pool"


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the folder list never got there")


async def test_setup_puts_the_cursor_on_the_wrong_field_and_picks_the_register_from_a_list(
    home: Path, fixture_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fixture_register)
    app = TripdeskApp(config.load(home), watch=False, today=lambda: TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        await pilot.press(*"Year 5 Zoo", "enter", *"Y5 Zoo", "ctrl+s")
        await pilot.pause()
        assert app.focused is screen.query_one("#hashtag", Input)
        screen.query_one("#hashtag", Input).value = "Y5Zoo"
        await pilot.press("ctrl+o")
        # The folder list's loader is a worker that runs while the list is open: wait on it.
        await until(pilot, lambda: isinstance(app.screen, PickFile))
        tree = app.screen.query_one(DirectoryTree)
        await until(pilot, lambda: len(tree.root.children) > 0)
        (node,) = [n for n in tree.root.children if str(n.label) == "sample_register.csv"]
        tree.move_cursor(node)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        register = screen.query_one("#register", Input).value
        assert register == str(fixture_register / "sample_register.csv")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is app.photos)
        saved = config.load(home)
        assert saved.trip.hashtag == "#Y5Zoo"


async def test_a_withdrawn_pupil_shows_no_until_date_and_never_photograph_its_own_word(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one("#roster", DataTable)
        alex = [str(cell) for cell in table.get_row("P1011")]
        assert alex[1] == "withdrawn" and alex[3] == ""
        amira = [str(cell) for cell in table.get_row("P1001")]
        assert amira[1] == "consent" and amira[3] == "2029-07-31"
        ellie = [str(cell) for cell in table.get_row("P1010")]
        assert ellie[1] == "⚠ never photograph" and ellie[3] == ""


async def test_files_an_older_tripdesk_left_open_are_tightened_and_said_once(
    tui_trip: config.Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    import os
    import stat

    from test_tui_compose_flow import until

    old = tui_trip.home / "cache" / "thumbs" / "old.jpg"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"thumbnail")
    os.chmod(old, 0o644)
    app = app_factory()
    async with app.run_test() as pilot:
        said = lambda: [n.message for n in app._notifications if "readable by you" in n.message]  # noqa: E731
        await until(pilot, said, "the sentence")
        [sentence] = said()
        assert sentence.startswith("1 file or folder that an older tripdesk left readable")
        assert sentence.endswith("is now readable by you only.")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


async def test_the_trip_report_is_one_key_away(
    tui_trip: config.Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    from test_tui_compose_flow import until

    app = app_factory()
    async with app.run_test() as pilot:
        await pilot.press("R")

        def written() -> list[str]:
            return [n.message for n in app._notifications if "report written" in n.message]

        await until(pilot, written, "the report")
    [report] = (tui_trip.home / "reports").glob("trip-report-*.html")
    assert str(report) in written()[0]
    assert "Trip report for the safeguarding lead" in report.read_text()
