"""Register: the trip roster with each pupil's consent, and importing a new register.

After an import the screen says what changed (who lost or gained consent, who was added or
removed), because a parent withdrawing consent mid-trip must not go unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Static

from tripdesk.consent.register import Pupil, Register
from tripdesk.consent.store import ImportReport
from tripdesk.desk.register import RegisterImport, import_consent, trip_register
from tripdesk.desk.wording import pupil_label
from tripdesk.errors import TripdeskError
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.path_input import PathInput
from tripdesk.widgets.pupil_picker import consent_text


@dataclass
class Imported(Message):
    done: RegisterImport


@dataclass
class ImportFailed(Message):
    reason: str


class RegisterScreen(TripScreen[None]):
    CSS_PATH = "register.tcss"
    AUTO_FOCUS = "#roster"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            show=False,
            id="register.back",
            tooltip="Back to the view the register was opened from",
        ),
        Binding(
            "i",
            "import",
            "Import a register",
            id="register.import",
            tooltip="Replace the consent register with a new CSV from the school office",
        ),
        Binding(
            "ctrl+o",
            "pick",
            "Choose the register file",
            show=False,
            id="register.pick",
            tooltip="Find the register's CSV file in the folders",
        ),
    ]

    def action_back(self) -> None:
        """Back to the view this one was opened from (Photos, or a post being written)."""
        self.desk.back()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="roster", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="import"):
            yield PathInput(placeholder="Register CSV", suffixes=(".csv",), id="register-file")
            yield PathInput(
                placeholder="Trip roster CSV (optional)", suffixes=(".csv",), id="roster-file"
            )
            yield Button("Import", id="import-button")
        yield Static(id="changes")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#roster", DataTable)
        for key, label in (
            ("name", "Pupil"),
            ("consent", "Consent"),
            ("trip", "On trip"),
            ("expires", "Consent until"),
        ):
            table.add_column(label, key=key)
        table.border_title = "Pupils and their photo consent"
        self._fill(trip_register(self.desk.conn, self.config))

    def on_screen_resume(self) -> None:
        """A view kept between visits: the register may have changed meanwhile (Setup)."""
        self._fill(trip_register(self.desk.conn, self.config))

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)

    def action_pick(self) -> None:
        from tripdesk.screens.pick_file import PickFile

        def chosen(path: Path | None) -> None:
            if path is not None:
                field = self.query_one("#register-file", PathInput)
                field.value = str(path)
                field.focus()

        self.app.push_screen(PickFile("Choose the consent register", Path.cwd()), chosen)

    def _fill(self, register: Register) -> None:
        today = self.desk.today()
        table = self.query_one("#roster", DataTable)
        row = table.cursor_row
        table.clear()
        pupils = sorted(register.pupils, key=lambda p: (not p.on_roster, pupil_label(p)))
        for pupil in pupils:
            table.add_row(
                Text(pupil_label(pupil)),
                consent_text(self.app, pupil.status(today)),
                Text("on trip" if pupil.on_roster else "—"),
                Text(until(pupil, today)),
                key=pupil.id,
            )
        table.move_cursor(row=row, animate=False)  # back where the teacher left it
        roster = [p for p in register.pupils if p.on_roster]
        may = sum(1 for p in roster if p.may_appear(today))
        summary = (
            f"{len(register)} pupils on the register, {len(roster)} on this trip; "
            f"{may} of them may appear in photos, {len(roster) - may} may not."
            if len(register)
            else "No register imported yet: press i and give the register's CSV file."
        )
        self.query_one("#summary", Static).update(summary)

    def action_import(self) -> None:
        self.query_one("#register-file", PathInput).focus()

    @on(PathInput.Submitted)
    @on(Button.Pressed, "#import-button")
    def _start_import(self) -> None:
        register_file = self.query_one("#register-file", PathInput).path
        if register_file is None:
            self.notify("Give the register's CSV file first.", severity="warning")
            self.query_one("#register-file", PathInput).focus()
            return
        self.query_one("#changes", Static).update(f"Importing {register_file.name}…")
        self._import(register_file, self.query_one("#roster-file", PathInput).path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register")
    def _import(self, register_file: Path, roster_file: Path | None) -> None:
        conn = self.desk.database.connection()
        try:
            done = import_consent(
                conn, self.desk.config, register_file, roster_file, today=self.desk.today()
            )
        except TripdeskError as error:
            self.post_message(ImportFailed(error.message))
            return
        self.post_message(Imported(done))

    def on_import_failed(self, message: ImportFailed) -> None:
        self.query_one("#changes", Static).update(
            Text(f"Nothing imported: {message.reason}", style=self.app.theme_variables["error"])
        )
        self.notify(message.reason, severity="error", timeout=10)

    def on_imported(self, message: Imported) -> None:
        done = message.done
        self._fill(done.after)
        self.query_one("#changes", Static).update(
            changes_text(done.report, done.before, done.after)
        )
        self.notify(f"Imported {done.report.count} pupils.")
        # Back to the list, so the screen's keys work again without reaching for the mouse.
        self.query_one("#roster", DataTable).focus()


def until(pupil: Pupil, today: date) -> str:
    """The date consent runs to; none once it was withdrawn, or for a never-photograph pupil."""
    if pupil.consent_expires is None or pupil.status(today) not in ("consent", "expired"):
        return ""
    return pupil.consent_expires.isoformat()


def changes_text(report: ImportReport, before: Register, after: Register) -> Text:
    """What an import changed, naming pupils by first name, initial and class."""

    def names(ids: Iterable[str]) -> str:
        labels = []
        for pupil_id in ids:
            pupil = after.get(pupil_id) or before.get(pupil_id)
            labels.append(pupil_label(pupil) if pupil else pupil_id)
        return ", ".join(labels)

    changes = (
        ("lost consent", report.lost_consent),
        ("gained consent", report.gained_consent),
        ("added", report.added),
        ("removed", report.removed),
    )
    text = Text(f"Imported {report.count} pupils, {report.on_roster} on the trip", style="bold")
    # The counts first, on one line: a long list of names must not hide who lost consent.
    counted = [f"{len(ids)} {title}" for title, ids in changes if ids]
    text.append(": " + ", ".join(counted) + "." if counted else ". Nothing else changed.")
    for title, ids in changes:
        if ids:
            text.append(f"\n{title.capitalize()}: ", style="bold")
            text.append(names(ids))
    return text
