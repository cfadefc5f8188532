"""Register import, first-run setup, the audit log and the keys list, driven by keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Static
from tui_pilot import SMALL, TODAY, settle

from tripdesk import audit, config
from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.consent.store import load_register
from tripdesk.desk.database import open_database
from tripdesk.screens.audit import AuditScreen
from tripdesk.screens.help import HelpScreen
from tripdesk.screens.photos import PhotosScreen, outbox_summary
from tripdesk.screens.register import RegisterScreen
from tripdesk.screens.setup import SetupScreen


async def test_register_shows_consent_as_a_word_and_an_import_says_what_changed(
    app_factory: Callable[..., TripdeskApp],
    tui_trip: Config,
    tmp_path: Path,
    fixture_register: Path,
) -> None:
    changed = tmp_path / "register.csv"
    lines = (fixture_register / "sample_register.csv").read_text(encoding="utf-8").splitlines()
    lines = [
        line.replace("P1001,Amira,,Khan,6,6B,yes", "P1001,Amira,,Khan,6,6B,no")
        for line in lines
        if not line.startswith("P1030,")
    ]
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    ids = (fixture_register / "trip_roster.csv").read_text(encoding="utf-8").split()
    roster.write_text("\n".join(i for i in ids if i != "P1030") + "\n", encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        table = screen.query_one("#roster", DataTable)
        assert [str(c) for c in table.get_row("P1001")][:3] == [
            "Amira K. (6B)",
            "consent",
            "on trip",
        ]
        assert str(table.get_row("P1010")[1]) == "⚠ never photograph"
        assert str(table.get_row("P1009")[1]) == "expired"

        await pilot.press("i")
        await pilot.press(*str(changed))
        screen.query_one("#roster-file", Input).value = str(roster)
        await pilot.press("enter")
        await settle(
            pilot, lambda: "Imported 29 pupils" in changes(screen), show=lambda: changes(screen)
        )
        first_line = changes(screen).splitlines()[0]
        assert first_line.endswith(": 1 lost consent, 1 removed."), first_line
        assert "Lost consent: Amira K. (6B)" in changes(screen)
        assert "Removed: Jacob S. (6A)" in changes(screen)
        assert str(table.get_row("P1001")[1]) == "no consent"

        assert app.focused is table  # back on the list: the screen's keys work again
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.photos


async def test_a_bad_register_file_is_refused_in_one_sentence_and_nothing_changes(
    app_factory: Callable[..., TripdeskApp], tui_trip: Config, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nAmira,blue\n", encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("r", "i", *str(bad), "enter")
        screen = app.screen
        await settle(
            pilot, lambda: "Nothing imported" in changes(screen), show=lambda: changes(screen)
        )
        assert "Traceback" not in changes(screen)
        assert len(load_register(app.conn)) == 30


async def test_first_run_asks_for_the_trip_saves_it_and_opens_the_photos(
    home: Path, fixture_register: Path
) -> None:
    fresh = config.load(home)
    app = TripdeskApp(fresh, watch=False, today=lambda: TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        await pilot.press("ctrl+s")
        assert "Give the trip a name" in str(screen.query_one("#problem", Static).content)
        await pilot.press(*"Year 5 Zoo", "enter", *"#Y5Zoo")
        screen.query_one("#register", Input).value = str(fixture_register / "sample_register.csv")
        screen.query_one("#roster", Input).value = str(fixture_register / "trip_roster.csv")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, PhotosScreen))
        saved = config.load(home)
        assert (saved.trip.name, saved.trip.hashtag) == ("Year 5 Zoo", "#Y5Zoo")
        assert len(load_register(app.conn)) == 30
        assert app.title == "Year 5 Zoo"


async def test_audit_lists_events_newest_first_and_filters_by_word(
    app_factory: Callable[..., TripdeskApp], tui_trip: Config
) -> None:
    conn = open_database(tui_trip.database)
    audit.record(conn, "pool.pooled", photo=7, sha256="abc123")
    audit.record(conn, "publish.sent", post=3)
    conn.close()
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        told = screen.query_one("#events", OptionList)
        said = [str(told.get_option_at_index(i).prompt) for i in range(told.option_count)]
        assert "Sent post 3 to the network" in said[0]
        assert "Copied 1 photo into the pool" in said[1]
        assert "Imported the consent register" in said[2]
        await pilot.press("slash", *"abc123")
        await settle(pilot, lambda: told.option_count == 1)
        assert "Copied 1 photo into the pool" in str(told.get_option_at_index(0).prompt)


async def test_question_mark_lists_every_key_and_escape_goes_back(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        does = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"Delete from phone", "Compose", "Tag", "Register", "Audit", "Outbox"} <= does
        assert {"No identifiable children", "Yes, delete them", "Import a register"} <= does
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.photos


def changes(screen: object) -> str:
    return str(screen.query_one("#changes", Static).content)  # type: ignore[attr-defined]


def test_the_header_counts_posts_on_their_way_and_posts_that_need_the_teacher() -> None:
    assert outbox_summary({}) == "in the outbox 0 · unsent 0"
    counts = {"queued": 2, "sending": 1, "sent": 5, "failed": 1, "uncertain": 1, "cancelled": 3}
    assert outbox_summary(counts) == "in the outbox 3 · unsent 2"


async def test_every_screen_is_in_the_command_palette(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        wanted = {"Photos", "Compose", "Tag", "Delete from phone", "Outbox", "Register", "Audit"}
        assert wanted | {"Keys", "Trip settings"} <= titles
