"""The selected photo, drawn from its thumbnail with its faces boxed and numbered, and its facts.

The widget is handed everything it shows (the photo, its thumbnail, its size and its face
report) by the screen, which loads them in a worker; it never reads a file list or the database.
With `preview = auto`, textual-image decides at import how this terminal can show pictures
(Sixel, Kitty graphics or half blocks), so `graphics.picture_mode` imports it before the app
runs; `halfcell` draws half blocks itself and needs nothing loaded first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tripdesk.widgets.halfblocks import FaceBox, HalfBlockPicture, annotated

if TYPE_CHECKING:
    from tripdesk.media.report import Box, FaceReport
    from tripdesk.pool.catalogue import PoolPhoto


@dataclass(frozen=True)
class Picture:
    """A photo's thumbnail (none with `preview = off`) and the upright size of the full photo,
    which its face boxes are measured in."""

    thumbnail: Path | None
    size: tuple[int, int]


def photo_name(photo: PoolPhoto) -> str:
    """The name the teacher knows the photo by; a blurred copy says so (IMG_0004 · blurred)."""
    if photo.derived_from is None:
        return photo.original_name
    return f"{Path(photo.original_name).stem} · blurred"


def face_words(box: Box, size: tuple[int, int]) -> str:
    """Where a face is and how big, so "face 2" can be found on the picture: "left, small"."""
    left, _top, right, _bottom = box
    across = size[0] or 1
    middle = (left + right) / 2 / across
    where = "left" if middle < 1 / 3 else "right" if middle > 2 / 3 else "middle"
    width = (right - left) / across
    how_big = "small" if width < 0.08 else "large" if width > 0.2 else "medium"
    return f"{where}, {how_big}"


def numbered_faces(report: FaceReport | None) -> tuple[Box, ...]:
    """The faces in reading order, left to right: face 1 is the leftmost, on every screen."""
    if report is None:
        return ()
    return tuple(sorted(report.boxes, key=lambda box: (box[0], box[1])))


def face_lines(report: FaceReport | None, size: tuple[int, int] | None) -> list[str]:
    """One line per face, numbered as on the picture: "face 2, left, small"."""
    if report is None or size is None:
        return []
    return [
        f"face {n}, {face_words(box, size)}"
        for n, box in enumerate(numbered_faces(report), start=1)
    ]


def faces_line(report: FaceReport | None) -> str:
    """How many faces the detector saw, or that it has not looked yet, or why it could not."""
    if report is None:
        return "faces: not checked yet"
    if report.count is None:
        return f"faces: could not check ({report.error})" if report.error else "faces: unknown"
    return {0: "no faces detected", 1: "1 face detected"}.get(
        report.count, f"{report.count} faces detected"
    )


def face_boxes(report: FaceReport | None, size: tuple[int, int] | None) -> list[FaceBox]:
    """The report's boxes as fractions of the picture, numbered from 1, for drawing."""
    if report is None or size is None or not size[0] or not size[1]:
        return []
    across, down = size
    return [
        FaceBox(n, box[0] / across, box[1] / down, box[2] / across, box[3] / down)
        for n, box in enumerate(numbered_faces(report), start=1)
    ]


class PhotoPreview(Vertical):
    """A few lines about the photo above its picture (unless the preview setting is `off`)."""

    DEFAULT_CSS = """
    PhotoPreview { height: 1fr; overflow: hidden; }
    PhotoPreview #about { height: auto; padding: 0 1; margin-bottom: 1; }
    PhotoPreview #picture { width: 100%; height: auto; }
    """

    def __init__(self, mode: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = mode
        self.photo: PoolPhoto | None = None
        self.faces: FaceReport | None = None
        self.picture: Picture | None = None
        self._tags: Text = Text()

    def compose(self) -> ComposeResult:
        yield Static("No photo chosen.", id="about")
        if self.mode == "halfcell":
            yield HalfBlockPicture(id="picture")
        elif self.mode == "auto":
            from textual_image.widget import Image as AutoImage  # see graphics.picture_mode

            yield AutoImage(id="picture")

    def on_mount(self) -> None:
        if self.mode == "auto":
            self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, _screen: object) -> None:
        """Terminal graphics would show through a dialog drawn over them: hide them meanwhile."""
        covered = self.screen is not self.app.screen and isinstance(self.app.screen, ModalScreen)
        for picture in self.query("#picture"):
            picture.display = not covered

    def show(self, photo: PoolPhoto | None, tags: Text | str) -> None:
        """Show this photo now with what is known; the screen hands over its picture later."""
        self.photo, self.faces, self.picture = photo, None, None
        self._tags = Text(tags) if isinstance(tags, str) else tags
        self._draw()
        self._describe()

    def hint(self, text: str) -> None:
        """What to say while there is no photo to show."""
        self.photo, self.faces, self.picture = None, None, None
        self._draw()
        self.query_one("#about", Static).update(text)

    def retag(self, tags: Text | str) -> None:
        self._tags = Text(tags) if isinstance(tags, str) else tags
        self._describe()

    def loaded(
        self, photo_id: int, picture: Picture | None, faces: FaceReport | None = None
    ) -> None:
        """The screen's worker has the thumbnail (and perhaps the faces) of a photo."""
        if self.photo is None or self.photo.id != photo_id:
            return
        self.faces = faces or self.faces
        self.picture = picture or self.picture
        self._draw()
        self._describe()

    def _draw(self) -> None:
        picture = self.picture
        boxes = face_boxes(self.faces, picture.size if picture else None)
        for widget in self.query("#picture"):
            thumbnail = picture.thumbnail if picture else None
            if isinstance(widget, HalfBlockPicture):
                widget.show(thumbnail, boxes)
            else:
                image = annotated(thumbnail, boxes) if thumbnail else None
                widget.image = image  # type: ignore[attr-defined]

    def _describe(self) -> None:
        photo = self.photo
        if photo is None:
            self.query_one("#about", Static).update("No photo chosen.")
            return
        taken = photo.captured_at.strftime("%a %d %b, %H:%M") if photo.captured_at else "unknown"
        lines = Text()
        lines.append(photo_name(photo), style="bold")
        lines.append(f"\ntaken {taken}\n{faces_line(self.faces)}")
        size = self.picture.size if self.picture else None
        if size is not None and self.faces is not None and self.faces.boxes:
            described = [
                f"{n}: {face_words(box, size)}"
                for n, box in enumerate(numbered_faces(self.faces), start=1)
            ]
            lines.append(" — " + "; ".join(described))
        lines.append("\n")
        lines.append_text(self._tags)
        self.query_one("#about", Static).update(lines)
