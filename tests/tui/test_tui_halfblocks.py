"""The half-block picture: the whole photo, its shape kept, two pixels to a cell."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from textual.app import App, ComposeResult

from tripdesk.widgets.halfblocks import HALF_BLOCK, HalfBlockPicture


class Framed(App[None]):
    CSS = "HalfBlockPicture { width: 20; height: 5; }"

    def __init__(self, picture: Path) -> None:
        super().__init__()
        self.picture = picture

    def compose(self) -> ComposeResult:
        yield HalfBlockPicture(self.picture)


async def test_each_cell_shows_the_pixel_above_as_text_and_the_one_below_as_background(
    tmp_path: Path,
) -> None:
    picture = tmp_path / "halves.png"
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 10, 40, 20))  # the lower half blue
    image.save(picture)
    async with Framed(picture).run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        widget = pilot.app.query_one(HalfBlockPicture)
        lines = [widget.render_line(y) for y in range(5)]
    # 20 columns by 5 rows is 20 by 10 pixels: the middle row is red above, blue below.
    middle = next(iter(lines[2]))
    assert middle.text == HALF_BLOCK
    assert middle.style is not None
    assert middle.style.color is not None and middle.style.color.triplet == (255, 0, 0)
    assert middle.style.bgcolor is not None and middle.style.bgcolor.triplet == (0, 0, 255)
    last = next(iter(lines[4]))
    assert last.text == HALF_BLOCK
    assert lines[0].cell_length == 20


async def test_a_tall_photo_is_narrowed_to_fit_the_height_it_has(tmp_path: Path) -> None:
    picture = tmp_path / "tall.png"
    Image.new("RGB", (10, 40), (0, 128, 0)).save(picture)
    async with Framed(picture).run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        widget = pilot.app.query_one(HalfBlockPicture)
        first = widget.render_line(0)
    # 5 rows are 10 pixels tall, so the 1:4 photo is 2.5 (rounded to 2 or 3) pixels wide.
    drawn = [segment for segment in first if segment.text == HALF_BLOCK]
    assert 2 <= len(drawn) <= 3


async def test_an_unreadable_picture_leaves_the_space_empty(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    async with Framed(broken).run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        widget = pilot.app.query_one(HalfBlockPicture)
        assert widget.render_line(0).text.strip() == ""
