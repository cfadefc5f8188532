"""Setup: the first run asks for the trip, its hashtag, the inbox and pool folders, and a register.

Settings are written with `config.update`, which keeps the rest of the teacher's file as it was;
the register is imported in a worker, as on the Register screen. A problem is said in one
sentence and the cursor goes to the field it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.register import RegisterImport, import_consent
from tripdesk.desk.wording import PLACEHOLDER_TRIP, needs_setup, short_path
from tripdesk.errors import TripdeskError
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.path_input import PathInput

HASHTAG = re.compile(r"#\w+")


class FieldProblem(TripdeskError):
    """What is wrong with the form, and the field (its id) to put the cursor in."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class RegisterImported(Message):
    done: RegisterImport
    config: Config


@dataclass
class RegisterRefused(Message):
    reason: str


def hashtag_of(typed: str) -> str:
    """The hashtag as typed, with the # a teacher often leaves off added."""
    typed = typed.strip()
    return f"#{typed}" if typed and not typed.startswith("#") else typed


def trip_values(name: str, hashtag: str, inbox: Path | None, pool: Path | None) -> dict[str, str]:
    """The [trip] settings from the form, or the one sentence saying what is wrong, and where."""
    name = name.strip()
    hashtag = hashtag_of(hashtag)
    if not name or name == PLACEHOLDER_TRIP:
        raise FieldProblem("Give the trip a name, e.g. Year 6 Natural History Museum.", "name")
    if hashtag and not HASHTAG.fullmatch(hashtag):
        raise FieldProblem(
            f"{hashtag!r} is not a hashtag: letters, digits and _ after the #, no spaces.",
            "hashtag",
        )
    if inbox is None or pool is None:
        raise FieldProblem(
            "Give both the inbox folder and the pool folder.", "inbox" if inbox is None else "pool"
        )
    if inbox.expanduser().resolve() == pool.expanduser().resolve():
        raise FieldProblem("The inbox and the pool must be different folders.", "pool")
    for field, folder in (("inbox", inbox), ("pool", pool)):
        try:
            folder.expanduser().mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FieldProblem(
                f"Cannot use the folder {folder}: {error.strerror}.", field
            ) from None
    return {"name": name, "hashtag": hashtag, "inbox": str(inbox), "pool": str(pool)}


class SetupScreen(TripScreen[None]):
    CSS_PATH = "setup.tcss"
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            "Save and start",
            id="setup.save",
            tooltip="Save the trip's settings, import the register if given, and open the photos",
        ),
        Binding(
            "ctrl+o",
            "pick",
            "Choose the register file",
            id="setup.pick",
            tooltip="Find the consent register's CSV file in the folders",
        ),
        Binding(
            "escape",
            "back",
            "Back, unchanged",
            id="setup.back",
            tooltip="Leave the settings as they were",
        ),
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
            with Horizontal(classes="file"):
                yield PathInput(placeholder="register.csv", suffixes=(".csv",), id="register")
                yield Button("Choose… (ctrl+o)", id="pick")
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

    @on(Input.Blurred, "#hashtag")
    def _hash(self) -> None:
        field = self.query_one("#hashtag", Input)
        field.value = hashtag_of(field.value)

    @on(Button.Pressed, "#pick")
    def action_pick(self) -> None:
        from tripdesk.screens.pick_file import PickFile

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#register", PathInput).value = str(path)
                self.query_one("#roster", PathInput).focus()

        self.app.push_screen(PickFile("Choose the consent register", Path.cwd()), chosen)

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
                raise FieldProblem(
                    "Give the register file too: the roster only lists its ids.", "register"
                )
            config = settings.update(self.desk.config.home, "trip", values)
        except TripdeskError as error:
            self._problem(error.message, getattr(error, "field", None))
            return
        self.query_one("#hashtag", Input).value = values["hashtag"]
        if register is None:
            self.desk.finish_setup(config)
            return
        self.query_one("#problem", Static).update(f"Importing {register.name}…")
        self._import(config, register, roster)

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup")
    def _import(self, config: Config, register: Path, roster: Path | None) -> None:
        conn = self.desk.database.connection()
        try:
            done = import_consent(conn, config, register, roster, today=self.desk.today())
        except TripdeskError as error:
            self.post_message(RegisterRefused(error.message))
            return
        self.post_message(RegisterImported(done, config))

    def on_register_imported(self, message: RegisterImported) -> None:
        report = message.done.report
        self.notify(f"Imported {report.count} pupils, {report.on_roster} on the trip.")
        self.desk.finish_setup(message.config)

    def on_register_refused(self, message: RegisterRefused) -> None:
        self._problem(
            f"The trip is saved, but the register was not imported: {message.reason}", "register"
        )

    def _problem(self, message: str, field: str | None) -> None:
        problem = Text(message, style=self.app.theme_variables.get("error", ""))
        self.query_one("#problem", Static).update(problem)
        # The form may be scrolled away from the sentence on a small terminal: say it here too.
        self.notify(message, severity="error", timeout=8)
        if field is not None:
            self.query_one(f"#{field}").focus()
