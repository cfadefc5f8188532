"""A photo drawn with half blocks (▀): two pixels to a character cell, in any terminal.

This is the `preview = halfcell` picture. It needs no terminal detection, so unlike
textual-image (which asks the terminal what it can show when it is imported, and brings numpy
with it) nothing has to be loaded before the app starts: the first screen comes up sooner.
"""

from __future__ import annotations

from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from PIL.Image import Image

HALF_BLOCK = "▀"


class HalfBlockPicture(Widget):
    """Fits the picture in the space it is given, keeping its shape (a cell is two pixels tall)."""

    DEFAULT_CSS = """
    HalfBlockPicture { width: 100%; height: auto; }
    """

    image: reactive[Path | None] = reactive(None, layout=True)

    def __init__(
        self, image: Path | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._pixels: Image | None = None
        self._strips: tuple[Size, list[Strip]] | None = None
        self.set_reactive(HalfBlockPicture.image, image)
        self._open(image)

    def watch_image(self, image: Path | None) -> None:
        self._open(image)
        self.refresh(layout=True)

    def _open(self, image: Path | None) -> None:
        """Read the picture once; it is a small thumbnail, so this is quick."""
        from PIL import Image as PILImage

        self._strips = None
        self._pixels = None
        if image is None:
            return
        try:
            with PILImage.open(image) as opened:
                self._pixels = opened.convert("RGB")
        except OSError:
            # A thumbnail gone or unreadable leaves the space empty; the words beside it stay.
            self._pixels = None

    def _fit(self, width: int, height: int | None) -> tuple[int, int]:
        """Columns and rows for the picture within `width` (and `height`, when limited)."""
        if self._pixels is None or width <= 0:
            return 0, 0
        across, down = self._pixels.size
        rows = ceil(width * down / across / 2)
        if height is not None and 0 < height < rows:
            rows = height
            width = max(1, round(rows * 2 * across / down))
        return width, rows

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self._pixels is None:
            return 0
        across, down = self._pixels.size
        if container.height:
            return min(container.width, round(container.height * 2 * across / down))
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._fit(width, container.height or None)[1]

    def render_line(self, y: int) -> Strip:
        size = self.content_size
        if self._strips is None or self._strips[0] != size:
            self._strips = (size, self._draw(size))
        strips = self._strips[1]
        return strips[y] if y < len(strips) else Strip.blank(size.width)

    def _draw(self, size: Size) -> list[Strip]:
        """Each cell's upper half is one pixel (the text colour), its lower half the next."""
        from PIL import Image as PILImage

        columns, rows = self._fit(size.width, size.height)
        if self._pixels is None or not columns or not rows:
            return []
        scaled = self._pixels.resize((columns, rows * 2), PILImage.Resampling.BOX)
        pixel = scaled.load()
        assert pixel is not None, "a resized RGB image always has pixel access"
        strips = []
        for row in range(rows):
            segments = []
            for column in range(columns):
                top = pixel[column, row * 2]
                bottom = pixel[column, row * 2 + 1]
                style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
                segments.append(Segment(HALF_BLOCK, style))
            strips.append(Strip(segments, columns).extend_cell_length(size.width))
        return strips
