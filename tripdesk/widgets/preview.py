"""The selected photo, drawn from its thumbnail, with when it was taken and the faces seen in it.

With `preview = auto`, textual-image decides at import how this terminal can show pictures
(Sixel, Kitty graphics or half blocks), so `prepare_terminal` imports it before the app runs;
`halfcell` draws half blocks itself and needs nothing loaded first. The picture always comes
from a small cached thumbnail made in a worker thread: a 12 MP original would freeze the screen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from tripdesk import store
from tripdesk.config import Config
from tripdesk.desk.wording import pool_file
from tripdesk.widgets.halfblocks import HalfBlockPicture

if TYPE_CHECKING:
    from tripdesk.media.report import FaceReport
    from tripdesk.pool.catalogue import PoolPhoto

THUMBNAIL_SIZE = 480
# Face detection takes both cores for up to a second: wait until the cursor rests on a photo
# (during a burst of arrivals it follows each new one) and run one detection at a time.
DETECT_AFTER = 0.5
_DETECTING = threading.Lock()


def prepare_terminal(mode: str) -> None:
    """Let textual-image find out what this terminal can show; call it before the app runs.

    It asks the terminal when it is imported, which only works before Textual takes over the
    keyboard. Only `preview = auto` needs it: `halfcell` draws with half blocks anywhere.
    """
    if mode == "auto":
        import textual_image.widget  # noqa: F401


def thumbnail_cache(config: Config) -> Path:
    return config.home / "thumbnails"


def _cancelled_within(seconds: float) -> bool:
    """Wait in this worker thread, saying whether a newer photo replaced it meanwhile."""
    worker = get_current_worker()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.is_cancelled:
            return True
        time.sleep(0.05)
    return worker.is_cancelled


def faces_line(report: FaceReport | None) -> str:
    """How many faces the detector saw, or that it has not looked yet, or why it could not."""
    if report is None:
        return "faces: not checked yet"
    if report.count is None:
        return f"faces: could not check ({report.error})" if report.error else "faces: unknown"
    return {0: "no faces detected", 1: "1 face detected"}.get(
        report.count, f"{report.count} faces detected"
    )


class PhotoPreview(Vertical):
    """A few lines about the photo above its picture (unless the preview setting is `off`)."""

    DEFAULT_CSS = """
    PhotoPreview { height: 1fr; overflow: hidden; }
    PhotoPreview #about { height: auto; padding: 0 1; margin-bottom: 1; }
    PhotoPreview #picture { width: 100%; height: auto; }
    """

    @dataclass
    class Loaded(Message):
        """A worker has the thumbnail and the face report for the photo being shown."""

        photo_id: int
        thumbnail: Path | None
        faces: FaceReport | None

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.photo: PoolPhoto | None = None
        self.faces: FaceReport | None = None
        self._tags = ""
        self._shown: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static("No photo chosen.", id="about")
        if self.config.preview == "halfcell":
            yield HalfBlockPicture(id="picture")
        elif self.config.preview == "auto":
            from textual_image.widget import Image as AutoImage  # see prepare_terminal

            yield AutoImage(id="picture")

    def show(self, photo: PoolPhoto | None, tags: str) -> None:
        """Show this photo now with what is known, and fetch its picture and faces meanwhile."""
        self.photo, self.faces, self._tags = photo, None, tags
        self._picture(None)
        self._describe()
        if photo is not None:
            self._load(photo)

    def hint(self, text: str) -> None:
        """What to say while there is no photo to show."""
        self.photo, self.faces, self._tags = None, None, ""
        self._picture(None)
        self.query_one("#about", Static).update(text)

    def retag(self, tags: str) -> None:
        self._tags = tags
        self._describe()

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _load(self, photo: PoolPhoto) -> None:
        # Imported here, in the worker: the detector and its numpy are not needed to start.
        from tripdesk.media import faces, thumbs

        worker = get_current_worker()
        path = pool_file(self.config, photo)
        picture = None
        if self.config.preview != "off":
            picture = thumbs.thumbnail(path, THUMBNAIL_SIZE, cache_dir=thumbnail_cache(self.config))
        self.post_message(self.Loaded(photo.id, picture, None))
        if photo.damaged or _cancelled_within(DETECT_AFTER):
            return
        with _DETECTING:
            if worker.is_cancelled:
                return
            conn = store.connect(self.config.database)
            try:
                report = faces.face_report(
                    conn, path, photo.sha256, threshold=self.config.faces.threshold
                )
            finally:
                conn.close()
        if not worker.is_cancelled:
            self.post_message(self.Loaded(photo.id, picture, report))

    def on_photo_preview_loaded(self, message: Loaded) -> None:
        message.stop()
        if self.photo is None or self.photo.id != message.photo_id:
            return
        self.faces = message.faces or self.faces
        if message.thumbnail != self._shown:
            self._picture(message.thumbnail)
        self._describe()

    def _picture(self, path: Path | None) -> None:
        self._shown = path
        for picture in self.query("#picture"):
            picture.image = path  # type: ignore[attr-defined]

    def _describe(self) -> None:
        photo = self.photo
        if photo is None:
            self.query_one("#about", Static).update("No photo chosen.")
            return
        taken = photo.captured_at.strftime("%a %d %b, %H:%M") if photo.captured_at else "unknown"
        lines = Text()
        lines.append(photo.original_name, style="bold")
        if photo.derived_from is not None:
            lines.append(" (blurred copy)")
        lines.append(f"\ntaken {taken}\n{faces_line(self.faces)}\n")
        lines.append(self._tags)
        self.query_one("#about", Static).update(lines)
