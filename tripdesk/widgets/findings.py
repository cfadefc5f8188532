"""The findings panel: what the guard says about the draft, worst first, each one selectable.

Severity is shown as a word as well as a colour, so it reads the same on any theme and for
colour-blind teachers. Selecting a finding asks the screen to move the cursor to its span.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tripdesk.shown import shown
from tripdesk.verdict import Finding

SEVERITY_WORD = {"block": "BLOCKS", "confirm": "CONFIRM", "info": "NOTE"}
SEVERITY_STYLE = {"block": "bold $error", "confirm": "bold $warning", "info": "bold $accent"}
_ORDER = {"block": 0, "confirm": 1, "info": 2}


def finding_content(finding: Finding) -> Content:
    """One finding as styled text: severity word, the policy section it comes from, message."""
    prefix = f"{finding.section}: "
    message = shown(finding.message.removeprefix(prefix))  # it may quote what was typed
    return Content.assemble(
        (f"{SEVERITY_WORD[finding.severity]:<7}", SEVERITY_STYLE[finding.severity]),
        " ",
        (prefix, "italic $text-secondary"),
        message,
    )


class FindingsList(OptionList):
    """The guard's findings for the current draft; Enter or a click selects one."""

    DEFAULT_CSS = """
    FindingsList {
        height: 1fr;
    }
    """

    class FindingSelected(Message):
        """The teacher picked a finding: the screen moves the cursor to where it points."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._findings: tuple[Finding, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self._findings

    def show(self, findings: Sequence[Finding]) -> None:
        """Replace the list, blocking findings first, keeping the highlight where it can."""
        ordered = tuple(sorted(findings, key=lambda f: _ORDER[f.severity]))
        if ordered == self._findings and self.option_count:
            return
        highlighted = self.highlighted
        self._findings = ordered
        self.clear_options()
        if not ordered:
            self.add_option(
                Option(
                    Content.styled("Nothing found: the policy checks pass.", "$text-success"),
                    disabled=True,
                )
            )
            return
        self.add_options(Option(finding_content(f)) for f in ordered)
        self.highlighted = 0 if highlighted is None else min(highlighted, len(ordered) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._findings and event.option_index < len(self._findings):
            self.post_message(self.FindingSelected(self._findings[event.option_index]))
