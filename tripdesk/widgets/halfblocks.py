"""A photo drawn with half blocks (▀): two pixels to a character cell, in any terminal.

This is the `preview = halfcell` picture, and what `auto` falls back to. It needs no terminal
detection, so unlike textual-image (which asks the terminal what it can show when it is
imported, and brings numpy with it) nothing has to be loaded before the app starts. Face boxes
are drawn over the picture with their number in the box's corner. On a terminal of 256 colours
the picture is dithered to that palette first: the nearest colour of each pixel alone turns
skin and sky into flat bands, dithering keeps the photo recognisable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
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
BOX_COLOUR = (255, 214, 0)  # a yellow seen on skin, grass, sky and school uniform alike
LABEL = Style(color=Color.from_rgb(0, 0, 0), bgcolor=Color.from_rgb(*BOX_COLOUR), bold=True)


@dataclass(frozen=True)
class FaceBox:
    """A numbered face, its edges as fractions of the picture's width and height."""

    number: int
    left: float
    top: float
    right: float
    bottom: float


@cache
def _palette_256() -> Image:
    """The xterm 256-colour palette's colour cube and greys, as a Pillow palette image."""
    from PIL import Image as PILImage

    levels = (0, 95, 135, 175, 215, 255)
    colours = [(r, g, b) for r in levels for g in levels for b in levels]
    colours += [(8 + 10 * n,) * 3 for n in range(24)]
    palette = PILImage.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour] + [0] * 3 * 16)
    return palette


def dithered(image: Image) -> Image:
    """The picture in the 256 terminal colours, error-diffused so it stays recognisable."""
    from PIL import Image as PILImage

    return image.quantize(palette=_palette_256(), dither=PILImage.Dither.FLOYDSTEINBERG).convert(
        "RGB"
    )


def annotated(thumbnail: Path, boxes: Sequence[FaceBox]) -> Image | None:
    """The thumbnail with each face boxed and numbered, for terminals that show real pixels."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    try:
        with PILImage.open(thumbnail) as opened:
            image = opened.convert("RGB")
    except OSError:
        return None
    draw = ImageDraw.Draw(image)
    across, down = image.size
    font = ImageFont.load_default(size=max(12, down // 14))
    line = max(2, across // 200)
    for box in boxes:
        left, top = round(box.left * across), round(box.top * down)
        edges = (left, top, round(box.right * across), round(box.bottom * down))
        draw.rectangle(edges, outline=BOX_COLOUR, width=line)
        label = str(box.number)
        corner = draw.textbbox((left, top), label, font=font)
        draw.rectangle((corner[0] - 2, corner[1] - 2, corner[2] + 2, corner[3] + 2), BOX_COLOUR)
        draw.text((left, top), label, fill=(0, 0, 0), font=font)
    return image


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
        self.boxes: tuple[FaceBox, ...] = ()
        self.set_reactive(HalfBlockPicture.image, image)
        self._open(image)

    def show(self, image: Path | None, boxes: Sequence[FaceBox] = ()) -> None:
        """Draw this picture with these face boxes (a new picture, or new boxes on the same)."""
        self.boxes = tuple(boxes)
        self._strips = None
        if image != self.image:
            self.image = image
        else:
            self.refresh()

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
        from PIL import ImageDraw

        columns, rows = self._fit(size.width, size.height)
        if self._pixels is None or not columns or not rows:
            return []
        scaled = self._pixels.resize((columns, rows * 2), PILImage.Resampling.BOX)
        if self.app.console.color_system in ("256", "standard"):
            scaled = dithered(scaled)
        draw = ImageDraw.Draw(scaled)
        labels: dict[tuple[int, int], str] = {}
        for box in self.boxes:
            left, top = round(box.left * columns), round(box.top * rows * 2)
            right = max(left + 1, round(box.right * columns) - 1)
            bottom = max(top + 1, round(box.bottom * rows * 2) - 1)
            draw.rectangle((left, top, right, bottom), outline=BOX_COLOUR)
            row = min(top // 2, rows - 1)
            for offset, digit in enumerate(str(box.number)):
                labels[(min(left + offset, columns - 1), row)] = digit
        pixel = scaled.load()
        assert pixel is not None, "a resized RGB image always has pixel access"
        strips = []
        for row in range(rows):
            segments = []
            for column in range(columns):
                label = labels.get((column, row))
                if label is not None:
                    segments.append(Segment(label, LABEL))
                    continue
                top = pixel[column, row * 2]
                bottom = pixel[column, row * 2 + 1]
                style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
                segments.append(Segment(HALF_BLOCK, style))
            strips.append(Strip(segments, columns).extend_cell_length(size.width))
        return strips
