"""Outbox: every post on its way out, what became of it, and the teacher's hands on it.

Posts are listed newest first with their state as a word and a colour, the reason when one
waits or failed, and the link once sent. Send again, cancel and mark-as-sent act on the
highlighted post; "pause all" holds everything back. The list refreshes whenever the
background sender reports a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.style import Style
from textual.widgets import DataTable, Footer, Header, Label, Static, Switch

from tripdesk import store
from tripdesk.errors import TripdeskError
from tripdesk.publish.outbox import Outbox, OutboxPost
from tripdesk.publish.worker import OutboxStatus
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.screens.trip import TripScreen

if TYPE_CHECKING:
    from sqlite3 import Connection


STATE_WORD = {
    "queued": ("Queued", "primary"),
    "sending": ("Sending", "accent"),
    "sent": ("Sent", "success"),
    "failed": ("Failed", "error"),
    "uncertain": ("Uncertain", "warning"),
    "cancelled": ("Cancelled", "text-muted"),
    "blocked": ("Blocked", "error"),
}
RETRYABLE = {"failed", "uncertain", "blocked"}
CANCELLABLE = {"queued", "failed", "uncertain", "blocked"}
PREVIEW_CHARS = 24
NOTE_CHARS = 60


class OutboxScreen(TripScreen):
    """The outbox as a table, with the online state and the pause switch above it."""

    CSS_PATH = "outbox.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "retry", "Send again", id="outbox.retry"),
        Binding("x", "cancel_post", "Cancel post", id="outbox.cancel"),
        Binding("m", "mark_sent", "Mark as sent", id="outbox.mark_sent"),
        Binding("p", "toggle_pause", "Pause all", id="outbox.pause"),
        Binding("escape", "back", "Back", id="outbox.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._conn: Connection | None = None
        self._outbox: Outbox | None = None
        self._posts: dict[int, OutboxPost] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="outbox-bar"):
            yield Static(id="online")
            yield Label(id="pause-label")
            yield Switch(id="pause")
        yield DataTable(id="posts", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Outbox"
        self._conn = store.connect(self.config.database)
        self._outbox = Outbox(self._conn, self.config)
        table = self.query_one("#posts", DataTable)
        table.add_column("#", key="id")
        table.add_column("State", key="state")
        table.add_column("Post", key="post")
        table.add_column("Photos", key="photos")
        table.add_column("Reason or link", key="note")
        table.add_column("Created", key="created")
        self.query_one("#pause", Switch).value = self._outbox.paused
        self._show_pause(self._outbox.paused)
        self.watch(self.desk, "outbox_status", self._status_changed)
        table.focus()

    def on_unmount(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def outbox(self) -> Outbox:
        assert self._outbox is not None, "the outbox is opened on mount"
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
        counts = [
            f"{status.counts[name]} {word.lower()}"
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
        table.clear()
        colours = self.app.theme_variables
        for post in posts:
            word, colour = _state_word(post)
            table.add_row(
                str(post.id),
                Text(word, style=f"bold {colours.get(colour, '')}"),
                Text(_shortened(" ".join(post.draft.text.split()), PREVIEW_CHARS)),
                str(len(post.draft.photos) or ""),
                Text(_shortened(_note(post), NOTE_CHARS)),
                post.created_at.astimezone().strftime("%a %H:%M"),
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
        if post is None:
            detail.update("Nothing in the outbox yet.")
            return
        word, colour = _state_word(post)
        dry_run = " (dry-run: nothing went to X)" if word == DRY_RUN_WORD else ""
        lines: list[Content | str] = [
            Content.assemble(
                (f"Post {post.id}: ", "bold"), (word, f"bold ${colour}"), (dry_run, "")
            ),
            post.draft.text,
        ]
        if post.draft.photos:
            count = len(post.draft.photos)
            lines.append(f"{count} photo{'s' if count > 1 else ''}")
        if post.url:
            lines.append(Content.styled(post.url, Style(link=post.url)))
        if post.reason:
            lines.append(post.reason)
        if post.attempts:
            lines.append(f"Attempts so far: {post.attempts}")
        detail.update(Content("\n").join(lines))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        post = self.selected() if self.is_mounted else None
        allowed = {
            "retry": RETRYABLE,
            "cancel_post": CANCELLABLE,
            "mark_sent": {"uncertain"},
        }.get(action)
        if allowed is None:
            return True
        return True if post is not None and post.state in allowed else None

    def _act(self, change: Callable[[int], object], post_id: int, *, wake: bool = False) -> None:
        """Change one post; the core's sentence is shown if it refuses."""
        try:
            change(post_id)
        except TripdeskError as error:
            self.notify(error.message, severity="error", timeout=8)
        else:
            if wake:
                self.desk.wake_outbox()
        self.reload()

    def action_retry(self) -> None:
        post = self.selected()
        if post is None:
            return
        if post.state != "uncertain":
            self._act(self.outbox.retry, post.id, wake=True)
            return
        self._ask(
            "Send again a post that may already be out?",
            "X did not say whether this post arrived. Look at the account first: "
            "if it is there, mark it as sent instead, or it will appear twice.",
            yes="Send again",
            then=lambda: self._act(self.outbox.retry, post.id, wake=True),
        )

    def action_cancel_post(self) -> None:
        post = self.selected()
        if post is not None:
            self._ask(
                f"Cancel post {post.id}?",
                "It will not be sent. It stays in the list as cancelled.",
                yes="Cancel it",
                then=lambda: self._act(self.outbox.cancel, post.id),
            )

    def action_mark_sent(self) -> None:
        post = self.selected()
        if post is not None:
            self._ask(
                f"Mark post {post.id} as sent?",
                "Only if you can see it on the account: it will never be sent again.",
                yes="It is on the account",
                then=lambda: self._act(self.outbox.mark_sent, post.id),
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
            Content.styled("Pause all: ON", "bold $warning") if paused else "Pause all: off"
        )

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self._show_pause(event.value)
        if event.value == self.outbox.paused:
            return
        self.outbox.set_paused(event.value)
        self.notify("Sending paused." if event.value else "Sending resumed.")
        self.desk.wake_outbox()  # resume sends at once; either way the sender reports back
        self.reload()

    def action_back(self) -> None:
        self.desk.back()


def _note(post: OutboxPost) -> str:
    """The link once a post is out, else why it waits, failed or was stopped."""
    if post.state == "sent" and post.url:
        return post.url
    return post.reason or ""


DRY_RUN_WORD = "Recorded"


def _state_word(post: OutboxPost) -> tuple[str, str]:
    """The state as a word and a colour; a dry-run post is recorded, never called sent."""
    if post.state == "sent" and post.backend == "dry-run":
        return DRY_RUN_WORD, "success"
    return STATE_WORD.get(post.state, (post.state, "foreground"))


def _shortened(text: str, limit: int) -> str:
    """One table cell's worth; the detail pane below shows the whole text."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
