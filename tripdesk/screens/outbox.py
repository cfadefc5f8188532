"""Outbox: every post on its way out, what became of it, and the teacher's hands on it.

Posts are listed newest first with their state as a word and a colour; the highlighted post's
whole story (text, photos, hold, each network's delivery, why it waits or failed) is in the
detail pane beside or below the list. Send again, send now, cancel and mark-as-sent act on the
highlighted post; "pause all" holds everything back. Every change is written in a worker
thread; the list is read again whenever the background sender reports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.style import Style
from textual.widgets import DataTable, Footer, Header, Label, Static, Switch

from tripdesk.config import NETWORK_NAMES
from tripdesk.errors import TripdeskError
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.publish.worker import OutboxStatus
from tripdesk.screens.badge import dry_run, with_badge
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.screens.trip import TripScreen
from tripdesk.shown import shown

if TYPE_CHECKING:
    from tripdesk.config import Config
    from tripdesk.store import Database

STATE_WORD = {
    "queued": ("Queued", "primary"),
    "held": ("Held", "text-secondary"),
    "sending": ("Sending", "accent"),
    "sent": ("Sent", "success"),
    "failed": ("Failed", "error"),
    "uncertain": ("Uncertain", "warning"),
    "cancelled": ("Cancelled", "text-muted"),
    "blocked": ("Blocked", "error"),
}
RETRYABLE = {"failed", "uncertain", "blocked"}
CANCELLABLE = {"queued", "held", "failed", "uncertain", "blocked"}
DRY_RUN_WORD = "Recorded (dry-run)"
PREVIEW_CHARS = 28
NOTE_CHARS = 60
WIDE = 120  # from this many columns the detail pane sits beside the list


class OutboxScreen(TripScreen):
    """The outbox as a table, the sender's state and the pause switch above it, detail beside."""

    CSS_PATH = "outbox.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "send_now",
            "Send now",
            id="outbox.send_now",
            tooltip="Send the highlighted post now: a held post is released, a post waiting "
            "to try again goes at once",
        ),
        Binding(
            "s",
            "retry",
            "Retry",
            id="outbox.retry",
            tooltip="Try again a post that failed, was blocked or may not have arrived",
        ),
        Binding(
            "x",
            "cancel_post",
            "Cancel",
            id="outbox.cancel",
            tooltip="Stop the highlighted post from going out; it stays in the list as cancelled",
        ),
        Binding(
            "m",
            "mark_sent",
            "Mark sent",
            id="outbox.mark_sent",
            tooltip="You found an uncertain post on the account: it is never sent again",
        ),
        Binding(
            "p",
            "toggle_pause",
            "Pause all",
            id="outbox.pause",
            tooltip="Hold every post back until sending is resumed (p again resumes)",
        ),
        Binding("escape", "back", "Back", id="outbox.back", tooltip="Close the Outbox"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._outbox: Outbox | None = None
        self._posts: dict[int, OutboxPost] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="outbox-bar"):
            yield Static(id="online")
            with Horizontal(id="pause-row"):
                yield Label("Pause all (p)", id="pause-name")
                yield Switch(id="pause")
                yield Label(id="pause-label")
        with Container(id="outbox-main"):
            yield DataTable(id="posts", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail-pane"):
                yield Static(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = with_badge("Outbox", self.config)
        self._outbox = Outbox(self.desk.database.connection(), self.config)
        self.query_one("#posts").border_title = "Posts"
        self.query_one("#detail-pane").border_title = "The highlighted post"
        table = self.query_one("#posts", DataTable)
        table.add_column("#", key="id")
        table.add_column("State", key="state")
        table.add_column("Queued", key="created")
        table.add_column("Post", key="post")
        table.add_column("Reason or link", key="note")
        paused = self.outbox.paused
        self.query_one("#pause", Switch).value = paused
        self._show_pause(paused)
        self.watch(self.desk, "outbox_status", self._status_changed)
        table.focus()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    @property
    def outbox(self) -> Outbox:
        assert self._outbox is not None, "the outbox is read from on mount"
        return self._outbox

    def _status_changed(self, status: OutboxStatus | None) -> None:
        self._show_status(status)
        self.reload()

    def _show_status(self, status: OutboxStatus | None) -> None:
        online = self.query_one("#online", Static)
        if status is None:
            online.update(Content.styled("Sender not running", "$text-muted"))
            return
        state = (
            Content.styled("● Online", "bold $success")
            if status.online
            else Content.styled("○ Offline", "bold $error")
        )
        if status.paused:
            state = Content.assemble(state, " · ", ("PAUSED", "bold $warning"))
        recorded = dry_run(self.config)
        counts = [
            f"{status.counts[name]} {'recorded' if recorded and name == 'sent' else word.lower()}"
            for name, (word, _) in STATE_WORD.items()
            if status.counts.get(name)  # type: ignore[call-overload]
        ]
        parts = [state, " · ", ", ".join(counts) or "nothing yet"]
        if status.message:
            parts.append(f" · {status.message}")
        online.update(Content.assemble(*parts))

    def reload(self) -> None:
        """Read the posts again and redraw the table, keeping the highlighted post."""
        table = self.query_one("#posts", DataTable)
        selected = self.selected()
        posts = self.outbox.posts()
        self._posts = {post.id: post for post in posts}
        spent = self.outbox.spent()
        table.border_title = f"Posts · the trip has spent ${spent:.3f}" if spent else "Posts"
        table.clear()
        colours = self.app.theme_variables
        for post in posts:
            word, colour = _state_word(post)
            table.add_row(
                str(post.id),
                Text(word, style=f"bold {colours.get(colour, '')}"),
                post.created_at.astimezone().strftime("%H:%M"),
                Text(
                    _shortened(
                        _photos(post) + shown(" ".join(post.draft.text.split())), PREVIEW_CHARS
                    )
                ),
                Text(_shortened(shown(_note(post)), NOTE_CHARS)),
                key=str(post.id),
            )
        if selected is not None and selected.id in self._posts:
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        self._show_detail()
        self.refresh_bindings()

    def selected(self) -> OutboxPost | None:
        table = self.query_one("#posts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._posts.get(int(key)) if key is not None else None

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        post = self.selected()
        pane = self.query_one("#detail-pane")
        if post is None:
            pane.border_title = "The highlighted post"
            detail.update("Nothing in the outbox yet.")
            return
        pane.border_title = f"Post {post.id}"
        detail.update(post_detail(post))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        post = self.selected() if self.is_mounted else None
        if action == "send_now":
            return True if post is not None and _can_go_now(post) else None
        allowed = {
            "retry": RETRYABLE,
            "cancel_post": CANCELLABLE,
            "mark_sent": {"uncertain"},
        }.get(action)
        if allowed is None:
            return True
        return True if post is not None and post.state in allowed else None

    @work(group="outbox-moves", exit_on_error=False)
    async def act(
        self, change: Callable[[Outbox, int], object], post_id: int, done: str = ""
    ) -> None:
        """Change one post in a worker thread; the core's sentence is shown if it refuses."""
        database, config = self.desk.database, self.config
        try:
            await asyncio.to_thread(_change, database, config, change, post_id)
        except TripdeskError as error:
            self.notify(error.message, severity="error", timeout=8)
        else:
            if done:
                self.notify(done)
            self.desk.wake_outbox()
        self.reload()

    def action_send_now(self) -> None:
        post = self.selected()
        if post is None or not _can_go_now(post):
            return
        if post.state == "held":
            self.act(Outbox.release, post.id, f"Post {post.id} is no longer held: it goes now.")
        else:
            self.act(Outbox.send_now, post.id, f"Post {post.id} goes now, without waiting.")

    def action_retry(self) -> None:
        post = self.selected()
        if post is None:
            return
        if post.state != "uncertain":
            self.act(Outbox.retry, post.id)
            return
        self._ask(
            "Send again a post that may already be out?",
            "The network did not say whether this post arrived. Look at the account first: "
            "if it is there, mark it as sent instead, or it will appear twice.",
            yes="Send again",
            then=lambda: self.act(Outbox.retry, post.id),
        )

    def action_cancel_post(self) -> None:
        post = self.selected()
        if post is not None:
            self._ask(
                f"Cancel post {post.id}?",
                "It will not be sent. It stays in the list as cancelled.",
                yes="Cancel it",
                then=lambda: self.act(Outbox.cancel, post.id),
            )

    def action_mark_sent(self) -> None:
        post = self.selected()
        if post is not None:
            self._ask(
                f"Mark post {post.id} as sent?",
                "Only if you can see it on the account: it will never be sent again.",
                yes="It is on the account",
                then=lambda: self.act(Outbox.mark_sent, post.id),
            )

    def _ask(self, title: str, body: str, *, yes: str, then: Callable[[], object]) -> None:
        def answered(answer: bool | None) -> None:
            if answer:
                then()

        self.app.push_screen(ConfirmScreen(title, body, yes=yes, no="Not now"), answered)

    def action_toggle_pause(self) -> None:
        switch = self.query_one("#pause", Switch)
        switch.value = not switch.value

    def _show_pause(self, paused: bool) -> None:
        """The switch's state in words too, not by colour alone."""
        self.query_one("#pause-label", Label).update(
            Content.styled("ON: nothing is sent", "bold $warning")
            if paused
            else Content.styled("off: posts go out", "$text-muted")
        )

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self._show_pause(event.value)
        if event.value == self.outbox.paused:
            return
        self.set_pause(event.value)

    @work(group="outbox-moves", exit_on_error=False)
    async def set_pause(self, paused: bool) -> None:
        database, config = self.desk.database, self.config
        await asyncio.to_thread(
            _change, database, config, lambda outbox, _: outbox.set_paused(paused), 0
        )
        self.notify("Sending paused." if paused else "Sending resumed.")
        self.desk.wake_outbox()  # resume sends at once; either way the sender reports back
        self.reload()

    def action_back(self) -> None:
        self.desk.back()


def _change(
    database: Database, config: Config, change: Callable[[Outbox, int], object], post_id: int
) -> None:
    """In a worker thread: one teacher's move on the outbox, on this thread's connection."""
    change(Outbox(database.connection(), config), post_id)


def _can_go_now(post: OutboxPost) -> bool:
    """Held, or queued and waiting out a pause before trying again."""
    waiting = post.state == "queued" and post.next_attempt_at is not None
    return post.state == "held" or waiting


def post_detail(post: OutboxPost) -> Content:
    """Everything about one post, in lines: state, text, photos, hold, each network, why."""
    word, colour = _state_word(post)
    dry_run = ": nothing was posted" if word == DRY_RUN_WORD else ""
    lines: list[Content | str] = [
        Content.assemble((f"{word}", f"bold ${colour}"), (dry_run, "")),
        Content.styled(shown(post.draft.text, lines=True), "bold"),
    ]
    for number, photo in enumerate(post.draft.photos, start=1):
        lines.append(f"Photo {number}: {shown(photo.alt) or '(no alt text)'}")
    if post.draft.poll:
        lines.append(f"Poll: {shown(' / '.join(post.draft.poll.options))}")
    if post.state == "held" and post.hold_until is not None:
        lines.append(
            Content.styled(
                f"Held until {_local(post.hold_until)}; n sends it now.", "$text-secondary"
            )
        )
    if post.state == "queued" and post.next_attempt_at is not None:
        lines.append(f"Next try at {_local(post.next_attempt_at)}; n sends it now.")
    if post.approved_by:
        lines.append(f"Approved by {post.approved_by}")
    for delivery in post.deliveries:
        name = NETWORK_NAMES.get(delivery.network, delivery.network)
        name = name[:1].upper() + name[1:]  # it opens the line
        state = (
            "Recorded"
            if delivery.network == "dry-run" and delivery.state == "sent"
            else STATE_WORD.get(delivery.state, (delivery.state, ""))[0]
        )
        line = [Content.styled(f"{name}: ", "bold"), state]
        if delivery.url:
            line += [" · ", Content.styled(delivery.url, Style(link=delivery.url))]
        if delivery.reason:
            line.append(f" · {shown(delivery.reason)}")  # the network's own words
        lines.append(Content.assemble(*line))
    if not post.deliveries and post.url:
        lines.append(Content.styled(post.url, Style(link=post.url)))
    if post.reason:
        lines.append(shown(post.reason))
    lines.extend(post.removals)
    if post.attempts:
        lines.append(f"Attempts so far: {post.attempts}")
    lines.append(Content.styled(f"Queued {_local(post.created_at)}", "$text-muted"))
    return Content("\n").join(lines)


def _local(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%H:%M on %a %d %b")


def _photos(post: OutboxPost) -> str:
    count = len(post.draft.photos)
    return f"[{count} photo{'s' if count > 1 else ''}] " if count else ""


def _note(post: OutboxPost) -> str:
    """The link once a post is out, else why it waits, failed or was stopped."""
    if post.state == "sent" and post.url:
        return post.url
    if post.state == "held" and post.hold_until is not None:
        return f"held until {_local(post.hold_until)}"
    return post.reason or ""


def _state_word(post: OutboxPost) -> tuple[str, str]:
    """The state as a word and a colour; a dry-run post is recorded, never called sent."""
    if post.state == "sent" and post.backend == "dry-run":
        return DRY_RUN_WORD, "success"
    return STATE_WORD.get(post.state, (post.state, "foreground"))


def _shortened(text: str, limit: int) -> str:
    """One table cell's worth; the detail pane shows the whole text."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
