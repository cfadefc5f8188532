"""The Textual app: builds the screens and runs the two background services, nothing more.

The pool's `Ingestor` and the publisher's `OutboxWorker` report from their own threads; their
callbacks only turn each report into a typed message with `post_message` (thread-safe, never
blocking), and the screens react to those messages on the event loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tripdesk.config import Config
from tripdesk.desk.database import trip_database
from tripdesk.desk.wording import needs_setup
from tripdesk.errors import TripdeskError
from tripdesk.screens.photos import PhotosScreen
from tripdesk.screens.setup import SetupScreen
from tripdesk.widgets.preview import PhotoPreview

if TYPE_CHECKING:
    from tripdesk.pool.catalogue import PoolPhoto
    from tripdesk.pool.events import PoolEvent
    from tripdesk.pool.ingest import Ingestor
    from tripdesk.publish.worker import OutboxStatus, OutboxWorker
    from tripdesk.screens.compose import ComposeScreen

# Only the first screen is imported with the app. The others, the watcher and the sender
# (with the guard, the face detector and the publishing backends behind them) are imported
# when first needed, after the Photos screen is on the terminal: that is most of start-up.
TRIP_ACTIONS = ("photos", "compose", "tag", "delete", "outbox", "register", "audit")


@dataclass
class PoolChanged(Message):
    """The ingestor reported a step for one inbox file."""

    event: PoolEvent


@dataclass
class OutboxChanged(Message):
    """The outbox worker's state changed (online, paused, counts)."""

    status: OutboxStatus


class TripdeskApp(App[None]):
    TITLE = "tripdesk"
    # Textual reads a screen's CSS_PATH when the screen is pushed, never for the default screen.
    CSS_PATH = "screens/photos.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "photos", "Photos", id="app.photos"),
        Binding("c", "compose", "Compose", id="app.compose"),
        Binding("t", "tag", "Tag", id="app.tag"),
        Binding("d", "delete", "Delete from phone", id="app.delete"),
        Binding("o", "outbox", "Outbox", id="app.outbox"),
        Binding("r", "register", "Register", id="app.register"),
        Binding("a", "audit", "Audit", id="app.audit"),
        Binding("question_mark", "keys", "Keys", key_display="?", id="app.keys"),
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
        self._outbox: OutboxWorker | None = None
        self.photos = PhotosScreen()

    @property
    def conn(self) -> sqlite3.Connection:
        """The database connection of the thread that asks."""
        return self.database.connection()

    def get_default_screen(self) -> Screen[None]:
        return self.photos

    def on_mount(self) -> None:
        self.title = self.config.trip.name
        self.sub_title = self.config.trip.hashtag
        if needs_setup(self.config):
            self.push_screen(SetupScreen())
        else:
            # The photos first: the watcher and the sender start once they are on screen.
            self.call_after_refresh(self.start_services)

    def on_unmount(self) -> None:
        self.stop_services()
        self.database.close()

    def start_services(self) -> None:
        """Watch the inbox and run the outbox; a failure is told, the app stays usable."""
        if not self.is_running:  # closed before its first screen was drawn
            return
        from tripdesk.pool.ingest import Ingestor
        from tripdesk.publish.worker import OutboxWorker

        try:
            self.ingestor = Ingestor(self.config, self._pool_event)
            if self.watch_inbox:
                self.ingestor.start()
            self._outbox = OutboxWorker(self.config, self._outbox_change)
            self._outbox.start()
        except TripdeskError as error:
            self.notify(error.message, severity="error", timeout=10)

    def stop_services(self) -> None:
        if self.ingestor is not None:
            self.ingestor.stop()
        if self._outbox is not None:
            self._outbox.stop()

    def finish_setup(self, config: Config) -> None:
        """The Setup screen saved the trip: use it, start the services, show the photos."""
        self.config = config
        self.title = config.trip.name
        self.sub_title = config.trip.hashtag
        self.photos.query_one(PhotoPreview).config = config
        self.photos.changed(None)
        self.pop_screen()
        self.stop_services()
        self.start_services()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The trip's screens wait on the setup screen, and never open over a dialog."""
        if action in (*TRIP_ACTIONS, "keys") and isinstance(self.screen, SetupScreen | ModalScreen):
            return False
        if action == "photos":
            return self.screen is not self.photos
        return True

    def _pool_event(self, event: PoolEvent) -> None:
        # Straight to the Photos screen, the one place that shows them: a burst of arrivals
        # then never queues in front of the teacher's key presses, which go through the app.
        self.photos.post_message(PoolChanged(event))

    def _outbox_change(self, status: OutboxStatus) -> None:
        self.post_message(OutboxChanged(status))

    def on_outbox_changed(self, message: OutboxChanged) -> None:
        self.outbox_status = message.status

    def wake_outbox(self) -> None:
        """Ask the outbox worker to try sending now (after queueing, or on "send now")."""
        if self._outbox is not None:
            self._outbox.wake()

    def open_compose(self, photos: Sequence[PoolPhoto]) -> None:
        from tripdesk.screens.compose import ComposeScreen

        self.push_screen(ComposeScreen(photos))

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

    def _show(self, screen: Screen[object]) -> None:
        """Open a screen that is somewhere to look: it replaces another such view."""
        if type(self.screen) is type(screen):
            return
        if getattr(self.screen, "VIEW", False):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _on_photos(self) -> bool:
        if self.screen is not self.photos:
            self.notify("Go back to the photos (press 1) and choose them first.")
            return False
        return True

    def _draft_open(self) -> ComposeScreen | None:
        from tripdesk.screens.compose import ComposeScreen

        return next((s for s in self.screen_stack if isinstance(s, ComposeScreen)), None)

    def action_photos(self) -> None:
        """Back to the photos; a draft being written is only left once the teacher says so."""
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
            draft.leave(self.exit)
        else:
            self.exit()

    def action_compose(self) -> None:
        from tripdesk.screens.compose import ComposeScreen
        from tripdesk.screens.tag import TagScreen

        if isinstance(self.screen, ComposeScreen):
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
        self.push_screen(TagScreen(chosen), self.photos.changed)

    def action_delete(self) -> None:
        from tripdesk.screens.delete import DeleteScreen

        if self.ingestor is None:
            self.notify("The inbox is not being watched yet.", severity="warning")
            return
        self.push_screen(DeleteScreen(self.ingestor), self.photos.deleted)

    def action_outbox(self) -> None:
        from tripdesk.screens.outbox import OutboxScreen

        self._show(OutboxScreen())

    def action_register(self) -> None:
        from tripdesk.screens.register import RegisterScreen

        self._show(RegisterScreen())

    def action_audit(self) -> None:
        from tripdesk.screens.audit import AuditScreen

        self._show(AuditScreen())

    def action_keys(self) -> None:
        from tripdesk.screens.help import HelpScreen

        self.push_screen(HelpScreen(self._all_bindings()))

    def _all_bindings(self) -> list[tuple[str, str, str]]:
        """(where, key, what it does) for the app and every screen."""
        from tripdesk.screens.audit import AuditScreen
        from tripdesk.screens.compose import ComposeScreen
        from tripdesk.screens.delete import DeleteScreen
        from tripdesk.screens.outbox import OutboxScreen
        from tripdesk.screens.register import RegisterScreen
        from tripdesk.screens.tag import TagScreen
        from tripdesk.widgets.photo_grid import PhotoGrid

        rows = self._described("everywhere", self.BINDINGS)
        rows += [
            ("everywhere", "tab / shift+tab", "Next / previous field"),
            ("dialogs", "y / n / esc", "Yes / No / No"),
        ]
        for where, bindings in (
            ("Photos", [*PhotosScreen.BINDINGS, *PhotoGrid.BINDINGS]),
            ("Tag", TagScreen.BINDINGS),
            ("Delete from phone", DeleteScreen.BINDINGS),
            ("Compose", ComposeScreen.BINDINGS),
            ("Outbox", OutboxScreen.BINDINGS),
            ("Register", RegisterScreen.BINDINGS),
            ("Audit", AuditScreen.BINDINGS),
        ):
            rows += self._described(where, bindings)
            if where == "Compose":
                rows.append((where, "enter", "On a finding: jump to it"))
        return rows

    def _described(self, where: str, bindings: Iterable[object]) -> list[tuple[str, str, str]]:
        rows = []
        for item in bindings:
            binding = Binding(*item) if isinstance(item, tuple) else item
            if isinstance(binding, Binding) and binding.description:
                keys = " / ".join(
                    self.get_key_display(Binding(key.strip(), binding.action))
                    for key in binding.key.split(",")
                )
                if binding.key_display:
                    keys = binding.key_display
                if rows and rows[-1][1] == keys and rows[-1][0] == where:
                    rows[-1] = (where, keys, f"{rows[-1][2]} / {binding.description}")
                    continue
                rows.append((where, keys, binding.description))
        return rows

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit":
                yield SystemCommand(
                    binding.description,
                    f"Key: {binding.key_display or binding.key}",
                    getattr(self, f"action_{binding.action}"),
                )
        yield SystemCommand(
            "Trip settings",
            "The trip's name, hashtag, inbox and pool folders",
            lambda: self.push_screen(SetupScreen()),
        )
