"""The Textual app: the peer views as modes, the two background services, nothing more.

Photos, Outbox, Register and Audit are Textual modes, each with its own stack of screens, so
switching between them keeps each as the teacher left it. The pool's `Ingestor` and the
publisher's `OutboxWorker` report from their own threads; their callbacks only turn each report
into a typed message (`screens/messages.py`) with `post_message`, thread-safe and never blocking.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tripdesk import store
from tripdesk.config import Config
from tripdesk.desk.database import trip_database
from tripdesk.desk.wording import needs_setup
from tripdesk.errors import TripdeskError
from tripdesk.screens.badge import with_badge
from tripdesk.screens.messages import OutboxChanged, PoolChanged
from tripdesk.screens.photos import PhotosScreen
from tripdesk.screens.setup import SetupScreen
from tripdesk.shown import shown

if TYPE_CHECKING:
    from tripdesk.pool.catalogue import PoolPhoto
    from tripdesk.pool.events import PoolEvent
    from tripdesk.pool.ingest import Ingestor
    from tripdesk.publish.worker import OutboxStatus, OutboxWorker
    from tripdesk.screens.compose import ComposeScreen

FEED = 32  # pool events the Photos screen is handed at a time

# Only the Photos screen is imported with the app. The other views, the watcher and the sender
# (with the guard, the face detector and the publishing backends behind them) are imported when
# first needed, after the Photos screen is on the terminal: that is most of start-up.
TRIP_ACTIONS = ("photos", "compose", "tag", "delete", "outbox", "register", "audit", "report")


def _outbox_view() -> Screen[None]:
    from tripdesk.screens.outbox import OutboxScreen

    return OutboxScreen()


def _register_view() -> Screen[None]:
    from tripdesk.screens.register import RegisterScreen

    return RegisterScreen()


def _audit_view() -> Screen[None]:
    from tripdesk.screens.audit import AuditScreen

    return AuditScreen()


class TripdeskApp(App[None]):
    TITLE = "tripdesk"
    # Textual reads a screen's CSS_PATH when the screen is pushed, never for a mode's first one.
    CSS_PATH = "screens/photos.tcss"
    DEFAULT_MODE = "photos"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {
        "outbox": _outbox_view,
        "register": _register_view,
        "audit": _audit_view,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "photos", "Photos", id="app.photos", tooltip="The photos as they arrive"),
        Binding(
            "c", "compose", "Compose", id="app.compose", tooltip="Write a post with the photos"
        ),
        Binding("t", "tag", "Tag", id="app.tag", tooltip="Say who is in the chosen photos"),
        Binding(
            "d",
            "delete",
            "Delete from phone",
            id="app.delete",
            tooltip="Delete the originals already safe in the pool from the phone folder",
        ),
        Binding("o", "outbox", "Outbox", id="app.outbox", tooltip="Posts queued, sent or failed"),
        Binding(
            "r", "register", "Register", id="app.register", tooltip="Each pupil's photo consent"
        ),
        Binding("a", "audit", "Audit", id="app.audit", tooltip="Everything tripdesk has done"),
        Binding(
            "R",
            "report",
            "Trip report",
            show=False,
            id="app.report",
            tooltip="Write the trip report for the safeguarding lead (an HTML file)",
        ),
        Binding(
            "question_mark",
            "keys",
            "Keys",
            key_display="?",
            id="app.keys",
            tooltip="Every key of every screen",
        ),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]

    outbox_status: reactive[OutboxStatus | None] = reactive(None)

    def __init__(
        self,
        config: Config,
        *,
        watch: bool = True,
        today: Callable[[], date] = date.today,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__()
        self.config = config
        self.watch_inbox = watch
        self.today = today
        self.clock = clock
        # Migrated here, once, before any worker thread reads; each thread gets its connection.
        self.database = trip_database(config.database)
        self.ingestor: Ingestor | None = None
        self._pool_news: deque[PoolEvent] = deque()
        self._pool_news_lock = threading.Lock()
        self._pool_feeding = False
        self._outbox: OutboxWorker | None = None
        self.photos = PhotosScreen()
        self.add_mode("photos", lambda: self.photos)

    @property
    def conn(self) -> sqlite3.Connection:
        """The database connection of the thread that asks."""
        return self.database.connection()

    def on_mount(self) -> None:
        self.title = self.config.trip.name
        self.sub_title = with_badge(self.config.trip.hashtag, self.config)
        if needs_setup(self.config):
            self.push_screen(SetupScreen())
        else:
            # The photos first: the watcher and the sender start once they are on screen.
            self.call_after_refresh(self.start_services)

    def on_unmount(self) -> None:
        self.stop_services()
        self.database.close()
        gc.unfreeze()  # the app's objects can be collected once it has ended (tests run many)

    def start_services(self) -> None:
        """Watch the inbox and run the outbox; a failure is told, the app stays usable."""
        if not self.is_running:  # closed before its first screen was drawn
            return
        from tripdesk.desk.sending import send_checks
        from tripdesk.pool.ingest import Ingestor
        from tripdesk.publish.worker import OutboxWorker

        try:
            self.ingestor = Ingestor(
                self.config, self._pool_event, connect=partial(store.connect, self.config.database)
            )
            if self.watch_inbox:
                self.ingestor.start()
            self._outbox = OutboxWorker(
                self.config,
                self._outbox_change,
                connect=self.database.connection,
                **send_checks(self.config),
            )
            self._outbox.start()
        except TripdeskError as error:
            self.notify(error.message, severity="error", timeout=10)

        self._get_ready()
        # What is loaded by now lives as long as the app: the collector stops walking it, so
        # keys never wait for a full collection during a burst of arrivals (60-180 ms each).
        gc.freeze()

    @work(thread=True, exit_on_error=False, group="ready")
    def _get_ready(self) -> None:
        from tripdesk.desk.ready import get_ready

        sentence = get_ready(self.database.connection(), self.config)
        if sentence:
            self.notify(sentence, timeout=8)

    def stop_services(self) -> None:
        if self.ingestor is not None:
            self.ingestor.stop()
        if self._outbox is not None:
            self._outbox.stop()

    def finish_setup(self, config: Config) -> None:
        """The Setup screen saved the trip: use it, start the services, show the photos."""
        self.config = config
        self.title = config.trip.name
        self.sub_title = with_badge(config.trip.hashtag, config)
        self.pop_screen()
        self.photos.changed(None)
        self.stop_services()
        self.start_services()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The trip's screens wait on the setup screen, and never open over a dialog."""
        if action in (*TRIP_ACTIONS, "keys") and isinstance(self.screen, SetupScreen | ModalScreen):
            return False
        if action == "photos":
            return self.screen is not self.photos
        if action in ("outbox", "register", "audit"):
            return self.current_mode != action  # no key for the view already showing
        if action == "tag":
            return self.screen is self.photos  # only the photos have photos to choose
        if action == "compose":
            return self.current_mode == "photos"  # a post starts from photos
        return True

    def _pool_event(self, event: PoolEvent) -> None:
        # To the Photos screen, the one place that shows them, a few events at a time: a key
        # press bubbles up through that screen's queue too, and waited there behind a whole
        # burst of arrivals when each event was posted at once.
        with self._pool_news_lock:
            self._pool_news.append(event)
            if self._pool_feeding:
                return
            self._pool_feeding = True
        self._feed_photos()

    def _feed_photos(self) -> None:
        """The next few pool events; once the screen has shown them, the app (not the screen,
        which would go on without letting a key in) hands it the next few."""
        with self._pool_news_lock:
            news = [self._pool_news.popleft() for _ in range(min(FEED, len(self._pool_news)))]
            self._pool_feeding = bool(news)
        for event in news:
            self.photos.post_message(PoolChanged(event))
        if news:
            self.photos.call_later(self.call_later, self._feed_photos)

    def _outbox_change(self, status: OutboxStatus) -> None:
        self.post_message(OutboxChanged(status))

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        self.outbox_status = message.status

    def wake_outbox(self) -> None:
        """Ask the outbox worker to try sending now (after queueing, or on "send now")."""
        if self._outbox is not None:
            self._outbox.wake()

    def show_view(self, view: str) -> None:
        """Go to a peer view (photos, outbox, register, audit) as the teacher left it."""
        if self.current_mode != view:
            self.switch_mode(view)

    def back(self) -> None:
        """Escape: close the screen on top, or go back to the photos (or the post being written,
        which stays on top of them)."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.show_view("photos")

    def open_compose(self, photos: Sequence[PoolPhoto]) -> None:
        from tripdesk.screens.compose import ComposeScreen

        self.show_view("photos")
        self.push_screen(ComposeScreen(photos))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast: its words may come from a file name or a network, so they are shown
        safely and never read as markup."""
        super().notify(
            shown(message, lines=True),
            title=title,
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure ends here: the core's one sentence, or a plain apology."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, TripdeskError):
            self.notify(error.message, severity="error", timeout=10)
        else:
            self.notify(
                f"Something went wrong ({type(error).__name__}); nothing was lost.",
                severity="error",
                timeout=10,
            )

    def _on_photos(self) -> bool:
        if self.screen is not self.photos:
            self.notify("Go back to the photos (press 1) and choose them first.")
            return False
        return True

    def _draft_open(self) -> ComposeScreen | None:
        from tripdesk.screens.compose import ComposeScreen

        stack = self._screen_stacks.get("photos", [])
        return next((s for s in stack if isinstance(s, ComposeScreen)), None)

    def action_photos(self) -> None:
        """Back to the photos; a draft being written is only left once the teacher says so."""
        self.show_view("photos")
        draft = self._draft_open()
        if draft is not None:
            draft.leave(self._back_to_photos)
        else:
            self._back_to_photos()

    def _back_to_photos(self) -> None:
        while len(self.screen_stack) > 1 and self.screen is not self.photos:
            self.pop_screen()

    async def action_quit(self) -> None:
        draft = self._draft_open()
        if draft is not None:
            self.show_view("photos")
            draft.leave(self.exit)
        else:
            self.exit()

    def action_compose(self) -> None:
        from tripdesk.screens.compose import ComposeScreen
        from tripdesk.screens.tag import TagScreen

        if isinstance(self.screen, ComposeScreen):
            return
        if self._draft_open() is not None:
            self.show_view("photos")  # the draft being written, as it was left
            return
        if isinstance(self.screen, TagScreen):
            # Straight on from tagging to writing about the same photos.
            chosen = self.screen.photos
            self.screen.action_done()
        else:
            chosen = self.photos.chosen() if self.screen is self.photos else []
        usable = [photo for photo in chosen if not photo.damaged]
        if len(usable) < len(chosen):
            self.notify("Damaged photos were left out of the post.", severity="warning")
        self.open_compose(usable)

    def action_tag(self) -> None:
        from tripdesk.screens.tag import TagScreen

        if isinstance(self.screen, TagScreen) or not self._on_photos():
            return
        chosen = self.photos.chosen()
        if not chosen:
            self.notify("Choose a photo to tag first.")
            return
        self.push_screen(TagScreen(chosen))

    def action_delete(self) -> None:
        from tripdesk.screens.delete import DeleteScreen

        if self.ingestor is None:
            self.notify("The inbox is not being watched yet.", severity="warning")
            return
        self.push_screen(DeleteScreen(self.ingestor), self.photos.deleted)

    def action_outbox(self) -> None:
        self.show_view("outbox")

    def action_register(self) -> None:
        self.show_view("register")

    def action_audit(self) -> None:
        self.show_view("audit")

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def action_report(self) -> None:
        """Write the report in a worker (it prepares every sent photo) and say where it is."""
        from tripdesk.desk.report import write_report

        self.notify("Writing the trip report…")
        path, _ = write_report(self.database.connection(), self.config)
        self.notify(f"Trip report written to {path}", timeout=15)

    def action_keys(self) -> None:
        from tripdesk.screens.help import HelpScreen, every_key

        self.push_screen(HelpScreen(every_key(self)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The app's keys, then the screen's own, each once and with a sentence."""
        from tripdesk.screens.help import screen_commands

        titles: set[str] = set()
        for command in (*screen_commands(self, screen), *super().get_system_commands(screen)):
            if command.title not in titles:
                titles.add(command.title)
                yield command
        if "Trip settings" not in titles:
            yield SystemCommand(
                "Trip settings",
                "Change the trip's name, hashtag, inbox and pool folders",
                lambda: self.push_screen(SetupScreen()),
            )
