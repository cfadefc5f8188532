"""Zoom: one photo as large as the terminal allows, its faces boxed and numbered as in the list.

On a 80×24 terminal the preview beside the list is too small to tell faces apart; here the
teacher can see which face is "face 2" before choosing to blur it. A Sixel terminal that draws
pictures only up to a size of its own gets the photo at that size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer

from tripdesk.desk.photos import faces_in
from tripdesk.media.report import FaceReport
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.screens.photos import load_picture
from tripdesk.widgets.graphics import largest_picture
from tripdesk.widgets.preview import PhotoPreview, Picture

if TYPE_CHECKING:
    from tripdesk.app import TripdeskApp


@dataclass
class ZoomLoaded(Message):
    picture: Picture
    faces: FaceReport | None


class ZoomScreen(ModalScreen[None]):
    """Full screen, over whatever was showing; the app's keys wait until it is closed."""

    CSS_PATH = "zoom.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,z",
            "close",
            "Close zoom",
            id="zoom.close",
            tooltip="Back to the screen the photo was zoomed from",
        )
    ]

    def __init__(self, photo: PoolPhoto, picture: Picture | None, faces: FaceReport | None) -> None:
        super().__init__()
        self.photo = photo
        self.picture = picture
        self.faces = faces

    def compose(self) -> ComposeResult:
        yield PhotoPreview(self.desk.config.preview, id="zoomed")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def desk(self) -> TripdeskApp:
        return cast("TripdeskApp", self.app)

    def on_mount(self) -> None:
        preview = self.query_one(PhotoPreview)
        preview.border_title = "Zoom"
        self._within_the_terminals_limit()
        preview.show(self.photo, "")
        if self.picture is not None:
            preview.loaded(self.photo.id, self.picture, self.faces)
        if self.picture is None or self.faces is None:
            self._load()

    def _within_the_terminals_limit(self) -> None:
        """A Sixel picture larger than the terminal draws would leave the zoom blank."""
        largest = largest_picture()
        if largest is None or self.desk.config.preview != "auto":
            return
        from textual_image._terminal import get_cell_size  # measured before the app started

        cell = get_cell_size()
        for picture in self.query("#picture"):
            picture.styles.max_width = max(1, largest[0] // max(1, cell.width))
            picture.styles.max_height = max(1, largest[1] // max(1, cell.height))

    @work(thread=True, exclusive=True, exit_on_error=False, group="zoom")
    def _load(self) -> None:
        config = self.desk.config
        picture = self.picture or load_picture(config, self.photo)
        conn = self.desk.database.connection()
        faces = self.faces or faces_in(conn, config, [self.photo], detect=False)[self.photo.id]
        self.post_message(ZoomLoaded(picture, faces))

    def on_zoom_loaded(self, message: ZoomLoaded) -> None:
        self.query_one(PhotoPreview).loaded(self.photo.id, message.picture, message.faces)

    def action_close(self) -> None:
        self.dismiss(None)
