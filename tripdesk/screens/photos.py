"""Photos: the main screen. Photos appear as they arrive and move through the pool, live.

Rows are keyed by the inbox file while it arrives, and by the pooled photo once catalogued, so
each watcher event changes one row in place. The counts line is refreshed at most twice a
second, however fast the events come.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from tripdesk.config import Config
from tripdesk.consent.register import Register
from tripdesk.desk.photos import faces_in
from tripdesk.desk.register import trip_register
from tripdesk.desk.wording import photo_state, short_path, tags_summary
from tripdesk.media.report import Box, FaceReport
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.pool.events import (
    AwaitingDeletion,
    Copying,
    Damaged,
    Deleted,
    Duplicate,
    Failed,
    Pooled,
    PoolEvent,
    Skipped,
)
from tripdesk.screens.messages import PhotosChanged, PoolChanged
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.photo_grid import PhotoGrid
from tripdesk.widgets.preview import PhotoPreview, Picture, photo_name

if TYPE_CHECKING:
    from tripdesk.screens.blur import Blurred

PREVIEW_DELAY = 0.1
THUMBNAIL_SIZE = 480
# Face detection takes both cores for up to a second: wait until the cursor rests on a photo
# (during a burst of arrivals it follows each new one) before looking at a new one.
DETECT_AFTER = 0.5
# A trip day is a few hundred photos; listing a whole multi-year pool would slow every start.
LISTED = 1000
COUNTS_EVERY = 0.5


@dataclass
class CatalogueRead(Message):
    """The catalogue as it stood at start-up, read off the event loop."""

    photos: list[PoolPhoto]
    awaiting: set[int]


@dataclass
class PreviewLoaded(Message):
    """A worker has the picture, and perhaps the face report, of the photo being previewed."""

    photo_id: int
    picture: Picture
    faces: FaceReport | None


@dataclass
class FacesToBlur(Message):
    """A worker has looked for the faces of the photo the teacher asked to blur."""

    photo: PoolPhoto
    picture: Picture
    faces: FaceReport | None


def load_picture(config: Config, photo: PoolPhoto) -> Picture:
    """The photo's thumbnail (made once, cached) and its upright size; slow: call in a worker."""
    from tripdesk.media import thumbs  # Pillow's decoders load when a picture is first asked

    path = catalogue.pool_file(config.trip.pool, photo)
    thumbnail = None
    if config.preview != "off":
        thumbnail = thumbs.thumbnail(path, THUMBNAIL_SIZE, cache_dir=config.cache("thumbs"))
    return Picture(thumbnail, upright_size(path))


def upright_size(path: Path) -> tuple[int, int]:
    """The photo's width and height as seen upright, which face boxes are measured in."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            across, down = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
    except OSError:
        return (0, 0)
    return (down, across) if turned else (across, down)


def consent_note(
    photo: PoolPhoto, register: Register, today: date, colours: Mapping[str, str]
) -> Text:
    """The photo's tags, led by a symbol and a word when a tagged pupil may not appear."""
    tags = Text(tags_summary(photo, register))
    statuses = [
        pupil.status(today)
        for pupil in (register.get(pupil_id) for pupil_id in photo.pupils)
        if pupil is not None
    ]
    if "never photograph" in statuses:
        return Text.assemble(
            ("⚠ never photograph", f"bold {colours.get('error', '')}"), " · ", tags
        )
    if any(status != "consent" for status in statuses):
        return Text.assemble(("✗ no consent", f"bold {colours.get('warning', '')}"), " · ", tags)
    return tags


class PhotosScreen(TripScreen[None]):
    CSS_PATH = "photos.tcss"
    AUTO_FOCUS = "#grid"
    # Below 100 columns the preview goes under the list, so the tags column keeps its room.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i",
            "scan",
            "Look in inbox",
            show=False,
            id="photos.scan",
            tooltip="Look in the inbox now for photos the watcher has not seen",
        ),
        Binding(
            "z",
            "zoom",
            "Zoom",
            id="photos.zoom",
            tooltip="The photo under the cursor full screen, its faces boxed and numbered",
        ),
        Binding(
            "b",
            "blur",
            "Blur",
            id="photos.blur",
            tooltip="Choose faces of the photo under the cursor by number and blur them in a "
            "copy that keeps its tags",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.register = Register()
        self._key_by_source: dict[Path, str] = {}
        self._key_by_photo: dict[int, str] = {}
        self._failed: set[Path] = set()
        self._counts_stale = True
        self._preview_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="counts")
        with Horizontal(id="main"):
            yield PhotoGrid(id="grid")
            yield PhotoPreview(self.desk.config.preview, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(PhotoGrid).border_title = "Photos"
        self.query_one(PhotoPreview).border_title = "Preview"
        self.register = trip_register(self.desk.conn, self.config)
        self.watch(self.desk, "outbox_status", self._outbox_changed, init=False)
        self.set_interval(COUNTS_EVERY, self._refresh_counts_if_stale)
        # Draw the screen first, then count and list the catalogue: the teacher sees the app
        # at once, however big the pool has grown.
        self.call_after_refresh(self._refresh_counts)
        self.call_after_refresh(self._read_catalogue)

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Below 100 columns the footer leaves Audit out so every other key fits; it still
        works, and `?` and ctrl+p list it."""
        bindings = super().active_bindings
        if not self.has_class("-narrow"):
            return bindings
        return {
            key: active
            for key, active in bindings.items()
            if not (active.node is self.app and active.binding.action == "audit")
        }

    def on_resize(self) -> None:
        self.refresh_bindings()  # the footer may have crossed the breakpoint

    @work(thread=True, exit_on_error=False, group="catalogue")
    def _read_catalogue(self) -> None:
        conn = self.desk.database.connection()
        photos = catalogue.list_photos(conn, limit=LISTED)
        awaiting = {source.photo_id for source in catalogue.waiting_sources(conn)}
        self.post_message(CatalogueRead(photos, awaiting))

    def on_catalogue_read(self, message: CatalogueRead) -> None:
        grid = self.query_one(PhotoGrid)
        rows = []
        for photo in sorted(message.photos, key=lambda p: (p.captured_at, p.id)):
            key = self._key_by_photo.get(photo.id) or f"photo:{photo.id}"
            if key in grid.rows:
                continue
            self._key_by_photo[photo.id] = key
            if photo.source_deleted_at is None and photo.derived_from is None:
                self._key_by_source.setdefault(Path(photo.source_path), key)
            rows.append((key, photo, photo_state(photo, message.awaiting), self._tags(photo)))
        grid.show_many(rows)
        self._show_preview()

    def on_pool_changed(self, message: PoolChanged) -> None:
        """One step of one inbox file: change its row, and remember its counts are stale."""
        event = message.event
        self._counts_stale = True
        grid = self.query_one(PhotoGrid)
        key = self._key(event)
        name = event.source.name
        photo = getattr(event, "photo", None)
        if isinstance(event, Duplicate):
            grid.show(key, name, f"duplicate of {event.photo.original_name}")
            return
        if isinstance(event, Skipped):
            grid.show(key, name, f"skipped: {event.reason}")
            return
        if isinstance(event, Failed):
            grid.show(key, name, f"failed: {event.reason}")
            if event.source not in self._failed:
                self._failed.add(event.source)
                self.notify(event.reason, severity="error", timeout=8)
            return
        state = _STATES.get(type(event), "arrived")
        if isinstance(event, Damaged):
            state = f"damaged: {event.reason}"
        if photo is None:
            grid.show(key, name, state)
            return
        self._key_by_photo[photo.id] = key
        self._show_photo(grid, key, photo, state)
        if grid.key_at_cursor() == key:
            self._preview_soon()

    def _key(self, event: PoolEvent) -> str:
        """The row for this inbox file; a known photo's row when the file is new to us."""
        key = self._key_by_source.get(event.source)
        if key is None:
            photo = getattr(event, "photo", None)
            known = self._key_by_photo.get(photo.id) if photo is not None else None
            if known is not None and not isinstance(event, Duplicate):
                key = known
            else:
                key = f"inbox:{event.source}"
            self._key_by_source[event.source] = key
        return key

    def changed(self, photos: Sequence[PoolPhoto] | None) -> None:
        """Photos were tagged, or blurred copies made: show them as they now are."""
        self.register = trip_register(self.desk.conn, self.config)
        grid = self.query_one(PhotoGrid)
        for photo in photos or ():
            key = self._key_by_photo.setdefault(photo.id, f"photo:{photo.id}")
            state = str(grid.get_cell(key, "state")) if key in grid.rows else photo_state(photo)
            self._show_photo(grid, key, photo, state)
        self._counts_stale = True
        self._show_preview(again=True)

    def on_photos_changed(self, message: PhotosChanged) -> None:
        self.changed(message.photos)

    def deleted(self, photos: Iterable[PoolPhoto] | None) -> None:
        """Originals the Delete screen removed from the phone folder."""
        grid = self.query_one(PhotoGrid)
        for photo in photos or ():
            key = self._key_by_photo.get(photo.id)
            if key is not None and key in grid.rows:
                self._show_photo(grid, key, photo, "deleted from phone")
        self._counts_stale = True

    def _tags(self, photo: PoolPhoto) -> Text:
        return consent_note(photo, self.register, self.desk.today(), self.app.theme_variables)

    def _show_photo(self, grid: PhotoGrid, key: str, photo: PoolPhoto, state: str) -> None:
        grid.show(
            key,
            photo_name(photo),
            state,
            photo=photo,
            taken=photo.captured_at,
            tags=self._tags(photo),
        )

    def chosen(self) -> list[PoolPhoto]:
        return self.query_one(PhotoGrid).chosen()

    @on(DataTable.RowHighlighted, "#grid")
    def _preview_soon(self) -> None:
        """Show the photo under the cursor once it rests: a burst or a held key moves it fast."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._show_preview)

    def _show_preview(self, *, again: bool = False) -> None:
        grid = self.query_one(PhotoGrid)
        photo = grid.photo_at_cursor()
        preview = self.query_one(PhotoPreview)
        if not grid.row_count:
            inbox = short_path(self.desk.config.trip.inbox)
            preview.hint(f"No photos yet: they appear here as they land in {inbox}.")
            return
        if not again and photo is not None and preview.photo == photo:
            return
        preview.show(photo, self._tags(photo) if photo else "")
        if photo is not None:
            self._load_preview(photo)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def _load_preview(self, photo: PoolPhoto) -> None:
        """The thumbnail at once; the faces from the cache, or found once the cursor rests."""
        worker = get_current_worker()
        config = self.desk.config
        picture = load_picture(config, photo)
        conn = self.desk.database.connection()
        report = faces_in(conn, config, [photo], detect=False)[photo.id]
        self.post_message(PreviewLoaded(photo.id, picture, report))
        if report is not None or photo.damaged:
            return
        deadline = time.monotonic() + DETECT_AFTER
        while time.monotonic() < deadline:
            if worker.is_cancelled:
                return
            time.sleep(0.05)
        if worker.is_cancelled:
            return
        report = faces_in(conn, config, [photo])[photo.id]
        if not worker.is_cancelled:
            self.post_message(PreviewLoaded(photo.id, picture, report))

    def on_preview_loaded(self, message: PreviewLoaded) -> None:
        self.query_one(PhotoPreview).loaded(message.photo_id, message.picture, message.faces)

    def action_zoom(self) -> None:
        from tripdesk.screens.zoom import ZoomScreen

        preview = self.query_one(PhotoPreview)
        if preview.photo is None:
            self.notify("Choose a photo first.")
            return
        self.app.push_screen(ZoomScreen(preview.photo, preview.picture, preview.faces))

    def action_blur(self) -> None:
        """Offer the highlighted photo's faces at once when known; otherwise look for them first."""
        photo = self.query_one(PhotoGrid).photo_at_cursor()
        if photo is None:
            self.notify("Choose a photo in the pool first.")
            return
        if photo.damaged:
            self.notify(f"{photo_name(photo)} is damaged: there is nothing to blur.")
            return
        preview = self.query_one(PhotoPreview)
        if preview.photo == photo and preview.picture is not None and preview.faces is not None:
            self._offer_blur(photo, preview.picture, preview.faces)
            return
        self.notify(f"Looking for faces in {photo_name(photo)}…", timeout=3)
        self._find_faces_to_blur(photo)

    @work(thread=True, exclusive=True, exit_on_error=False, group="faces-to-blur")
    def _find_faces_to_blur(self, photo: PoolPhoto) -> None:
        config = self.desk.config
        picture = load_picture(config, photo)
        report = faces_in(self.desk.database.connection(), config, [photo])[photo.id]
        self.post_message(FacesToBlur(photo, picture, report))

    def on_faces_to_blur(self, message: FacesToBlur) -> None:
        self.query_one(PhotoPreview).loaded(message.photo.id, message.picture, message.faces)
        if self.app.screen is not self:
            return  # the teacher has gone on to something else meanwhile
        self._offer_blur(message.photo, message.picture, message.faces)

    def _offer_blur(self, photo: PoolPhoto, picture: Picture, faces: FaceReport | None) -> None:
        from tripdesk.screens.blur import BlurScreen

        name = photo_name(photo)
        if faces is None or faces.count is None:
            why = f" ({faces.error})" if faces is not None and faces.error else ""
            self.notify(f"Could not look for faces in {name}{why}.", severity="warning")
        elif faces.count == 0:
            self.notify(f"No faces found in {name}: there is nothing to blur.")
        else:
            self.app.push_screen(BlurScreen(photo, picture, faces), partial(self._blur, photo))

    def _blur(self, photo: PoolPhoto, boxes: list[Box] | None) -> None:
        if not boxes:
            return  # the teacher went back without blurring
        faces = f"{len(boxes)} face{'s' if len(boxes) > 1 else ''}"
        self.notify(f"Blurring {faces} in {photo_name(photo)}…", timeout=3)
        self._make_blurred_copy(photo, boxes)

    @work(thread=True, exit_on_error=False, group="blur")
    def _make_blurred_copy(self, photo: PoolPhoto, boxes: list[Box]) -> None:
        from tripdesk.screens.blur import blurred_copies

        conn = self.desk.database.connection()
        self.post_message(blurred_copies(conn, self.desk.config, [photo], {0: boxes}))

    def on_blurred(self, message: Blurred) -> None:
        """The copy is listed and chosen, so what the teacher sees next is what would go out."""
        from tripdesk.screens.blur import blurred_said

        copies = list(message.copies.values())
        self.changed(copies)
        grid = self.query_one(PhotoGrid)
        key = self._key_by_photo.get(copies[0].id) if copies else None
        if key is not None and key in grid.rows:
            grid.move_cursor(row=grid.get_row_index(key))
        self._show_preview(again=True)
        said, faces_left = blurred_said(message)
        self.notify(said, severity="warning" if faces_left else "information", timeout=8)

    def action_scan(self) -> None:
        if self.desk.ingestor is None:
            self.notify("The inbox is not being watched.", severity="warning")
            return
        self.notify(f"Looking in {self.desk.config.trip.inbox} …")
        self._scan()

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def _scan(self) -> None:
        if self.desk.ingestor is not None:
            self.desk.ingestor.scan_once()

    def _outbox_changed(self) -> None:
        self._refresh_counts()

    def _refresh_counts_if_stale(self) -> None:
        if self._counts_stale:
            self._refresh_counts()

    def _refresh_counts(self) -> None:
        self._counts_stale = False
        counts = catalogue.counts(self.desk.conn)
        parts = [
            f"pooled today {counts.pooled_today}",
            f"waiting for deletion {counts.awaiting_deletion}",
        ]
        if counts.damaged:
            parts.append(f"damaged {counts.damaged}")
        if counts.total > LISTED:
            parts.append(f"newest {LISTED} of {counts.total} listed")
        status = self.desk.outbox_status
        if status is not None:
            parts.append(outbox_summary(status.counts))
            parts.append("paused" if status.paused else "online" if status.online else "offline")
        self.query_one("#counts", Static).update(" · ".join(parts), layout=False)  # one line


def outbox_summary(counts: Mapping[str, int]) -> str:
    """Posts on their way out, and posts that did not go and need the teacher."""
    going = sum(counts.get(state, 0) for state in ("queued", "sending"))
    unsent = sum(counts.get(state, 0) for state in ("failed", "uncertain", "blocked"))
    return f"in the outbox {going} · unsent {unsent}"


_STATES: dict[type[PoolEvent], str] = {
    Copying: "copying…",
    Pooled: "pooled",
    AwaitingDeletion: "awaiting deletion",
    Deleted: "deleted from phone",
}
