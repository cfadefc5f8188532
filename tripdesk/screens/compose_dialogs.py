"""The dialogs Compose opens: the final step, choosing photos to add, and the kept drafts.

The final step shows the post exactly as it will go (prepared photos, poll), says plainly when
it will go out, or that nothing will be posted in dry-run, and takes an optional "hold until"
time. The other two are lists handed their rows by Compose: they never read the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from tripdesk.desk import accountability
from tripdesk.desk.drafts_kept import KeptDraft
from tripdesk.desk.final_step import FinalPhoto
from tripdesk.draft import Draft
from tripdesk.errors import TripdeskError
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.widgets.halfblocks import HalfBlockPicture
from tripdesk.widgets.poll_editor import duration

if TYPE_CHECKING:
    from tripdesk.app import TripdeskApp

NOTHING_POSTED = "Dry-run: nothing will be posted, only recorded on this laptop."


def hold_time(typed: str, now: datetime) -> datetime | None:
    """The moment a typed "hold until" means, read as `tripdesk post --hold-until` reads it;
    empty means no hold."""
    text = typed.strip()
    return accountability.hold_time(text, now=now) if text else None


class SendPreview(ConfirmScreen):
    """The final step: the text, the prepared photos and the poll, exactly as they will go."""

    CSS_PATH: ClassVar[list[str | Path]] = ["confirm.tcss", "compose.tcss"]
    AUTO_FOCUS = "#outgoing"  # the arrow keys scroll through the photos; y sends

    def __init__(
        self,
        draft: Draft,
        outgoing: Sequence[FinalPhoto],
        *,
        when: str,
        now: bool,
        dry_run: bool,
        preview: str,
        clock: datetime,
        cost: str | None = None,
        versions: Sequence[tuple[str, str]] = (),
        replies: str | None = None,
    ) -> None:
        """`when` says when a post queued now goes out; "hold until" counts from `clock`;
        `cost` is what the paid networks charge for it; `versions` are the texts the networks
        get, each with the networks that get it, when they are more than X; `replies` warns
        where replies cannot be switched off."""
        yes = "Record" if dry_run and now else "Send" if now else "Queue"
        super().__init__("This is exactly what will go out", "", yes=yes, no="Not yet")
        self.when = when
        self.dry_run = dry_run
        self.draft = draft
        self.outgoing = tuple(outgoing)
        self.preview = preview
        self.clock = clock
        self.hold_until: datetime | None = None
        self.cost = cost
        self.versions = tuple(versions) or (("X", draft.text),)
        self.replies = replies

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="outgoing"):
            for number, (networks, text) in enumerate(self.versions):
                version = Static(
                    text,
                    id=None if number else "outgoing-text",
                    classes="outgoing-text",
                    markup=False,
                )
                if self.versions != (("X", self.draft.text),):
                    version.border_title = f"On {networks}"
                yield version
            for number, photo in enumerate(self.outgoing, start=1):
                with Horizontal(classes="outgoing-photo"):
                    if self.preview == "halfcell":
                        yield HalfBlockPicture(photo.thumbnail, classes="outgoing-thumb")
                    elif self.preview == "auto":
                        from textual_image.widget import Image as AutoImage  # imported at start

                        yield AutoImage(photo.thumbnail, classes="outgoing-thumb")
                    yield Static(photo.facts(number), markup=False, classes="outgoing-facts")
            if self.draft.poll:
                options = "\n".join(f"  ○ {option}" for option in self.draft.poll.options)
                yield Static(
                    f"Poll, open for {duration(self.draft.poll.minutes)}:\n{options}",
                    markup=False,
                )
        if self.dry_run:
            yield Static(NOTHING_POSTED, id="dry-run", markup=False)
        if self.when:
            yield Static(f"Once in the outbox, {self.when}", id="when", markup=False)
        if self.cost:
            yield Static(self.cost, id="cost", markup=False)
        if self.replies:
            yield Static(self.replies, id="replies", markup=False)
        with Horizontal(id="hold"):
            yield Static("Hold until", id="hold-label")
            yield Input(
                placeholder="now, or a time: 16:30, 2026-06-11 09:00", id="hold-until", compact=True
            )
        yield Static(id="hold-problem", markup=False)

    def action_answer(self, answer: bool) -> None:
        if answer and not self._hold_understood():
            return
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        event.prevent_default()  # the plain dialog would dismiss without reading the hold
        self.action_answer(event.button.id == "yes")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._hold_understood():
            self.query_one("#yes", Button).focus()

    def _hold_understood(self) -> bool:
        problem = self.query_one("#hold-problem", Static)
        try:
            self.hold_until = hold_time(self.query_one("#hold-until", Input).value, self.clock)
        except TripdeskError as error:
            problem.update(error.message)
            self.query_one("#hold-until", Input).focus()
            return False
        problem.update(
            f"Held until {self.hold_until:%H:%M on %a %d %b}." if self.hold_until else ""
        )
        return True


class PhotoChooser(ModalScreen[list[int]]):
    """Pool photos to add to the draft, ticked with space; enter adds them, escape adds none."""

    CSS_PATH = "compose.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "add", "Add the ticked photos", show=False, priority=True),
        Binding("escape", "dismiss([])", "Add none", show=False),
    ]

    def __init__(self, choices: Sequence[tuple[str, int]]) -> None:
        """`choices` are (caption, photo id) for each photo the draft could take."""
        super().__init__()
        self.choices = tuple(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="chooser"):
            yield Static("Add photos: space ticks, enter adds, esc adds none", id="title")
            if self.choices:
                yield SelectionList[int](*self.choices, id="choices")
            else:
                yield Static("No other photos in the pool yet.", id="none")

    def action_add(self) -> None:
        chosen = self.query(SelectionList)
        self.dismiss(list(chosen.first().selected) if chosen else [])


class KeptDrafts(ModalScreen[KeptDraft | None]):
    """The kept drafts: enter reopens one, delete throws the highlighted one away."""

    CSS_PATH = "compose.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", show=False),
        Binding("delete", "throw_away", "Throw away", show=False),
    ]

    def __init__(self, drafts: Sequence[KeptDraft], *, current: int | None) -> None:
        """`current` is the id of the draft Compose has open, marked in the list."""
        super().__init__()
        self.drafts = list(drafts)
        self.current = current
        self.thrown: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="kept"):
            yield Static("Kept drafts: enter reopens, delete throws away, esc closes", id="title")
            yield OptionList(*self._options(), id="kept-list")

    def _options(self) -> list[Option]:
        if not self.drafts:
            return [Option("No drafts are kept.", disabled=True)]
        options = []
        for draft in self.drafts:
            when = f"{draft.updated_at.astimezone():%a %H:%M}" if draft.updated_at else ""
            count = len(draft.photos)
            photos = f" · {count} photo{'s' if count > 1 else ''}" if count else ""
            mark = " (open now)" if draft.id == self.current else ""
            options.append(
                Option(f"{when}  {draft.title or '(no words yet)'}{photos}{mark}", id=str(draft.id))
            )
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.drafts[event.option_index])

    def action_throw_away(self) -> None:
        """Mark the highlighted draft to be thrown away; Compose deletes it when this closes."""
        listing = self.query_one(OptionList)
        index = listing.highlighted
        if index is None or not self.drafts or self.drafts[index].id == self.current:
            self.notify("The draft open now is thrown away by emptying it.", severity="warning")
            return
        gone = self.drafts.pop(index)
        if gone.id is not None:
            self.thrown.append(gone.id)
        listing.clear_options()
        listing.add_options(self._options())


class ApproveDialog(ModalScreen[str | None]):
    """A second member of staff approves the post with their name and PIN, at the laptop.

    The PIN is masked as it is typed, checked in a worker (it is deliberately slow to check),
    and never kept: only the approver's name comes back.
    """

    CSS_PATH = "confirm.tcss"
    AUTO_FOCUS = "#approver"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Go back to the draft without approving"),
    ]

    def __init__(self, draft: Draft, approvers: Sequence[str], why: str) -> None:
        super().__init__()
        self.draft = draft
        self.approvers = tuple(approvers)
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("A second member of staff approves this post", id="title")
            yield Static(self.why, id="body", markup=False)
            yield Select(
                [(name, name) for name in self.approvers],
                prompt="Who approves?",
                id="approver",
                allow_blank=True,
            )
            yield Input(placeholder="Their PIN", password=True, id="pin")
            yield Static(id="approve-problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Approve", id="yes", variant="primary")
                yield Button("Cancel", id="no")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._approve()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self._approve()
        else:
            self.dismiss(None)

    def _approve(self) -> None:
        chosen = self.query_one("#approver", Select).value
        pin = self.query_one("#pin", Input).value
        if not isinstance(chosen, str):
            self._problem("Choose who approves this post.")
            return
        if not pin:
            self._problem("Ask them to type their PIN.")
            self.query_one("#pin", Input).focus()
            return
        self.query_one("#approve-problem", Static).update("Checking the PIN…")
        self._check(chosen, pin)

    @work(exclusive=True, exit_on_error=False, group="approve")
    async def _check(self, name: str, pin: str) -> None:
        app = cast("TripdeskApp", self.app)
        database, config = app.database, app.config
        try:
            approved = await asyncio.to_thread(
                lambda: accountability.approve(database.connection(), config, self.draft, name, pin)
            )
        except TripdeskError as error:
            self._problem(error.message)
            return
        self.dismiss(approved)

    def _problem(self, sentence: str) -> None:
        self.query_one("#approve-problem", Static).update(sentence)
        self.query_one("#pin", Input).value = ""
