"""The list of photos on the Photos screen: one row per photo, its state changing as it moves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.widgets.preview import photo_name

# Fixed widths: measuring every cell of a column on each change made a burst of arrivals
# quadratic. Longer names and states are cut; the preview beside the list shows them whole.
COLUMNS = (
    ("name", "Photo", 16),
    ("taken", "Taken", 5),
    ("state", "State", 18),
    ("tags", "Tags", 50),
)

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

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, width=width, key=key)

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
