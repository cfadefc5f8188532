"""The list of photos on the Photos screen: one row per photo, its state changing as it moves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from time import monotonic
from typing import ClassVar, NamedTuple, Self

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.timer import Timer
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
FOLLOW_EVERY = 0.1  # seconds between two moves of the cursor onto new rows

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


class _Frame(NamedTuple):
    """What every line of one frame of the table shares."""

    style: Style
    cursor: Coordinate
    hover: Coordinate
    shared: tuple[object, ...]  # the rest of each cached line's key


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

    _growing = False  # set while DataTable works out its size after new rows
    _frame: _Frame | None = None  # set while a frame is drawn

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.photos: dict[str, PoolPhoto] = {}
        self.marked: set[str] = set()
        self._file_names: dict[str, str] = {}
        self._changes: dict[str, int] = {}  # how often each row changed: its cells' version
        self._drawn: dict[tuple[object, ...], SegmentLines] = {}
        self._drawn_lines: dict[tuple[object, ...], tuple[SegmentLines, SegmentLines]] = {}
        self._drawn_strips: dict[tuple[object, ...], Strip] = {}
        self._followed_at = 0.0
        self._follow_from = 0
        self._follow_timer: Timer | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """A frame's lines; what they all share is worked out once for the frame, not per line
        (the widget's style alone took longer than drawing a line from the cache)."""
        self._pseudo_class_state = self.get_pseudo_class_state()
        self._frame = self._frame_facts()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    @property
    def rich_style(self) -> Style:
        """The same for every line of a frame, so asked of the CSS once per frame."""
        return self._frame.style if self._frame is not None else super().rich_style

    def _frame_facts(self) -> _Frame:
        return _Frame(
            self.rich_style,
            self.cursor_coordinate,
            self.hover_coordinate,
            (
                self.size.width,
                tuple(column.get_render_width(self) for column in self.ordered_columns),
                self.cursor_type,
                self.show_cursor,
                self._show_hover_cursor,
                self._pseudo_class_state,
            ),
        )

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line of the table, kept until its row changes or the cursor comes or goes."""
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        frame = self._frame or self._frame_facts()
        index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        cursor, hover = frame.cursor, frame.hover
        where = (cursor, hover) if index < 0 else (cursor.row == index, hover.row == index)
        key = (row_key, index, line_no, x1, x2, base_style, *where, frame.shared)
        key += (self._changes.get(row_key.value or "", 0),)
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

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """New rows at the end change the table's size, not the lines already drawn: only the
        new rows are drawn (DataTable drew every visible line again for each new row)."""
        rows = list(new_rows)
        self._growing = True
        try:
            super()._update_dimensions(rows)
        finally:
            self._growing = False
        for row_key in rows:
            if row_key in self._row_locations:
                self._draw_row(self.get_row_index(row_key))

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._growing and not regions:
            self.clear_cached_dimensions()
            repaint = False  # the new size is laid out; `_update_dimensions` draws the rows
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

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
            self._replace(key, cells)
            return
        following = (
            self._follow_timer is not None
            or self.row_count == 0
            or self.cursor_row == self.row_count - 1
        )
        self.add_row(*cells, key=key)
        if following:
            self._follow()

    def _follow(self) -> None:
        """The cursor onto the newest row: at once, then at most every FOLLOW_EVERY during a
        burst of arrivals, since each move scrolls the list and draws every line again."""
        if self._follow_timer is not None:
            return
        wait = self._followed_at + FOLLOW_EVERY - monotonic()
        if wait <= 0:
            self._followed_at = monotonic()
            self.move_cursor(row=self.row_count - 1)
            return
        self._follow_from = self.cursor_row
        self._follow_timer = self.set_timer(wait, self._follow_late)

    def _follow_late(self) -> None:
        self._follow_timer = None
        if self.cursor_row == self._follow_from:  # unless the teacher moved it meanwhile
            self._follow()

    def _replace(self, key: str, cells: list[Text]) -> None:
        """A row's new cells, drawing that row again and nothing else.

        `update_cell` redraws every visible line of the table, so during a burst of arrivals
        each step of any photo, on screen or not, kept the event loop drawing the whole list.
        """
        row_key = RowKey(key)
        row = self._data[row_key]
        for (column, _label, _width), value in zip(COLUMNS, cells, strict=True):
            row[ColumnKey(column)] = value
        # Textual's drawings of rows and cells are stale now, its order of the rows is not.
        for cache in (
            self._cell_render_cache,
            self._row_render_cache,
            self._row_renderable_cache,
            self._line_cache,
        ):
            cache.clear()
        self._draw_row(self.get_row_index(row_key))

    def _draw_row(self, index: int) -> None:
        """Draw one row again if it is in view. Every row is one line, so its place needs no
        walk through the rows above it (`refresh_row` takes one per call)."""
        y = index + (self.header_height if self.show_header else 0)
        self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))

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
        cells = self.get_row(key)
        self._replace(key, [self._name_cell(key), *cells[1:]])

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
