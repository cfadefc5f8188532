"""Tag: say who is in the chosen photos, or that no child can be identified; blur faces.

Every change is saved at once (in a worker, never on the event loop), so nothing is lost if the
laptop dies mid-trip. Tagging records who is really in a photo; whether the photo may then be
posted is the guard's decision, and this screen tells the teacher as soon as a pupil is picked
when the tag means it cannot go out as it is. Faces are listed with the numbers drawn on the
picture, so "face 2" is the face with a 2 on it; blurring them makes a copy in one step that
keeps the tags, is checked again for faces, and takes the original's place on this screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from tripdesk.consent.register import Register
from tripdesk.desk import photos as desk_photos
from tripdesk.desk.register import trip_register
from tripdesk.desk.wording import pupil_label, tag_check
from tripdesk.errors import TripdeskError
from tripdesk.media.report import Box, FaceReport
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.screens.blur import Blurred, blurred_copies, blurred_said
from tripdesk.screens.messages import PhotosChanged
from tripdesk.screens.photos import consent_note, load_picture
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.face_choice import FaceChoice
from tripdesk.widgets.preview import PhotoPreview, Picture, photo_name
from tripdesk.widgets.pupil_picker import PupilPicker, consent_text

Change = Callable[[PoolPhoto], tuple[Sequence[str], bool]]


@dataclass
class FacesFound(Message):
    """Each photo's face report and picture, by photo id."""

    reports: dict[int, FaceReport | None]
    pictures: dict[int, Picture]


@dataclass
class TagsSaved(Message):
    photos: list[PoolPhoto]
    said: str
    warning: bool


@dataclass
class TagsRefused(Message):
    reason: str


class TagScreen(TripScreen[list[PoolPhoto]]):
    """Dismisses with every photo it changed or created; Photos hears of each change at once."""

    CSS_PATH = "tag.tcss"
    AUTO_FOCUS = "#find"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"toggle_face({n})", show=False) for n in range(1, 10)),
        Binding("escape", "done", "Back", id="tag.back", tooltip="Back to the photos"),
        Binding(
            "ctrl+n",
            "no_children",
            "No identifiable children",
            id="tag.no_children",
            tooltip="Declare (or undeclare) that no child can be identified in the photo",
        ),
        Binding(
            "ctrl+f",
            "blur",
            "Blur chosen faces",
            id="tag.blur",
            tooltip="Make a copy with the ticked faces blurred, keeping the tags",
        ),
        Binding(
            "delete",
            "untag",
            "Untag",
            id="tag.untag",
            tooltip="Remove the highlighted pupil under “In the photo”",
        ),
        Binding(
            "ctrl+z",
            "zoom",
            "Zoom",
            id="tag.zoom",
            tooltip="The photo full screen, its faces boxed and numbered",
        ),
    ]

    def __init__(self, photos: Sequence[PoolPhoto]) -> None:
        super().__init__()
        self.photos = list(photos)
        self.register = Register()
        self.reports: dict[int, FaceReport | None] = {}
        self.pictures: dict[int, Picture] = {}
        self.changed: dict[int, PoolPhoto] = {}
        self._wanted: tuple[list[tuple[PoolPhoto, Sequence[str], bool]], str, bool] | None = None
        self._saving = threading.Lock()

    def compose(self) -> ComposeResult:
        self.register = trip_register(self.desk.conn, self.config)
        yield Header()
        yield Static(self._title(), id="title")
        with Horizontal(id="columns"):
            with Vertical(id="left"):
                yield PupilPicker(self.register.roster(), self.desk.today(), id="picker")
                yield Static(id="why")
            with Vertical(id="right"):
                yield Label("In the photo", classes="heading")
                yield OptionList(id="tagged")
                yield Checkbox("No identifiable children", id="no-children")
                yield Label("Faces: looking…", classes="heading", id="faces-heading")
                yield FaceChoice(id="faces")
                yield PhotoPreview(self.desk.config.preview, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show_tags()
        self.query_one(PhotoPreview).show(self.photos[0], self._summary(self.photos[0]))
        self._detect([photo for photo in self.photos if not photo.damaged])

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer shows this screen's keys and `?`: the app's other keys would not fit at
        80 columns beside them, and they still work and are listed under `?` and ctrl+p."""
        return {
            key: active
            for key, active in super().active_bindings.items()
            if active.node is not self.app or active.binding.action == "keys"
        }

    def _title(self) -> Text:
        more = f" and {len(self.photos) - 1} more" if len(self.photos) > 1 else ""
        return Text(f"Tagging {photo_name(self.photos[0])}{more}")

    def _summary(self, photo: PoolPhoto) -> Text:
        return consent_note(photo, self.register, self.desk.today(), self.app.theme_variables)

    def _show_tags(self) -> None:
        tagged = self.query_one("#tagged", OptionList)
        tagged.clear_options()
        ids = dict.fromkeys(p for photo in self.photos for p in photo.pupils)
        today = self.desk.today()
        for pupil_id in ids:
            pupil = self.register.get(pupil_id)
            if pupil is None:
                tagged.add_option(Option(Text(f"{pupil_id} (not on the register)"), id=pupil_id))
                continue
            prompt = Text(f"{pupil_label(pupil):<15} ")
            prompt.append_text(consent_text(self.app, pupil.status(today)))
            tagged.add_option(Option(prompt, id=pupil_id))
        if tagged.option_count:
            tagged.highlighted = 0
        box = self.query_one("#no-children", Checkbox)
        declared = all(photo.no_children for photo in self.photos)
        with box.prevent(Checkbox.Changed):
            box.value = declared
        box.label = "No identifiable children: " + ("yes" if declared else "no")
        self.query_one(PhotoPreview).retag(self._summary(self.photos[0]))

    def _say(self, message: str, *, warning: bool = False) -> None:
        colour = self.app.theme_variables.get("warning" if warning else "text", "")
        self.query_one("#why", Static).update(Text(message, style=colour))

    def _retag(self, change: Change, said: str, *, warning: bool = False) -> None:
        """Show the new tags at once and save them in a worker; the next pick builds on them.

        Saves never overlap: each worker saves the newest tags asked for, so a quick second
        pick can neither be lost nor overtaken by the first.
        """
        changes = [(photo, *change(photo)) for photo in self.photos]
        self.photos = [
            replace(photo, pupils=tuple(pupils), no_children=no_children)
            for photo, pupils, no_children in changes
        ]
        self._wanted = (changes, said, warning)
        self._show_tags()
        self._save()

    @work(thread=True, exit_on_error=False, group="tags")
    def _save(self) -> None:
        with self._saving:
            wanted, self._wanted = self._wanted, None
            if wanted is None:
                return  # an earlier worker saved these tags already
            changes, said, warning = wanted
            conn = self.desk.database.connection()
            try:
                fresh = [
                    desk_photos.tag(conn, photo, pupils, no_children=no_children)
                    for photo, pupils, no_children in changes
                ]
            except TripdeskError as error:
                self.post_message(TagsRefused(error.message))
                return
        self.post_message(TagsSaved(fresh, said, warning))

    def on_tags_saved(self, message: TagsSaved) -> None:
        if self._wanted is None:  # nothing newer on its way
            self.photos = message.photos
        self.changed.update((photo.id, photo) for photo in message.photos)
        self.desk.photos.post_message(PhotosChanged(message.photos))
        self._say(message.said, warning=message.warning)
        self._show_tags()

    def on_tags_refused(self, message: TagsRefused) -> None:
        """Nothing was saved: back to the tags as they are in the pool."""
        conn = self.desk.conn
        self.photos = [catalogue.photo_by_id(conn, photo.id) or photo for photo in self.photos]
        self._say(message.reason, warning=True)
        self._show_tags()

    @on(PupilPicker.Picked)
    def _picked(self, event: PupilPicker.Picked) -> None:
        check = tag_check(event.pupil, self.desk.today())
        if not check.allowed:
            self._say(check.message or "", warning=True)
            self.app.bell()
            return
        if check.message:  # told at once, while the tag is being saved
            self._say(check.message, warning=True)
        pupil_id = event.pupil.id
        said = check.message or f"Tagged {pupil_label(event.pupil)}."
        self._retag(
            lambda photo: ((*photo.pupils, pupil_id), False), said, warning=bool(check.message)
        )

    def action_untag(self) -> None:
        tagged = self.query_one("#tagged", OptionList)
        if tagged.highlighted is None:
            self._say("Choose a tag under “In the photo” first (Tab moves there).")
            return
        pupil_id = tagged.get_option_at_index(tagged.highlighted).id
        pupil = self.register.get(pupil_id) if pupil_id is not None else None
        self._retag(
            lambda photo: ([p for p in photo.pupils if p != pupil_id], photo.no_children),
            f"Untagged {pupil_label(pupil) if pupil else pupil_id}.",
        )

    def action_no_children(self) -> None:
        box = self.query_one("#no-children", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#no-children")
    def _declared(self, event: Checkbox.Changed) -> None:
        if event.value and any(photo.pupils for photo in self.photos):
            self._say(
                "Untag the pupils first: a photo with tagged pupils shows children.", warning=True
            )
            self._show_tags()
            return
        seen = sum(r.count or 0 for r in self.reports.values() if r is not None)
        if event.value and seen:
            said = (
                f"Declared no identifiable children, but the detector sees {seen} "
                f"face{'s' if seen > 1 else ''}: blur them before posting."
            )
        else:
            said = "Declared no identifiable children." if event.value else "Declaration removed."
        self._retag(
            lambda photo: (photo.pupils, event.value), said, warning=bool(event.value and seen)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="faces")
    def _detect(self, photos: list[PoolPhoto]) -> None:
        config = self.desk.config
        pictures = {photo.id: load_picture(config, photo) for photo in photos}
        conn = self.desk.database.connection()
        self.post_message(FacesFound(desk_photos.faces_in(conn, config, photos), pictures))

    def on_faces_found(self, message: FacesFound) -> None:
        self.reports.update(message.reports)
        self.pictures.update(message.pictures)
        self._list_faces()

    def _list_faces(self) -> None:
        """Every face ticked at first: on this screen blurring is for all the faces found."""
        listing = self.query_one(FaceChoice)
        listing.show_faces(self.photos, self.reports, self.pictures, ticked=True)
        first = self.photos[0]
        heading = self.query_one("#faces-heading", Label)
        heading.update(listing.heading(self.reports.get(first.id)))
        self.query_one(PhotoPreview).loaded(
            first.id, self.pictures.get(first.id), self.reports.get(first.id)
        )

    def action_toggle_face(self, number: int) -> None:
        self.query_one(FaceChoice).toggle_face(number)

    def action_blur(self) -> None:
        by_photo = self.query_one(FaceChoice).chosen_boxes(self.photos, self.reports)
        if not by_photo:
            self._say("No faces chosen to blur.")
            return
        self._say("Blurring…")
        self._blur(by_photo)

    @work(thread=True, exclusive=True, exit_on_error=False, group="blur")
    def _blur(self, by_photo: dict[int, list[Box]]) -> None:
        conn = self.desk.database.connection()
        self.post_message(blurred_copies(conn, self.desk.config, self.photos, by_photo))

    def on_blurred(self, message: Blurred) -> None:
        """The copies take the originals' places here: the screen shows only what would go."""
        for index, copy in message.copies.items():
            self.photos[index] = copy
            self.changed[copy.id] = copy
        self.reports.update(message.reports)
        self.pictures.update(message.pictures)
        made = list(message.copies.values())
        self.desk.photos.post_message(PhotosChanged(made))
        self.query_one("#title", Static).update(self._title())
        said, faces_left = blurred_said(message)
        self._say(said, warning=faces_left)
        self.query_one(PhotoPreview).show(self.photos[0], self._summary(self.photos[0]))
        self._show_tags()
        self._list_faces()

    def action_zoom(self) -> None:
        from tripdesk.screens.zoom import ZoomScreen

        photo = self.photos[0]
        self.app.push_screen(
            ZoomScreen(photo, self.pictures.get(photo.id), self.reports.get(photo.id))
        )

    def action_done(self) -> None:
        self.dismiss(list(self.changed.values()))
