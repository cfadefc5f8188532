"""The optional poll: up to four options and how long it stays open.

Empty options in the middle are kept, so a finding that points at option N lands on the N-th
input; only the empty tail is dropped.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select

from tripdesk.draft import Poll

MAX_OPTIONS = 4
DURATIONS = [
    ("5 minutes", 5),
    ("1 hour", 60),
    ("1 day", 1440),
    ("3 days", 4320),
    ("7 days", 10080),
]


def duration(minutes: int) -> str:
    """How long a poll stays open, in the words the editor offers it."""
    return next((label for label, value in DURATIONS if value == minutes), f"{minutes} minutes")


class PollEditor(Vertical):
    """A checkbox that turns the poll on, then its option inputs (`#poll-option-<i>`)."""

    DEFAULT_CSS = """
    PollEditor {
        height: auto;
    }
    PollEditor #poll-fields {
        height: auto;
        display: none;
    }
    PollEditor.-on #poll-fields {
        display: block;
    }
    """

    def compose(self) -> ComposeResult:
        yield Checkbox("Add a poll", id="poll-on")
        with Vertical(id="poll-fields"):
            for i in range(MAX_OPTIONS):
                yield Input(
                    placeholder=f"Option {i + 1}", id=f"poll-option-{i}", select_on_focus=False
                )
            yield Select(DURATIONS, value=1440, allow_blank=False, id="poll-minutes")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.set_class(event.value, "-on")

    @property
    def enabled(self) -> bool:
        return self.query_one("#poll-on", Checkbox).value

    def poll(self) -> Poll | None:
        """The poll as the teacher has it, or None when the poll is off."""
        if not self.enabled:
            return None
        options = [self.query_one(f"#poll-option-{i}", Input).value for i in range(MAX_OPTIONS)]
        while options and not options[-1].strip():
            options.pop()
        minutes = self.query_one("#poll-minutes", Select).value
        return Poll(options=tuple(options), minutes=int(minutes))  # type: ignore[arg-type]

    def options(self) -> tuple[str, ...]:
        """Every option input as typed, empty ones too: what a kept draft remembers."""
        return tuple(self.query_one(f"#poll-option-{i}", Input).value for i in range(MAX_OPTIONS))

    @property
    def minutes(self) -> int:
        return int(self.query_one("#poll-minutes", Select).value)  # type: ignore[arg-type]

    def load(self, on: bool, options: tuple[str, ...], minutes: int) -> None:
        """Show a kept draft's poll as it was left."""
        self.query_one("#poll-on", Checkbox).value = on
        self.set_class(on, "-on")
        for i in range(MAX_OPTIONS):
            self.query_one(f"#poll-option-{i}", Input).value = (
                options[i] if i < len(options) else ""
            )
        if any(value == minutes for _, value in DURATIONS):
            self.query_one("#poll-minutes", Select).value = minutes

    def option_input(self, index: int) -> Input | None:
        if 0 <= index < MAX_OPTIONS:
            return self.query_one(f"#poll-option-{index}", Input)
        return None
