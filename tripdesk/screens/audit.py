"""Audit: the trip's events, newest first, filtered by part and by any word in them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from tripdesk import audit
from tripdesk.screens.trip import TripScreen

if TYPE_CHECKING:
    pass

SHOWN = 500
FILTER_DELAY = 0.2
PARTS = (
    ("Everything", ""),
    ("Photos in the pool", "pool."),
    ("Consent register", "consent."),
    ("Policy checks", "guard."),
    ("Faces and preparing", "media."),
    ("Posts", "publish."),
)


def facts_line(facts: dict[str, Any]) -> str:
    """Facts as `key value` pairs on one line; lists shortened to how many there are past 3."""
    parts = []
    for key, value in facts.items():
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value[:3])
            value = f"[{shown}{f', +{len(value) - 3}' if len(value) > 3 else ''}]"
        parts.append(f"{key} {value}")
    return " · ".join(parts)


class AuditScreen(TripScreen[None]):
    CSS_PATH = "audit.tcss"
    AUTO_FOCUS = "#events"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit.back"),
        Binding("slash", "find", "Filter", key_display="/", id="audit.filter"),
        Binding("f5", "reload", "Reload", id="audit.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None

    def action_back(self) -> None:
        """Back to the screen this one was opened from (Photos, or a post being written)."""
        self.desk.back()

    def on_screen_resume(self) -> None:
        """A view kept between visits: show what happened meanwhile."""
        self.action_reload()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="/ filter: any word, id or file", id="search")
            yield Select(PARTS, value="", allow_blank=False, id="kind")
        yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        table.add_column("When", key="at")
        table.add_column("What", key="kind")
        table.add_column("Facts", key="facts")
        self.action_reload()

    def action_find(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    @on(Select.Changed, "#kind")
    def _filter_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FILTER_DELAY, self.action_reload)

    @on(DataTable.RowHighlighted, "#events")
    def _show_whole(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted event's facts in full, wrapped, under the list."""
        row = event.data_table.get_row(event.row_key)
        self.query_one("#detail", Static).update(Text(f"{row[1]}: {row[2]}"))

    @on(Input.Submitted, "#search")
    def _to_table(self) -> None:
        self.query_one("#events", DataTable).focus()

    def action_reload(self) -> None:
        kind = self.query_one("#kind", Select).value
        search = self.query_one("#search", Input).value.strip()
        table = self.query_one("#events", DataTable)
        table.clear()
        self.query_one("#detail", Static).update("")
        for event in audit.events(
            self.desk.conn,
            kind_prefix=kind if isinstance(kind, str) else "",
            search=search,
            limit=SHOWN,
        ):
            table.add_row(
                Text(_local(event.at)),
                Text(event.kind),
                Text(facts_line(event.facts), overflow="ellipsis", no_wrap=True),
                key=str(event.id),
            )
        count = table.row_count
        self.sub_title = f"{count} event{'' if count == 1 else 's'}" + (
            " (the newest)" if count == SHOWN else ""
        )


def _local(at: datetime) -> str:
    return at.astimezone().strftime("%d %b %H:%M:%S")
