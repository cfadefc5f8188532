"""Find a pupil on the trip roster by typing a few letters; consent shows as a word and a colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tripdesk.consent.register import Pupil
from tripdesk.desk.wording import matches, pupil_label

CONSENT_COLOURS = {"consent": "success", "never photograph": "error"}


def consent_text(app: App[object], status: str) -> Text:
    """The consent word in the theme's colour for it: green only ever next to "consent"."""
    colour = app.theme_variables.get(CONSENT_COLOURS.get(status, "warning"), "")
    word = f"⚠ {status}" if status == "never photograph" else status
    return Text(word, style=f"bold {colour}" if status != "consent" else colour)


class PupilPicker(Vertical):
    """An input above the matching pupils; Enter (or a click) picks the highlighted one."""

    DEFAULT_CSS = """
    PupilPicker { height: 1fr; }
    PupilPicker OptionList { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next pupil", show=False),
        Binding("up", "move(-1)", "Previous pupil", show=False),
    ]

    @dataclass
    class Picked(Message):
        pupil: Pupil

    def __init__(self, roster: Sequence[Pupil], today: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.roster = sorted(roster, key=lambda p: (p.display_name.casefold(), p.surname))
        self.today = today

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type a few letters of a name", id="find")
        yield OptionList(id="matches")

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed, "#find")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#find")
    def _enter(self) -> None:
        options = self.query_one("#matches", OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#matches")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#matches", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = (current + step) % options.option_count

    def _fill(self, query: str) -> None:
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        options.add_options(
            Option(self._prompt(pupil), id=pupil.id)
            for pupil in self.roster
            if matches(pupil, query)
        )
        if options.option_count:
            options.highlighted = 0

    def _prompt(self, pupil: Pupil) -> Text:
        prompt = Text(f"{pupil_label(pupil):<15} ")
        prompt.append_text(consent_text(self.app, pupil.status(self.today)))
        return prompt

    def _pick(self, pupil_id: str | None) -> None:
        """Report the pupil and empty the box, ready for the next name."""
        pupil = next((p for p in self.roster if p.id == pupil_id), None)
        if pupil is not None:
            self.post_message(self.Picked(pupil))
            self.query_one("#find", Input).value = ""
