"""The one yes/no dialog: a finding to confirm, a post to mark as sent, a draft to abandon.

`y` answers yes, `n` or escape answers no; the dialog dismisses with the answer. The No
button has the focus at first, so a stray Enter never confirms anything.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tripdesk.verdict import Finding
from tripdesk.widgets.findings import finding_content


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismiss with True for yes, False for no."""

    CSS_PATH = "confirm.tcss"
    AUTO_FOCUS = "#no"  # Enter on its own never says yes
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(
        self,
        title: str,
        body: str | Content,
        *,
        yes: str = "Yes",
        no: str = "No",
    ) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self._title, id="title", markup=False)
            yield from self.compose_body()
            with Horizontal(id="buttons"):
                yield Button(f"{self._yes} (y)", id="yes", variant="primary")
                yield Button(f"{self._no} (n)", id="no")

    def compose_body(self) -> ComposeResult:
        """What the question is about; a dialog showing more than text overrides this."""
        yield Static(self._body, id="body", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def confirm_finding(finding: Finding, number: int, total: int) -> ConfirmScreen:
    """The dialog for one finding that needs the teacher's say-so before the post goes out."""
    body = finding_content(finding)
    return ConfirmScreen(
        f"Check {number} of {total}: is this all right to post?",
        body,
        yes="Yes, it is fine",
        no="No, go back",
    )
