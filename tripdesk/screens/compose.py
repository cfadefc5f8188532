"""Compose: write the post, see the policy checks as you type, and send it through the outbox.

The quick guard runs on every change (debounced), marks the words a finding points at, and
greys Send out while anything blocks. The draft is kept in the database as it is typed, so a
quit or a crash loses nothing, and Compose reopens it. Sending runs the full review (faces
included) in the background, asks about each finding that needs the teacher's say-so, prepares
the photos, and shows exactly what will go out before it is queued. Every write happens in a
worker thread; the screen only lays out and reacts.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime
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

from tripdesk.desk import drafts_kept
from tripdesk.desk.accountability import (
    approval_needed,
    approval_why,
    approvers,
    who_must_approve,
)
from tripdesk.desk.drafts_kept import Keeper, KeptDraft, KeptPhoto
from tripdesk.desk.final_step import final_photos, replies_note, thumbnails, what_it_costs
from tripdesk.desk.photos import faces_in
from tripdesk.desk.posting import queue_draft
from tripdesk.desk.register import trip_register
from tripdesk.desk.review import judge, review_draft
from tripdesk.desk.versions import counts, grouped, versions
from tripdesk.draft import Draft, DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.pool import catalogue
from tripdesk.pool.catalogue import PoolPhoto, list_photos, photo_by_id
from tripdesk.screens.badge import dry_run, with_badge
from tripdesk.screens.compose_dialogs import ApproveDialog, KeptDrafts, PhotoChooser, SendPreview
from tripdesk.screens.confirm import ConfirmScreen, confirm_finding
from tripdesk.screens.trip import TripScreen
from tripdesk.verdict import Finding, Verdict
from tripdesk.widgets.alt_text import AltTextField
from tripdesk.widgets.draft_text import DraftText
from tripdesk.widgets.findings import FindingsList
from tripdesk.widgets.poll_editor import PollEditor
from tripdesk.widgets.preview import photo_name

if TYPE_CHECKING:
    from tripdesk.config import Config
    from tripdesk.consent.register import Register
    from tripdesk.media.report import FaceReport
    from tripdesk.publish.outbox import OutboxPost
    from tripdesk.publish.worker import OutboxStatus
    from tripdesk.store import Database

_RECORDED = "it is recorded (dry-run), not posted."
CHECK_DELAY = 0.15
KEEP_DELAY = 0.4


class ComposeScreen(TripScreen):
    """The draft being written, its findings, and the way out through the outbox."""

    CSS_PATH = "compose.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "send",
            "Send",
            id="compose.send",
            tooltip="Check the post in full, answer the guard's questions, see it as it will go "
            "out, then put it in the outbox",
        ),
        Binding(
            "ctrl+s",
            "queue",
            "Queue (offline)",
            id="compose.queue",
            tooltip="The same while offline: the post waits in the outbox for the connection",
        ),
        Binding(
            "ctrl+o",
            "add_photos",
            "Add photos",
            id="compose.add_photos",
            tooltip="Choose more photos from the pool to go with this post",
        ),
        Binding(
            "ctrl+r",
            "remove_photo",
            "Remove photo",
            id="compose.remove_photo",
            show=False,
            tooltip="Take the photo you are writing alt text for out of this post, not the pool",
        ),
        Binding(
            "ctrl+l",
            "drafts",
            "Drafts",
            id="compose.drafts",
            tooltip="List the kept drafts: reopen one, or throw one away",
        ),
        Binding(
            "ctrl+n",
            "new_draft",
            "New draft",
            id="compose.new_draft",
            show=False,
            tooltip="Start a new post; this one stays kept among the drafts",
        ),
        Binding(
            "ctrl+f",
            "focus_findings",
            "Findings",
            id="compose.findings",
            tooltip="Go to the policy findings; enter on one selects the words it is about",
        ),
        Binding(
            "ctrl+t",
            "focus_text",
            "Text",
            id="compose.text",
            show=False,
            tooltip="Go back to the post's text",
        ),
        Binding(
            "ctrl+a",
            "select_all",
            "Select all",
            id="compose.select_all",
            show=False,
            priority=True,
            tooltip="Select everything in the field you are typing in",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="compose.back",
            tooltip="Leave Compose; the draft stays kept and reopens next time",
        ),
        Binding("q", "quit_app", "Quit", id="compose.quit", show=False),
    ]

    def __init__(self, photos: Sequence[PoolPhoto] = (), *, kept: KeptDraft | None = None) -> None:
        """`photos` are the ones the teacher chose; `kept` is a kept draft to carry on with."""
        super().__init__()
        self.photos = tuple(photos)
        self.verdict: Verdict | None = None
        self._opening = kept
        self._register: Register | None = None
        self._faces: dict[int, FaceReport | None] = {}
        self._thumbs: dict[int, Path] = {}
        self._timer: Timer | None = None
        self._keep_timer: Timer | None = None
        self._sending = False
        self._ready = False
        self.keeper = Keeper(kept)  # written to from worker threads

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="compose-main"):
            with Vertical(id="draft"):
                yield DraftText(id="text")
                yield Static(id="count")
                with VerticalScroll(id="attached", can_focus=False):  # tab goes to the fields
                    yield Vertical(id="photos")
                    yield PollEditor(id="poll")
            with Vertical(id="side"):
                yield Static(id="verdict")
                yield FindingsList(id="findings")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = with_badge("Compose", self.config)
        self.query_one("#text").border_title = "Post"
        self.query_one("#attached").border_title = "Photos and poll"
        self.query_one("#side").border_title = "Policy checks"
        conn = self.desk.database.connection()
        self._register = trip_register(conn, self.config)
        kept = self._opening
        if kept is None:
            kept = self._carry_on(drafts_kept.kept_drafts(conn))
        await self._open(conn, kept)
        self.watch(self.desk, "outbox_status", self._status_changed, init=False)

    async def on_screen_resume(self) -> None:
        """Back from Tag or Photos: a blurred copy may have taken an original's place in this
        draft while it was kept; show the copy, or the next keystroke would keep the original."""
        if not self._ready or self.keeper.draft_id is None:
            return
        conn = self.desk.database.connection()
        kept = next(
            (d for d in drafts_kept.kept_drafts(conn) if d.id == self.keeper.draft_id), None
        )
        attached = [photo.id for photo in self.photos]
        there = [photo.photo_id for photo in kept.photos] if kept else attached
        if len(there) != len(attached) or there == attached:
            return
        alts = self._alt_values()
        for old, new in zip(attached, there, strict=True):
            alts[new] = alts.get(old, "")
        found = [photo_by_id(conn, photo_id) for photo_id in there]
        self.photos = tuple(photo for photo in found if photo is not None)
        self._faces.update(faces_in(conn, self.config, self.photos, detect=False))
        await self._show_photos(alts)
        self.run_check()
        names = ", ".join(photo_name(p) for p in self.photos if p.id not in attached)
        self.notify(f"This draft now has the blurred copy: {names}.")

    def _carry_on(self, waiting: list[KeptDraft]) -> KeptDraft | None:
        """The kept draft to reopen: the last one, or the last with exactly the chosen photos."""
        chosen = sorted(photo.id for photo in self.photos)
        same = [d for d in waiting if not chosen or sorted(p.photo_id for p in d.photos) == chosen]
        if same:
            self.notify(
                "Reopened the draft you were writing. ctrl+n starts a new one, "
                "ctrl+l lists them all."
            )
            return same[0]
        if waiting:
            count = len(waiting)
            self.notify(f"{count} kept draft{'s' if count > 1 else ''}: ctrl+l lists them.")
        return None

    async def _open(self, conn: sqlite3.Connection, kept: KeptDraft | None) -> None:
        """Show a kept draft, or a new one with the chosen photos and the trip's hashtag."""
        self._ready = False
        text = self.query_one("#text", DraftText)
        poll = self.query_one(PollEditor)
        alts: dict[int, str] = {}
        self.keeper = Keeper(kept, hashtag=self.config.trip.hashtag)
        if kept is not None:
            found = [photo_by_id(conn, p.photo_id) for p in kept.photos]
            self.photos = tuple(p for p in found if p is not None and not p.damaged)
            alts = {p.photo_id: p.alt for p in kept.photos}
            text.text = kept.text
            poll.load(kept.poll_on, kept.poll_options, kept.poll_minutes)
            text.move_cursor(text.document.end)
        else:
            self.photos = tuple(photo_by_id(conn, p.id) or p for p in self.photos)
            hashtag = self.config.trip.hashtag
            text.text = f" {hashtag}" if hashtag else ""
            poll.load(False, (), 1440)
            text.move_cursor((0, 0))
        self._faces = faces_in(conn, self.config, self.photos, detect=False)
        await self._show_photos(alts)
        text.focus()
        self._show_count(text.text)
        self.run_check()
        self._ready = True
        if any(report is None for report in self._faces.values()):
            self.look_for_faces()

    async def _show_photos(self, alts: dict[int, str]) -> None:
        """Lay the attached photos out again (after an add or a removal), keeping alt texts."""
        box = self.query_one("#photos", Vertical)
        await box.remove_children()
        assert self._register is not None, "the register is read on mount"
        fields = [
            AltTextField(
                index,
                caption=f"{photo_name(photo)} — {_who(photo, self._register)}",
                alt=alts.get(photo.id, ""),
                preview=self.config.preview,
            )
            for index, photo in enumerate(self.photos)
        ]
        heading = (
            f"{len(self.photos)} photo{'s' if len(self.photos) != 1 else ''} "
            "· ctrl+o adds, ctrl+r removes"
            if self.photos
            else "No photos · ctrl+o adds some from the pool"
        )
        await box.mount(Static(heading, classes="heading"), *fields)
        for field, photo in zip(fields, self.photos, strict=True):
            if photo.id in self._thumbs:
                field.show_picture(self._thumbs[photo.id])
        if any(photo.id not in self._thumbs for photo in self.photos):
            self.make_thumbnails()

    @work(exclusive=True, group="thumbnails", exit_on_error=False)
    async def make_thumbnails(self) -> None:
        """Small pictures of the attached photos, made in a thread, handed to each field."""
        photos = [photo for photo in self.photos if photo.id not in self._thumbs]
        self._thumbs.update(await asyncio.to_thread(thumbnails, self.config, photos))
        for field in self.query(AltTextField):
            if field.index < len(self.photos):
                thumb = self._thumbs.get(self.photos[field.index].id)
                if thumb is not None:
                    field.show_picture(thumb)

    @work(exclusive=True, group="faces", exit_on_error=False)
    async def look_for_faces(self) -> None:
        """Run the face detector on photos it has not seen, so the checks can use what it finds."""
        database, config, photos = self.desk.database, self.config, self.photos
        found = await asyncio.to_thread(
            lambda: faces_in(database.connection(), config, photos, detect=True)
        )
        self._faces.update(found)
        self.run_check()

    # The draft and its checks

    def _alt_values(self) -> dict[int, str]:
        return {
            self.photos[field.index].id: field.alt
            for field in self.query(AltTextField)
            if field.index < len(self.photos)
        }

    def draft(self) -> Draft:
        """The post exactly as the teacher has it now."""
        alts = self._alt_values()
        photos = tuple(
            DraftPhoto(
                path=str(catalogue.pool_file(self.config.trip.pool, photo)),
                pupils=tuple(photo.pupils),
                no_children=photo.no_children,
                alt=alts.get(photo.id, ""),
                sha256=photo.sha256,
            )
            for photo in self.photos
        )
        return Draft(
            text=self.query_one("#text", TextArea).text,
            photos=photos,
            poll=self.query_one(PollEditor).poll(),
        )

    def kept_draft(self) -> KeptDraft:
        """The screen as a kept draft: what the database keeps while it is typed."""
        poll = self.query_one(PollEditor)
        alts = self._alt_values()
        return KeptDraft(
            text=self.query_one("#text", TextArea).text,
            photos=tuple(KeptPhoto(photo.id, alts.get(photo.id, "")) for photo in self.photos),
            poll_on=poll.enabled,
            poll_options=poll.options(),
            poll_minutes=poll.minutes,
            id=self.keeper.draft_id,
        )

    def _today(self) -> date:
        return self.desk.today()

    def run_check(self) -> Verdict:
        """Run the quick guard now and show what it says."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        assert self._register is not None, "the register is read on mount"
        faces = [self._faces.get(photo.id) for photo in self.photos]
        verdict = judge(self.draft(), self._register, self.config, faces=faces, today=self._today())
        self.show_verdict(verdict)
        return verdict

    def show_verdict(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.query_one(FindingsList).show(verdict.findings)
        self.query_one("#verdict", Static).update(_verdict_line(verdict))
        self.query_one("#text", DraftText).mark(
            [
                (f.where.start, f.where.end)
                for f in verdict.findings
                if f.where.field == "text" and f.where.start is not None and f.where.end
            ]
        )
        self.refresh_bindings()

    def _changed(self) -> None:
        """Something was typed: check again shortly, and keep the draft shortly."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY, self.run_check)
        if self._ready:
            if self._keep_timer is not None:
                self._keep_timer.stop()
            self._keep_timer = self.set_timer(KEEP_DELAY, self._keep_soon)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._show_count(event.text_area.text)
        self._changed()

    def _show_count(self, text: str) -> None:
        """Each network's count of its own version: "212/280 as X counts", or all of them."""
        found = versions(Draft(text=text), self.config)
        over = any(version.length > version.limit for version in found)
        style = "bold $error" if over else "$text-muted"
        if [version.network for version in found] == ["x"]:
            said = f"{found[0].length}/{found[0].limit} as X counts"
        else:
            said = counts(found)
        self.query_one("#count", Static).update(Content.styled(said, style))

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _field_changed(self) -> None:
        self._changed()

    def _status_changed(self) -> None:
        self.refresh_bindings()

    # Keeping the draft

    def _keep_soon(self) -> None:
        self._keep_timer = None
        self.keep(self.kept_draft())

    @work(group="keep", exit_on_error=False)
    async def keep(self, snapshot: KeptDraft) -> None:
        """Write the draft in a thread; a failure is told, and leaving then asks first."""
        try:
            await self._keep_now(snapshot)
        except (TripdeskError, sqlite3.Error) as error:
            self.notify(f"The draft could not be kept: {error}", severity="error", timeout=8)

    async def _keep_now(self, snapshot: KeptDraft) -> None:
        keeper, database, ticket = self.keeper, self.desk.database, self.keeper.ticket()
        await asyncio.to_thread(lambda: keeper.keep(database.connection(), snapshot, ticket))

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

    def action_select_all(self) -> None:
        """ctrl+a: all of the text in the post, or all of the alt text or option typed in."""
        focused = self.focused
        if isinstance(focused, TextArea | Input):
            focused.select_all()

    # Photos

    def action_add_photos(self) -> None:
        conn = self.desk.database.connection()
        attached = {photo.id for photo in self.photos}
        choices = [
            (f"{photo_name(photo)} — {_who(photo, self._register)}", photo.id)
            for photo in list_photos(conn)
            if photo.id not in attached and not photo.damaged
        ]

        def chosen(ids: list[int] | None) -> None:
            if ids:
                self.attach(ids)

        self.app.push_screen(PhotoChooser(choices), chosen)

    @work(exclusive=True, group="photos", exit_on_error=False)
    async def attach(self, ids: Sequence[int]) -> None:
        conn = self.desk.database.connection()
        alts = self._alt_values()
        added = [photo for photo in (photo_by_id(conn, i) for i in ids) if photo is not None]
        self.photos = (*self.photos, *added)
        self._faces.update(faces_in(conn, self.config, added, detect=False))
        await self._show_photos(alts)
        self._changed()
        if any(self._faces.get(photo.id) is None for photo in added):
            self.look_for_faces()

    def action_remove_photo(self) -> None:
        field = next(
            (f for f in self.query(AltTextField) if f.has_focus_within),
            None,
        )
        if field is None:
            self.notify("Go to a photo's alt text first (tab), then ctrl+r takes it out.")
            return
        self.detach(field.index)

    @work(exclusive=True, group="photos", exit_on_error=False)
    async def detach(self, index: int) -> None:
        alts = self._alt_values()
        gone = self.photos[index]
        self.photos = self.photos[:index] + self.photos[index + 1 :]
        await self._show_photos(alts)
        self.notify(f"{photo_name(gone)} is out of this post; it stays in the pool.")
        self._changed()
        fields = list(self.query(AltTextField))
        if fields:
            fields[min(index, len(fields) - 1)].query_one(Input).focus()
        else:
            self.query_one("#text", TextArea).focus()

    # Kept drafts

    def action_drafts(self) -> None:
        conn = self.desk.database.connection()
        dialog = KeptDrafts(drafts_kept.kept_drafts(conn), current=self.keeper.draft_id)

        def picked(kept: KeptDraft | None) -> None:
            self.switch_draft(kept, dialog.thrown)

        self.app.push_screen(dialog, picked)

    def action_new_draft(self) -> None:
        self.switch_draft(None, [], new=True)

    @work(exclusive=True, group="photos", exit_on_error=False)
    async def switch_draft(
        self, kept: KeptDraft | None, thrown: Sequence[int], *, new: bool = False
    ) -> None:
        """Throw away the drafts the teacher threw away, then open another (or a new one)."""
        database = self.desk.database
        await self._keep_now(self.kept_draft())
        if thrown:
            await asyncio.to_thread(_throw_away, database, thrown)
        if kept is None and not new:
            return
        if kept is not None and kept.id == self.keeper.draft_id:
            return
        self.photos = ()
        await self._open(self.desk.database.connection(), kept)

    # Sending

    def _online(self) -> bool:
        status = self.desk.outbox_status
        return status is None or status.online

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send shows while online, Queue while offline; either is greyed out while blocked."""
        if action == "remove_photo":
            return True if self.photos else None
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
        database, config, photos, today = (
            self.desk.database,
            self.config,
            self.photos,
            self._today(),
        )
        verdict, faces = await asyncio.to_thread(_review, database, config, draft, photos, today)
        self._faces.update(faces)
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
        outgoing = await asyncio.to_thread(final_photos, config, draft)
        self.show_verdict(verdict)
        status = self.desk.outbox_status
        recorded = dry_run(config)
        final = SendPreview(
            draft,
            outgoing,
            when=_when(status, recorded),
            now=status is None or (status.online and not status.paused),
            dry_run=recorded,
            preview=config.preview,
            clock=self.desk.clock(),
            cost=what_it_costs(draft, config),
            versions=grouped(versions(draft, config)),
            replies=replies_note(config),
        )
        if not await self.app.push_screen_wait(final):
            return
        approved_by = None
        if approval_needed(draft, config):
            approvers_now, nobody = await asyncio.to_thread(_approvers, database, config)
            if not approvers_now:
                self.notify(nobody, severity="error", timeout=10)
                return
            why = (
                f"The school asks for a second member of staff on this post "
                f"({approval_why(config)}): they choose their name and type their PIN."
            )
            approved_by = await self.app.push_screen_wait(ApproveDialog(draft, approvers_now, why))
            if approved_by is None:
                return
        post = await asyncio.to_thread(
            self._queue_now,
            database,
            config,
            draft,
            verdict,
            [f.rule for f in to_confirm],
            final.hold_until,
            approved_by,
        )
        self.desk.wake_outbox()
        if final.hold_until is not None:
            self.notify(f"Post {post.id} is held in the outbox until {final.hold_until:%H:%M %a}.")
        else:
            self.notify(f"Post {post.id} is in the outbox: {_when(status, recorded) or _RECORDED}")
        self.app.pop_screen()
        self.desk.show_view("outbox")

    def _queue_now(
        self,
        database: Database,
        config: Config,
        draft: Draft,
        verdict: Verdict,
        confirmed: list[str],
        hold_until: datetime | None,
        approved_by: str | None,
    ) -> OutboxPost:
        """In a worker thread: queue the post the way `tripdesk post` does, then drop the draft."""
        conn = database.connection()
        post = queue_draft(
            conn,
            config,
            draft,
            verdict,
            confirmed=confirmed,
            hold_until=hold_until,
            approved_by=approved_by,
        )
        self.keeper.sent(conn)
        return post

    # Leaving

    def action_back(self) -> None:
        self.leave(self.app.pop_screen)

    def action_quit_app(self) -> None:
        self.leave(self.app.exit)

    def leave(self, then: Callable[[], object]) -> None:
        """Go once the draft is kept; ask first only if it could not be kept."""
        for timer in (self._timer, self._keep_timer):
            if timer is not None:
                timer.stop()
        self._keep_timer = None
        self._leave(then)

    @work(exclusive=True, group="leave", exit_on_error=False)
    async def _leave(self, then: Callable[[], object]) -> None:
        try:
            await self._keep_now(self.kept_draft())
        except (TripdeskError, sqlite3.Error) as error:
            lose = await self.app.push_screen_wait(
                ConfirmScreen(
                    "Leave this draft?",
                    f"It could not be kept ({error}), so leaving loses it.",
                    yes="Leave it",
                    no="Stay",
                )
            )
            if lose:
                then()
            return
        if self.keeper.draft_id is not None:
            self.notify("The draft is kept: Compose reopens it (ctrl+l lists every draft).")
        then()


def _throw_away(database: Database, ids: Sequence[int]) -> None:
    conn = database.connection()
    for draft_id in ids:
        drafts_kept.discard(conn, draft_id)


def _review(
    database: Database, config: Config, draft: Draft, photos: Sequence[PoolPhoto], today: date
) -> tuple[Verdict, dict[int, FaceReport | None]]:
    """In a worker thread: the full review, and the face reports it left for the quick checks."""
    conn = database.connection()
    verdict = review_draft(draft, conn, config, detect_faces=True, today=today)
    return verdict, faces_in(conn, config, photos, detect=False)


def _who(photo: PoolPhoto, register: Register | None) -> str:
    """Who is in the photo, by first name only, or the teacher's declaration."""
    if photo.no_children:
        return "no identifiable children"
    if not photo.pupils:
        return "not tagged yet"
    pupils = [register.get(pupil_id) if register else None for pupil_id in photo.pupils]
    return ", ".join(
        pupil.display_name if pupil else f"unknown pupil {pupil_id}"
        for pupil, pupil_id in zip(pupils, photo.pupils, strict=True)
    )


def _when(status: OutboxStatus | None, recorded: bool = False) -> str:
    """When a post queued now will go out, as far as the sender knows."""
    if status is not None and status.paused:
        return "it waits there while sending is paused."
    if status is not None and not status.online:
        return "it goes out when the connection is back."
    return "" if recorded else "it goes out now."


def _verdict_line(verdict: Verdict) -> Content:
    if verdict.blocking:
        count = len(verdict.blocking)
        return Content.styled(
            f"BLOCKED: {count} thing{'s' if count > 1 else ''} to fix", "bold $error"
        )
    if verdict.to_confirm:
        return Content.styled(f"CONFIRM: {len(verdict.to_confirm)} to check", "bold $warning")
    return Content.styled("READY to send", "bold $success")


def _approvers(database: Database, config: Config) -> tuple[list[str], str]:
    """Who may approve, and the sentence saying why a second member of staff is asked."""
    conn = database.connection()
    return approvers(conn, config), who_must_approve(conn, config)
