"""Blur: the faces of one photo, numbered on the picture and in a list, ticked to be blurred.

Opened from Photos with `b`, so a teacher who sees a face to hide need not go to Tag first. The
dialog only chooses: it dismisses with the ticked faces' boxes and the screen that opened it
makes the copy in a worker. How a copy is made, and what the teacher is told about it, is shared
with Tag here so both say the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from tripdesk.config import Config
from tripdesk.desk import photos as desk_photos
from tripdesk.media.report import Box, FaceReport
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.screens.photos import load_picture
from tripdesk.widgets.face_choice import FaceChoice
from tripdesk.widgets.preview import PhotoPreview, Picture, face_boxes, photo_name

if TYPE_CHECKING:
    from tripdesk.app import TripdeskApp


@dataclass
class Blurred(Message):
    """Blurred copies made in the pool, by the index of the photo each replaces."""

    copies: dict[int, PoolPhoto]
    reports: dict[int, FaceReport | None]
    pictures: dict[int, Picture]


def blurred_copies(
    conn: sqlite3.Connection,
    config: Config,
    photos: Sequence[PoolPhoto],
    chosen: Mapping[int, Sequence[Box]],
) -> Blurred:
    """Copy each photo with its chosen faces blurred, and look at each copy again; slow: call it
    in a worker."""
    copies = {
        index: desk_photos.blurred_copy(conn, config, photos[index], boxes)
        for index, boxes in chosen.items()
    }
    made = list(copies.values())
    reports = desk_photos.faces_in(conn, config, made)
    pictures = {photo.id: load_picture(config, photo) for photo in made}
    return Blurred(copies, reports, pictures)


def blurred_said(message: Blurred) -> tuple[str, bool]:
    """The one sentence saying what was made, and whether faces are still seen in it."""
    made = list(message.copies.values())
    left = sum((message.reports.get(p.id) or FaceReport(None)).count or 0 for p in made)
    names = ", ".join(photo_name(photo) for photo in made)
    seen = f"still {left} face{'s' if left > 1 else ''} seen" if left else "no faces seen now"
    return f"Made {names} with its tags ({seen}); the original is kept.", bool(left)


class BlurScreen(ModalScreen[list[Box] | None]):
    """Dismisses with the boxes of the ticked faces, or None when the teacher goes back."""

    CSS_PATH = "blur.tcss"
    AUTO_FOCUS = "#faces"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"toggle_face({n})", show=False) for n in range(1, 10)),
        Binding(
            "enter,ctrl+f",
            "blur",
            "Blur ticked faces",
            key_display="enter",
            id="blur.blur",
            tooltip="Make a copy of the photo with the ticked faces blurred, keeping its tags",
        ),
        Binding("escape", "cancel", "Cancel", id="blur.cancel", tooltip="Back without blurring"),
    ]

    def __init__(self, photo: PoolPhoto, picture: Picture, faces: FaceReport) -> None:
        super().__init__()
        self.photo = photo
        self.picture = picture
        self.faces = faces

    @property
    def desk(self) -> TripdeskApp:
        return cast("TripdeskApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Blur faces in {photo_name(self.photo)}"), id="title")
            with Horizontal(id="body"):
                yield PhotoPreview(self.desk.config.preview, id="photo")
                with Vertical(id="side"):
                    yield Label(id="faces-heading")
                    yield FaceChoice(enter_ticks=False, id="faces")
                    yield Static(
                        "Press a face's number, or click it, to tick it. Enter makes a blurred "
                        "copy that keeps the tags; the original is kept.",
                        id="hint",
                    )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        preview = self.query_one(PhotoPreview)
        preview.show(self.photo, "")
        preview.loaded(self.photo.id, self.picture, self.faces)
        faces = self.query_one(FaceChoice)
        faces.show_faces(
            [self.photo], {self.photo.id: self.faces}, {self.photo.id: self.picture}, ticked=False
        )
        self.query_one("#faces-heading", Label).update(faces.heading(self.faces))

    def on_click(self, event: events.Click) -> None:
        """A click inside a face's box on the picture ticks that face, as its number would."""
        for picture in self.query_one(PhotoPreview).query("#picture"):
            offset = event.get_content_offset(picture)
            size = picture.content_size
            if offset is None or not size.width or not size.height:
                continue
            across, down = offset.x / size.width, offset.y / size.height
            for box in face_boxes(self.faces, self.picture.size):
                if box.left <= across <= box.right and box.top <= down <= box.bottom:
                    self.action_toggle_face(box.number)
                    return

    def action_toggle_face(self, number: int) -> None:
        self.query_one(FaceChoice).toggle_face(number)

    def action_blur(self) -> None:
        boxes = self.query_one(FaceChoice).chosen_boxes([self.photo], {self.photo.id: self.faces})
        if not boxes:
            warning = self.app.theme_variables.get("warning", "")
            self.query_one("#hint", Static).update(
                Text("Tick a face first: press its number, or click it.", style=warning)
            )
            self.app.bell()
            return
        self.dismiss(boxes[0])

    def action_cancel(self) -> None:
        self.dismiss(None)
