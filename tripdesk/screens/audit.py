"""Audit: what happened on the trip, newest first, as sentences; the technical facts beside.

The log is told by `desk.audit_story` (runs of one kind as one sentence); the highlighted
sentence's events, with every hash, size and inode, are in the side pane. Filtered by part of
the trip and by any word, id or file name in the events.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from tripdesk import audit
from tripdesk.desk.audit_story import StoryLine, details, story
from tripdesk.screens.badge import with_badge
from tripdesk.screens.trip import TripScreen

SHOWN = 500
FILTER_DELAY = 0.2
PARTS = (
    ("Everything", ""),
    ("Photos in the pool", "pool."),
    ("Consent register", "consent."),
    ("Policy checks", "guard."),
    ("Faces and preparing", "media."),
    ("Posts", "publish."),
    ("Staff", "staff."),
)


class AuditScreen(TripScreen[None]):
    CSS_PATH = "audit.tcss"
    AUTO_FOCUS = "#events"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "find",
            "Filter",
            key_display="/",
            id="audit.filter",
            tooltip="Show only events with a word, id or file name in them",
        ),
        Binding(
            "f5",
            "reload",
            "Reload",
            id="audit.reload",
            tooltip="Read the audit log again for what happened since it was opened",
        ),
        Binding("escape", "back", "Back", id="audit.back", tooltip="Close the audit log"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._lines: list[StoryLine] = []

    def action_back(self) -> None:
        """Back to the photos (or the post being written, on top of them)."""
        self.desk.back()

    def on_screen_resume(self) -> None:
        """A view kept between visits: show what happened meanwhile."""
        self.action_reload()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="/ filter: any word, id or file", id="search")
            yield Select(PARTS, value="", allow_blank=False, id="kind")
        with Container(id="audit-main"):
            yield OptionList(id="events")
            with VerticalScroll(id="facts-pane"):
                yield Static(id="detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = with_badge("Audit", self.config)
        self.query_one("#facts-pane").border_title = "Technical detail"
        self.action_reload()

    def action_find(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    @on(Select.Changed, "#kind")
    def _filter_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FILTER_DELAY, self.action_reload)

    @on(OptionList.OptionHighlighted, "#events")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_whole(event.option_index)

    def _show_whole(self, index: int) -> None:
        """The sentence's events with all their facts, in the side pane."""
        if index < len(self._lines):
            line = self._lines[index]
            self.query_one("#detail", Static).update(
                Content.assemble((line.sentence, "bold"), "\n\n", details(line))
            )

    @on(Input.Submitted, "#search")
    def _to_table(self) -> None:
        self.query_one("#events", OptionList).focus()

    def action_reload(self) -> None:
        kind = self.query_one("#kind", Select).value
        search = self.query_one("#search", Input).value.strip()
        listing = self.query_one("#events", OptionList)
        listing.clear_options()
        self.query_one("#detail", Static).update("")
        events = list(
            audit.events(
                self.desk.database.connection(),
                kind_prefix=kind if isinstance(kind, str) else "",
                search=search,
                limit=SHOWN,
            )
        )
        self._lines = story(events)
        listing.add_options(
            Option(
                Content.assemble(
                    (line.at.astimezone().strftime("%d %b %H:%M"), "$text-muted"),
                    "  ",
                    line.sentence,
                )
            )
            for line in self._lines
        )
        if self._lines:
            listing.highlighted = 0
            self._show_whole(0)
        count = len(events)
        self.query_one("#events").border_title = (
            f"What happened · {count} event{'' if count == 1 else 's'}"
            + (" (the newest)" if count == SHOWN else "")
        )
