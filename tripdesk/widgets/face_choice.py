"""The faces found in photos, listed with the numbers drawn on the picture, ticked to be blurred.

Tag and the Blur dialog both show this list, so "face 2" reads the same wherever the teacher
chooses it. The list is handed the photos, their face reports and pictures; it never reads the
pool or the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from tripdesk.widgets.preview import Picture, face_lines, faces_line, numbered_faces, photo_name

if TYPE_CHECKING:
    from tripdesk.media.report import Box, FaceReport
    from tripdesk.pool.catalogue import PoolPhoto


class FaceChoice(SelectionList[tuple[int, int]]):
    """Each value is (the photo's index among those shown, the face's number less one)."""

    DEFAULT_CSS = """
    FaceChoice { height: auto; border: none; padding: 0; background: $surface; }
    FaceChoice:focus { border: none; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "enter", show=False)]

    def __init__(self, *, enter_ticks: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.enter_ticks = enter_ticks

    def action_enter(self) -> None:
        """Enter ticks the highlighted face, unless the screen around uses Enter to act on the
        ticks: then it goes on to the screen's binding, in turn with the keys before it."""
        if not self.enter_ticks:
            raise SkipAction
        self.action_select()

    def show_faces(
        self,
        photos: Sequence[PoolPhoto],
        reports: Mapping[int, FaceReport | None],
        pictures: Mapping[int, Picture],
        *,
        ticked: bool,
    ) -> None:
        """List every face of these photos, each named by its photo when there are several."""
        self.clear_options()
        for index, photo in enumerate(photos):
            picture = pictures.get(photo.id)
            lines = face_lines(reports.get(photo.id), picture.size if picture else None)
            for number, line in enumerate(lines):
                label = f"{photo_name(photo)}: {line}" if len(photos) > 1 else line
                self.add_option(Selection(label, (index, number), initial_state=ticked))
        self.display = self.option_count > 0
        if self.option_count:
            self.highlighted = 0  # space ticks and unticks from the first face on

    def heading(self, report: FaceReport | None) -> str:
        """What to put above the list: how to read it, or why there is nothing in it."""
        if self.option_count:
            return "Faces, as numbered on the photo"
        line = faces_line(report)
        return line[:1].upper() + line[1:]

    def toggle_face(self, number: int) -> None:
        """Tick or untick the face with this number on the picture (1 is the leftmost)."""
        if number <= self.option_count:
            self.toggle(self.get_option_at_index(number - 1).value)
            self.highlighted = number - 1

    def chosen_boxes(
        self, photos: Sequence[PoolPhoto], reports: Mapping[int, FaceReport | None]
    ) -> dict[int, list[Box]]:
        """The ticked faces' boxes, by the index of the photo each is in."""
        by_photo: dict[int, list[Box]] = {}
        for index, number in self.selected:
            report = reports.get(photos[index].id)
            if report is not None:
                by_photo.setdefault(index, []).append(numbered_faces(report)[number])
        return by_photo
