"""Compose: write the post, see the policy checks as you type, and send it through the outbox.

The quick guard runs on every change (debounced), so Send is greyed out while anything blocks.
Sending runs the full review (faces included) in the background, asks about each finding that
needs the teacher's say-so, prepares the photos, and shows exactly what will go out before it is
queued. Nothing leaves this screen except through the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Checkbox, Footer, Header, Input, Select, Static, TextArea
from textual.widgets.input import Selection as InputSelection
from textual.widgets.text_area import Selection

from tripdesk import audit, store
from tripdesk.consent.register import Register
from tripdesk.consent.store import load_register
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.guard import check
from tripdesk.guard.count import weighted_length
from tripdesk.media.faces import face_report
from tripdesk.media.prepare import PreparedPhoto, prepare
from tripdesk.media.report import FaceReport
from tripdesk.media.thumbs import thumbnail
from tripdesk.pool.catalogue import PoolPhoto, photo_by_id
from tripdesk.publish.outbox import Outbox
from tripdesk.desk.review import review_draft
from tripdesk.screens.confirm import ConfirmScreen, confirm_finding
from tripdesk.screens.outbox import OutboxScreen
from tripdesk.screens.trip import TripScreen
from tripdesk.verdict import Finding, Verdict
from tripdesk.widgets.alt_text import AltTextField
from tripdesk.widgets.findings import FindingsList
from tripdesk.widgets.halfblocks import HalfBlockPicture
from tripdesk.widgets.poll_editor import PollEditor, duration

if TYPE_CHECKING:
    from sqlite3 import Connection

    from tripdesk.config import Config
    from tripdesk.publish.worker import OutboxStatus

MAX_LENGTH = 280
CHECK_DELAY = 0.15


@dataclass(frozen=True)
class FinalPhoto:
    """A photo as it will be uploaded: the prepared file, its thumbnail, and its alt text."""

    prepared: PreparedPhoto
    thumbnail: Path
    alt: str


class ComposeScreen(TripScreen):
    """The draft being written, its findings, and the way out through the outbox."""

    CSS_PATH = "compose.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="compose.send"),
        Binding("ctrl+s", "queue", "Queue (offline)", id="compose.queue"),
        Binding("ctrl+f", "focus_findings", "Findings", id="compose.findings"),
        Binding("ctrl+t", "focus_text", "Text", id="compose.text"),
        Binding("escape", "back", "Back", id="compose.back"),
        Binding("q", "quit_app", "Quit", id="compose.quit", show=False),
    ]

    def __init__(self, photos: Sequence[PoolPhoto]) -> None:
        """`photos` are the ones the teacher chose; more than X allows is the guard's to refuse."""
        super().__init__()
        self.photos = tuple(photos)
        self.verdict: Verdict | None = None
        self._register: Register | None = None
        self._faces: list[FaceReport | None] = [None] * len(self.photos)
        self._timer: Timer | None = None
        self._sending = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="compose-main"):
            with VerticalScroll(id="draft"):
                yield TextArea(id="text", soft_wrap=True, show_line_numbers=False)
                yield Static(id="count")
                if self.photos:
                    yield Static("Photos", classes="heading")
                for index in range(len(self.photos)):
                    yield AltTextField(index)
                yield PollEditor(id="poll")
            with Vertical(id="side"):
                yield Static(id="verdict")
                yield FindingsList(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Compose"
        conn = store.connect(self.config.database)
        try:
            register = load_register(conn)
            self.photos = _current(conn, self.photos)
            self._faces = _face_reports(conn, self.photos, self.config, detect=False)
        finally:
            conn.close()
        self._register = register
        for field, photo in zip(self.query(AltTextField), self.photos, strict=True):
            field.show_caption(self._caption(photo, register))
        text = self.query_one("#text", TextArea)
        hashtag = self.config.trip.hashtag
        text.text = f" {hashtag}" if hashtag else ""
        text.move_cursor((0, 0))
        text.focus()
        self.watch(self.desk, "outbox_status", self._status_changed, init=False)
        self.run_check()
        if None in self._faces:
            self.look_for_faces()

    @work(exclusive=True, group="faces", exit_on_error=False)
    async def look_for_faces(self) -> None:
        """Run the face detector on photos it has not seen, so the checks can use what it finds."""
        self._faces = await asyncio.to_thread(_face_reports_now, self.photos, self.config)
        self.run_check()

    def _caption(self, photo: PoolPhoto, register: Register) -> str:
        """The photo's name and who is in it, by first name only."""
        if photo.no_children:
            who = "no identifiable children"
        elif photo.pupils:
            names = []
            for pupil_id in photo.pupils:
                pupil = register.get(pupil_id)
                names.append(pupil.display_name if pupil else f"unknown pupil {pupil_id}")
            who = ", ".join(names)
        else:
            who = "not tagged yet"
        return f"{photo.original_name} — {who}"

    # The draft and its checks

    def draft(self) -> Draft:
        """The post exactly as the teacher has it now."""
        photos = tuple(
            DraftPhoto(
                path=str(photo.pool_path),
                pupils=tuple(photo.pupils),
                no_children=photo.no_children,
                alt=self.query_one(f"#alt-{index}", Input).value,
                sha256=photo.sha256,
            )
            for index, photo in enumerate(self.photos)
        )
        return Draft(
            text=self.query_one("#text", TextArea).text,
            photos=photos,
            poll=self.query_one(PollEditor).poll(),
        )

    def _today(self) -> date:
        return self.desk.today()

    def run_check(self) -> Verdict:
        """Run the quick guard now and show what it says."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        assert self._register is not None, "the register is loaded on mount"
        verdict = check(
            self.draft(), self._register, self.config.guard, faces=self._faces, today=self._today()
        )
        self.show_verdict(verdict)
        return verdict

    def show_verdict(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.query_one(FindingsList).show(verdict.findings)
        self.query_one("#verdict", Static).update(_verdict_line(verdict))
        self.refresh_bindings()

    def _schedule_check(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY, self.run_check)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._show_count(event.text_area.text)
        self._schedule_check()

    def _show_count(self, text: str) -> None:
        length = weighted_length(text)
        style = "bold $error" if length > MAX_LENGTH else "$text-muted"
        self.query_one("#count", Static).update(
            Content.styled(f"{length}/{MAX_LENGTH} as X counts", style)
        )

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _field_changed(self) -> None:
        self._schedule_check()

    def _status_changed(self) -> None:
        self.refresh_bindings()

    # Moving to what a finding points at

    def on_findings_list_finding_selected(self, event: FindingsList.FindingSelected) -> None:
        self.go_to(event.finding)

    def go_to(self, finding: Finding) -> None:
        """Put the cursor on the span a finding points at, in whichever field it is."""
        where = finding.where
        if where.field == "text":
            text = self.query_one("#text", TextArea)
            if where.start is not None:
                start = text.document.get_location_from_index(where.start)
                end = text.document.get_location_from_index(
                    where.end if where.end is not None else where.start
                )
                text.selection = Selection(start, end)
            text.focus()
        elif where.field in ("alt", "photo", "poll"):
            field = self._field_input(where.field, where.index)
            if field is None:
                self.query_one("#poll-on" if where.field == "poll" else "#text").focus()
                return
            field.focus()
            if where.field != "photo" and where.start is not None:
                end = where.end if where.end is not None else where.start
                field.selection = InputSelection(where.start, end)
        else:
            self.query_one("#text", TextArea).focus()

    def _field_input(self, field: str, index: int | None) -> Input | None:
        """The input a finding about a photo (its alt text) or a poll option points at."""
        if index is None:
            return None
        if field == "poll":
            poll = self.query_one(PollEditor)
            return poll.option_input(index) if poll.enabled else None
        if 0 <= index < len(self.photos):
            return self.query_one(f"#alt-{index}", Input)
        return None

    def action_focus_findings(self) -> None:
        self.query_one(FindingsList).focus()

    def action_focus_text(self) -> None:
        self.query_one("#text", TextArea).focus()

    # Sending

    def _online(self) -> bool:
        status = self.desk.outbox_status
        return status is None or status.online

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send shows while online, Queue while offline; either is greyed out while blocked."""
        if action not in ("send", "queue"):
            return True
        if (action == "send") != self._online():
            return False
        if self._sending or self.verdict is None or self.verdict.blocking:
            return None
        return True

    def action_queue(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        if self._sending:
            return
        verdict = self.run_check()
        if verdict.blocking:
            self.notify("Fix what blocks this post first.", severity="error")
            return
        self._sending = True
        self.refresh_bindings()
        self.send_flow(self.draft())

    @work(exclusive=True, group="send", exit_on_error=False)
    async def send_flow(self, draft: Draft) -> None:
        """Full review, each confirmation, preparation, the final look, then the outbox."""
        try:
            await self._send(draft)
        except TripdeskError as error:
            self.notify(error.message, severity="error", timeout=8)
        finally:
            self._sending = False
            self.refresh_bindings()

    async def _send(self, draft: Draft) -> None:
        progress = self.query_one("#verdict", Static)
        progress.update("Checking the photos for faces…")
        verdict, self._faces = await asyncio.to_thread(
            _review, draft, self.photos, self.config, self._today()
        )
        self.show_verdict(verdict)
        if verdict.blocking:
            self.notify(
                "The full check found something that blocks this post.", severity="error", timeout=8
            )
            return
        to_confirm = verdict.to_confirm
        for number, finding in enumerate(to_confirm, start=1):
            if not await self.app.push_screen_wait(
                confirm_finding(finding, number, len(to_confirm))
            ):
                self.go_to(finding)
                return
        progress.update("Preparing the photos…")
        outgoing = await asyncio.to_thread(_prepare_all, draft, self.config)
        self.show_verdict(verdict)
        status = self.desk.outbox_status
        if not await self.app.push_screen_wait(
            SendPreview(draft, outgoing, status=status, preview=self.config.preview)
        ):
            return
        post_id = await asyncio.to_thread(
            _queue, draft, verdict, self.config, [f.rule for f in to_confirm]
        )
        self.desk.wake_outbox()
        self.notify(f"Post {post_id} is in the outbox: {_when(status)}")
        self.app.switch_screen(OutboxScreen())

    def action_back(self) -> None:
        self.leave(self.app.pop_screen)

    def action_quit_app(self) -> None:
        self.leave(self.app.exit)

    def leave(self, then: Callable[[], object]) -> None:
        """Go, asking first if the teacher has written anything: the draft is kept nowhere else."""
        text = self.query_one("#text", TextArea).text.strip()
        if text in ("", self.config.trip.hashtag) and not any(
            self.query_one(f"#alt-{i}", Input).value for i in range(len(self.photos))
        ):
            then()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                then()

        self.app.push_screen(
            ConfirmScreen(
                "Leave this draft?", "The draft is not saved anywhere.", yes="Leave it", no="Stay"
            ),
            answered,
        )


def _when(status: OutboxStatus | None) -> str:
    """When a post queued now will go out, as far as the sender knows."""
    if status is not None and status.paused:
        return "it waits there while sending is paused."
    if status is not None and not status.online:
        return "it goes out when the connection is back."
    return "it goes out now."


def _verdict_line(verdict: Verdict) -> Content:
    if verdict.blocking:
        count = len(verdict.blocking)
        return Content.styled(
            f"BLOCKED: {count} thing{'s' if count > 1 else ''} to fix", "bold $error"
        )
    if verdict.to_confirm:
        return Content.styled(f"CONFIRM: {len(verdict.to_confirm)} to check", "bold $warning")
    return Content.styled("READY to send", "bold $success")


# The work behind the screen. The functions that open their own connection run in a thread
# (one connection per thread); the others take the caller's.


def _current(conn: Connection, photos: Sequence[PoolPhoto]) -> tuple[PoolPhoto, ...]:
    """The photos as the catalogue has them now: tags may have changed since they were chosen."""
    return tuple(photo_by_id(conn, photo.id) or photo for photo in photos)


def _face_reports(
    conn: Connection, photos: Sequence[PoolPhoto], config: Config, *, detect: bool
) -> list[FaceReport | None]:
    """Each photo's face report from the cache, running the detector on the rest if `detect`."""
    return [
        face_report(
            conn,
            photo.pool_path,
            photo.sha256,
            threshold=config.faces.threshold,
            detect_missing=detect,
        )
        for photo in photos
    ]


def _face_reports_now(photos: Sequence[PoolPhoto], config: Config) -> list[FaceReport | None]:
    conn = store.connect(config.database)
    try:
        return _face_reports(conn, photos, config, detect=True)
    finally:
        conn.close()


def _review(
    draft: Draft, photos: Sequence[PoolPhoto], config: Config, today: date
) -> tuple[Verdict, list[FaceReport | None]]:
    """The full review, and the face reports it left in the cache for the quick checks."""
    conn = store.connect(config.database)
    try:
        verdict = review_draft(draft, conn, config, detect_faces=True, today=today)
        return verdict, _face_reports(conn, photos, config, detect=False)
    finally:
        conn.close()


def _prepare_all(draft: Draft, config: Config) -> list[FinalPhoto]:
    outgoing = []
    for photo in draft.photos:
        prepared = prepare(Path(photo.path), cache_dir=config.home / "cache" / "prepared")
        thumb = thumbnail(prepared.path, 320, cache_dir=config.home / "cache" / "thumbs")
        outgoing.append(FinalPhoto(prepared=prepared, thumbnail=thumb, alt=photo.alt))
    return outgoing


def _queue(draft: Draft, verdict: Verdict, config: Config, confirmed: list[str]) -> int:
    conn = store.connect(config.database)
    try:
        post = Outbox(conn, config).queue(draft, verdict)
        if confirmed:
            audit.record(conn, "compose.confirmed", post=post.id, rules=confirmed)
        return post.id
    finally:
        conn.close()


class SendPreview(ConfirmScreen):
    """The final step: the text, the prepared photos and the poll, exactly as they will go."""

    CSS_PATH: ClassVar[list[str | Path]] = ["confirm.tcss", "compose.tcss"]
    AUTO_FOCUS = "#outgoing"  # the arrow keys scroll through the photos; y sends

    def __init__(
        self,
        draft: Draft,
        outgoing: Sequence[FinalPhoto],
        *,
        status: OutboxStatus | None,
        preview: str,
    ) -> None:
        """`status` is the sender's last report: it says whether this goes out now or later."""
        now = status is None or (status.online and not status.paused)
        super().__init__(
            "This is exactly what will go out", "", yes="Send" if now else "Queue", no="Not yet"
        )
        self.when = _when(status)
        self.draft = draft
        self.outgoing = tuple(outgoing)
        self.preview = preview

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="outgoing"):
            yield Static(self.draft.text, id="outgoing-text", markup=False)
            for number, photo in enumerate(self.outgoing, start=1):
                with Horizontal(classes="outgoing-photo"):
                    if self.preview == "halfcell":
                        yield HalfBlockPicture(photo.thumbnail, classes="outgoing-thumb")
                    elif self.preview == "auto":
                        from textual_image.widget import Image as AutoImage  # imported at start

                        yield AutoImage(photo.thumbnail, classes="outgoing-thumb")
                    yield Static(
                        _photo_facts(number, photo), markup=False, classes="outgoing-facts"
                    )
            if self.draft.poll:
                options = "\n".join(f"  ○ {option}" for option in self.draft.poll.options)
                yield Static(
                    f"Poll, open for {duration(self.draft.poll.minutes)}:\n{options}",
                    markup=False,
                )
        yield Static(f"Once in the outbox, {self.when}", id="when", markup=False)


def _photo_facts(number: int, photo: FinalPhoto) -> str:
    prepared = photo.prepared
    kind = prepared.mime.split("/")[-1].upper()
    return (
        f"Photo {number}: {prepared.width}×{prepared.height} {kind}, "
        f"{prepared.size / 1_000_000:.1f} MB, no metadata\nAlt text: {photo.alt}"
    )
