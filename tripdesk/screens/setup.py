"""Setup: the first run asks for the trip, its hashtag, the inbox and pool folders, and a register.

Settings are written with `config.update`, which keeps the rest of the teacher's file as it was.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from tripdesk import config as settings
from tripdesk.consent.store import import_register
from tripdesk.desk.wording import PLACEHOLDER_TRIP, needs_setup, short_path
from tripdesk.errors import TripdeskError
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.path_input import PathInput

if TYPE_CHECKING:
    pass

HASHTAG = re.compile(r"#\w+")


def trip_values(name: str, hashtag: str, inbox: Path | None, pool: Path | None) -> dict[str, str]:
    """The [trip] settings from the form, or the one sentence saying what is wrong."""
    name = name.strip()
    hashtag = hashtag.strip()
    if not name or name == PLACEHOLDER_TRIP:
        raise TripdeskError("Give the trip a name, e.g. Year 6 Natural History Museum.")
    if hashtag and not HASHTAG.fullmatch(hashtag):
        raise TripdeskError(f"{hashtag!r} is not a hashtag: it starts with # and has no spaces.")
    if inbox is None or pool is None:
        raise TripdeskError("Give both the inbox folder and the pool folder.")
    if inbox.expanduser().resolve() == pool.expanduser().resolve():
        raise TripdeskError("The inbox and the pool must be different folders.")
    for folder in (inbox, pool):
        try:
            folder.expanduser().mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TripdeskError(f"Cannot use the folder {folder}: {error.strerror}.") from None
    return {"name": name, "hashtag": hashtag, "inbox": str(inbox), "pool": str(pool)}


class SetupScreen(TripScreen[None]):
    CSS_PATH = "setup.tcss"
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save and start", id="setup.save"),
        Binding("escape", "back", "Back, unchanged", id="setup.back"),
    ]

    def compose(self) -> ComposeResult:
        trip = self.desk.config.trip
        yield Header()
        yield Static("Set up the trip", id="heading")
        with VerticalScroll(id="form"):
            yield Label("Trip name")
            name = "" if trip.name == PLACEHOLDER_TRIP else trip.name
            yield Input(name, placeholder="e.g. Year 6 Natural History Museum", id="name")
            yield Label("Hashtag")
            yield Input(trip.hashtag, placeholder="e.g. #Y6Museum", id="hashtag")
            yield Label("Inbox: the folder the phone's photos land in")
            yield PathInput(short_path(trip.inbox), id="inbox")
            yield Label("Pool: the school's photo pool")
            yield PathInput(short_path(trip.pool), id="pool")
            yield Label("Consent register CSV (optional now; also on the Register screen)")
            yield PathInput(placeholder="register.csv", suffixes=(".csv",), id="register")
            yield Label("Trip roster CSV (optional)")
            yield PathInput(placeholder="roster.csv", suffixes=(".csv",), id="roster")
            yield Static(id="problem")
            yield Button("Save and start", id="save", variant="primary")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self.query_one("#form", VerticalScroll).scroll_home, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the first run there is no trip to go back to."""
        return action != "back" or not needs_setup(self.desk.config)

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        def path(widget_id: str) -> Path | None:
            return self.query_one(f"#{widget_id}", PathInput).path

        try:
            values = trip_values(text("name"), text("hashtag"), path("inbox"), path("pool"))
            register, roster = path("register"), path("roster")
            if roster is not None and register is None:
                raise TripdeskError("Give the register file too: the roster only lists its ids.")
            config = settings.update(self.desk.config.home, "trip", values)
            if register is not None:
                report = import_register(
                    self.desk.conn, config, register, roster, today=self.desk.today()
                )
                self.notify(f"Imported {report.count} pupils, {report.on_roster} on the trip.")
        except TripdeskError as error:
            problem = Text(error.message, style=self.app.theme_variables.get("error", ""))
            self.query_one("#problem", Static).update(problem)
            # The form may be scrolled away from the sentence on a small terminal: say it here too.
            self.notify(error.message, severity="error", timeout=8)
            return
        self.desk.finish_setup(config)
