"""The list of photos on the Photos screen: one row per photo, its state changing as it moves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.widgets.preview import photo_name

# Fixed widths: measuring every cell of a column on each change made a burst of arrivals
# quadratic. Longer names and states are cut; the preview beside the list shows them whole.
COLUMNS = (
    ("name", "Photo", 20),
    ("taken", "Taken", 5),
    ("state", "State", 18),
    ("tags", "Tags", 50),
)

SegmentLines = list[list[Segment]]
DRAWN_CELLS = 4000  # enough for every visible cell in all its looks, on the largest screen

STATE_COLOURS = {
    "arrived": "accent",
    "copying…": "accent",
    "awaiting deletion": "warning",
    "deleted from phone": "success",
    "damaged": "error",
    "failed": "error",
    "duplicate": "secondary",
    "skipped": "secondary",
}


class PhotoGrid(DataTable[Text]):
    """Rows keyed by our own key (a photo id, or the inbox file while it is still arriving).

    Space marks photos (✓ before the name) so Tag and Compose can work on several at once; with
    nothing marked they work on the photo under the cursor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            show=False,
            id="photos.mark",
            tooltip="Mark or unmark the photo under the cursor, to tag or post several at once",
        )
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.photos: dict[str, PoolPhoto] = {}
        self.marked: set[str] = set()
        self._file_names: dict[str, str] = {}
        self._changes: dict[str, int] = {}  # how often each row changed: its cells' version
        self._drawn: dict[tuple[object, ...], SegmentLines] = {}
        self._drawn_lines: dict[tuple[object, ...], tuple[SegmentLines, SegmentLines]] = {}
        self._drawn_strips: dict[tuple[object, ...], Strip] = {}

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line of the table, kept until its row changes or the cursor comes or goes."""
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        cursor, hover = self.cursor_coordinate, self.hover_coordinate
        where = (cursor, hover) if index < 0 else (cursor.row == index, hover.row == index)
        widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        key = (row_key, index, line_no, x1, x2, self.size.width, base_style, *where, widths)
        key += (self.cursor_type, self.show_cursor, self._show_hover_cursor)
        key += (self._pseudo_class_state, self._changes.get(row_key.value or "", 0))
        strip = self._drawn_strips.get(key)
        if strip is None:
            if len(self._drawn_strips) > DRAWN_CELLS:
                self._drawn_strips.clear()
            strip = self._drawn_strips[key] = super()._render_line(y, x1, x2, base_style)
        return strip

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        """A row's line drawn once per change of the row, or of the cursor coming or going."""
        index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        if index < 0:  # the header: it follows the cursor's column, so keep Textual's own key
            where: tuple[object, ...] = (cursor_location, hover_location)
        else:
            where = (cursor_location.row == index, hover_location.row == index)
        widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        key = (row_key, index, line_no, base_style, *where, widths, self.cursor_type)
        key += (self.show_cursor, self._show_hover_cursor, self._pseudo_class_state)
        key += (self._changes.get(row_key.value or "", 0),)
        lines = self._drawn_lines.get(key)
        if lines is None:
            if len(self._drawn_lines) > DRAWN_CELLS:
                self._drawn_lines.clear()
            lines = super()._render_line_in_row(
                row_key, line_no, base_style, cursor_location, hover_location
            )
            self._drawn_lines[key] = lines
        return lines

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """Each cell drawn once per change of its row.

        DataTable draws every visible cell again after any change anywhere in the table, which
        during a burst of arrivals kept the event loop drawing instead of showing new rows and
        answering keys. Rows here are only ever added at the end, so a row keeps its index.
        """
        row = self._row_locations.get_key(row_index) if row_index >= 0 else None
        version = self._changes.get(row.value or "", 0) if row is not None else -1
        key = (row, row_index, column_index, base_style, width, cursor, hover, version)
        key += (self._show_hover_cursor, self._pseudo_class_state)
        lines = self._drawn.get(key)
        if lines is None:
            if len(self._drawn) > DRAWN_CELLS:
                self._drawn.clear()
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._drawn[key] = lines
        return lines

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, width=width, key=key)

    def on_resize(self) -> None:
        """The tags take the room left, so nothing needs scrolling sideways (80 columns too)."""
        fixed = sum(width for key, _label, width in COLUMNS if key != "tags")
        padding = 2 * self.cell_padding * len(COLUMNS)
        room = max(12, self.scrollable_content_region.width - fixed - padding)
        column = self.columns.get(ColumnKey("tags"))
        if column is not None and column.width != room:
            column.width = room
            self._require_update_dimensions = True
            self.refresh()

    def show(
        self,
        key: str,
        name: str,
        state: str,
        *,
        photo: PoolPhoto | None = None,
        taken: datetime | None = None,
        tags: Text | str = "",
    ) -> None:
        """Add the row, or change it in place; the cursor follows new rows when it was last."""
        if photo is not None:
            self.photos[key] = photo
        self._file_names[key] = name
        self._changes[key] = self._changes.get(key, 0) + 1
        cells = self._cells(key, taken, state, tags)
        if key in self.rows:
            for (column, _label, _width), value in zip(COLUMNS, cells, strict=True):
                self.update_cell(key, column, value)
            return
        following = self.row_count == 0 or self.cursor_row == self.row_count - 1
        self.add_row(*cells, key=key)
        if following:
            self.move_cursor(row=self.row_count - 1)

    def show_many(self, rows: Iterable[tuple[str, PoolPhoto, str, Text | str]]) -> None:
        """Add catalogued photos at start-up, leaving the cursor on the newest."""
        for key, photo, state, tags in rows:
            self.photos[key] = photo
            self._file_names[key] = photo_name(photo)
            self.add_row(*self._cells(key, photo.captured_at, state, tags), key=key)
        self.move_cursor(row=self.row_count - 1)

    def key_at_cursor(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def photo_at_cursor(self) -> PoolPhoto | None:
        key = self.key_at_cursor()
        return self.photos.get(key) if key is not None else None

    def chosen(self) -> list[PoolPhoto]:
        """The marked pooled photos in list order, else the pooled photo under the cursor."""
        if self.marked:
            order = [row.key.value for row in self.ordered_rows]
            return [self.photos[k] for k in order if k in self.marked and k in self.photos]
        photo = self.photo_at_cursor()
        return [photo] if photo is not None else []

    def action_toggle_mark(self) -> None:
        key = self.key_at_cursor()
        if key is None or key not in self.photos:
            return
        self.marked ^= {key}
        self._changes[key] = self._changes.get(key, 0) + 1
        self.update_cell(key, "name", self._name_cell(key))

    def _cells(self, key: str, taken: datetime | None, state: str, tags: Text | str) -> list[Text]:
        if isinstance(tags, str):
            tags = Text(tags, style="dim" if tags == "untagged" else "")
        return [
            self._name_cell(key),
            Text(taken.strftime("%H:%M") if taken else ""),
            self._state(state),
            tags,
        ]

    def _name_cell(self, key: str) -> Text:
        name = Text("✓ " if key in self.marked else "  ", style="bold")
        name.append(self._file_names.get(key, ""))
        return name

    def _state(self, state: str) -> Text:
        colour = STATE_COLOURS.get(state.split(":")[0])
        if colour is None:
            return Text(state)
        return Text(state, style=self.app.theme_variables.get(colour, ""))
