"""Tag: say who is in the chosen photos, or that no child can be identified; blur faces.

Every change is saved at once, so nothing is lost if the laptop dies mid-trip. Tagging records
who is really in a photo; whether the photo may then be posted is the guard's decision, and this
screen tells the teacher straight away when a tag means it cannot go out as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Footer, Header, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tripdesk import store
from tripdesk.consent.register import Register
from tripdesk.consent.store import load_register
from tripdesk.desk.wording import pool_file, pupil_label, tag_check, tags_summary
from tripdesk.errors import TripdeskError
from tripdesk.media import blur, faces
from tripdesk.media.report import Box, FaceReport
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.screens.trip import TripScreen
from tripdesk.widgets.preview import PhotoPreview, faces_line
from tripdesk.widgets.pupil_picker import PupilPicker, consent_text

if TYPE_CHECKING:
    pass


@dataclass
class FacesFound(Message):
    reports: dict[int, FaceReport | None]


@dataclass
class Blurred(Message):
    """Blurred copies made in the pool; the originals stay as they were."""

    photos: list[PoolPhoto]


class TagScreen(TripScreen[list[PoolPhoto]]):
    """Dismisses with every photo it changed or created, so the Photos screen can show them."""

    CSS_PATH = "tag.tcss"
    AUTO_FOCUS = "#find"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Back", id="tag.back"),
        Binding("ctrl+n", "no_children", "No identifiable children", id="tag.no_children"),
        Binding("ctrl+f", "blur", "Blur chosen faces", id="tag.blur"),
        Binding("delete", "untag", "Untag", id="tag.untag"),
    ]

    def __init__(self, photos: Sequence[PoolPhoto]) -> None:
        super().__init__()
        self.photos = list(photos)
        self.register = Register()
        self.reports: dict[int, FaceReport | None] = {}
        self.changed: dict[int, PoolPhoto] = {}

    def compose(self) -> ComposeResult:
        self.register = load_register(self.desk.conn)
        first = self.photos[0]
        more = f" and {len(self.photos) - 1} more" if len(self.photos) > 1 else ""
        yield Header()
        yield Static(Text(f"Tagging {first.original_name}{more}"), id="title")
        with Horizontal(id="columns"):
            with Vertical(id="left"):
                yield PupilPicker(self.register.roster(), self.desk.today(), id="picker")
                yield Static(id="why")
            with Vertical(id="right"):
                yield Label("In the photo", classes="heading")
                yield OptionList(id="tagged")
                yield Checkbox("No identifiable children", id="no-children")
                yield Label("Faces: looking…", classes="heading", id="faces-heading")
                yield SelectionList[tuple[int, int]](id="faces")
                yield PhotoPreview(self.desk.config, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show_tags()
        self.query_one(PhotoPreview).show(self.photos[0], self._summary(self.photos[0]))
        self._detect([photo for photo in self.photos if not photo.damaged])

    def _summary(self, photo: PoolPhoto) -> str:
        return tags_summary(photo, self.register)

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

    def _retag(self, change: Callable[[PoolPhoto], tuple[Sequence[str], bool]]) -> bool:
        """Save new tags for every photo at once; a refusal is told, not raised."""
        try:
            fresh = [
                catalogue.set_tags(self.desk.conn, photo.id, *change(photo))
                for photo in self.photos
            ]
        except TripdeskError as error:
            self._say(error.message, warning=True)
            return False
        self.photos = fresh
        self.changed.update((photo.id, photo) for photo in fresh)
        return True

    @on(PupilPicker.Picked)
    def _picked(self, event: PupilPicker.Picked) -> None:
        check = tag_check(event.pupil, self.desk.today())
        if not check.allowed:
            self._say(check.message or "", warning=True)
            self.app.bell()
            return
        pupil_id = event.pupil.id
        if not self._retag(lambda photo: ((*photo.pupils, pupil_id), False)):
            return
        self._say(
            check.message or f"Tagged {pupil_label(event.pupil)}.", warning=bool(check.message)
        )
        self._show_tags()

    def action_untag(self) -> None:
        tagged = self.query_one("#tagged", OptionList)
        if tagged.highlighted is None:
            self._say("Choose a tag under “In the photo” first (Tab moves there).")
            return
        pupil_id = tagged.get_option_at_index(tagged.highlighted).id
        if not self._retag(
            lambda photo: ([p for p in photo.pupils if p != pupil_id], photo.no_children)
        ):
            return
        pupil = self.register.get(pupil_id) if pupil_id is not None else None
        self._say(f"Untagged {pupil_label(pupil) if pupil else pupil_id}.")
        self._show_tags()

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
        if not self._retag(lambda photo: (photo.pupils, event.value)):
            self._show_tags()
            return
        seen = sum(r.count or 0 for r in self.reports.values() if r is not None)
        if event.value and seen:
            self._say(
                f"Declared no identifiable children, but the detector sees {seen} "
                f"face{'s' if seen > 1 else ''}: blur them before posting.",
                warning=True,
            )
        else:
            self._say(
                "Declared no identifiable children." if event.value else "Declaration removed."
            )
        self._show_tags()

    @work(thread=True, exclusive=True, exit_on_error=False, group="faces")
    def _detect(self, photos: list[PoolPhoto]) -> None:
        conn = store.connect(self.desk.config.database)
        try:
            reports = {
                photo.id: faces.face_report(
                    conn,
                    pool_file(self.desk.config, photo),
                    photo.sha256,
                    threshold=self.desk.config.faces.threshold,
                )
                for photo in photos
            }
        finally:
            conn.close()
        self.post_message(FacesFound(reports))

    def on_faces_found(self, message: FacesFound) -> None:
        reports = self.reports = message.reports
        listing = self.query_one("#faces", SelectionList)
        listing.clear_options()
        for index, photo in enumerate(self.photos):
            report = reports.get(photo.id)
            for number, box in enumerate(report.boxes if report else (), start=1):
                label = f"face {number}, {_size(box)}"
                if len(self.photos) > 1:
                    label = f"{photo.original_name} {label}"
                listing.add_option(Selection(label, (index, number - 1), initial_state=True))
        listing.display = listing.option_count > 0
        heading = self.query_one("#faces-heading", Label)
        if listing.option_count:
            heading.update("Faces (ctrl+f blurs the ticked ones)")
        else:
            line = faces_line(reports.get(self.photos[0].id))
            heading.update(line[:1].upper() + line[1:])

    def action_blur(self) -> None:
        chosen = self.query_one("#faces", SelectionList).selected
        if not chosen:
            self._say("No faces chosen to blur.")
            return
        by_photo: dict[int, list[Box]] = {}
        for index, number in chosen:
            report = self.reports.get(self.photos[index].id)
            if report is not None:
                by_photo.setdefault(index, []).append(report.boxes[number])
        self._say("Blurring…")
        self._blur(by_photo)

    @work(thread=True, exclusive=True, exit_on_error=False, group="blur")
    def _blur(self, by_photo: dict[int, list[Box]]) -> None:
        conn = store.connect(self.desk.config.database)
        try:
            made = [
                blur.blur_faces(conn, self.desk.config, self.photos[index], boxes)
                for index, boxes in by_photo.items()
            ]
        finally:
            conn.close()
        self.post_message(Blurred(made))

    def on_blurred(self, message: Blurred) -> None:
        made = message.photos
        for photo in made:
            self.changed[photo.id] = photo
        self._say(
            f"Made {len(made)} blurred cop{'ies' if len(made) > 1 else 'y'}, shown here; the "
            "originals are kept. Tag the copy on the Photos screen to post it."
        )
        self.query_one(PhotoPreview).show(made[0], self._summary(made[0]))

    def action_done(self) -> None:
        self.dismiss(list(self.changed.values()))


def _size(box: Box) -> str:
    """A face's size in the photo, which tells a close face from one far in the background."""
    left, _top, right, _bottom = box
    return f"{right - left} px wide"
