"""Every key of every screen in one list (`?`), and the same actions in the command palette.

Both are read from the bindings themselves (their description, and their tooltip as the
sentence saying what the action does), so a new key can never be missing from either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from tripdesk.app import TripdeskApp


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    AUTO_FOCUS = "#keys"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close")
    ]

    def __init__(self, keys: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Keys  (Escape closes; ctrl+p finds any command)", id="heading")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does")
        for where, key, does in self.keys:
            table.add_row(Text(where), Text(key, style="bold"), Text(does))

    def action_close(self) -> None:
        self.dismiss(None)


def every_key(app: TripdeskApp) -> list[tuple[str, str, str]]:
    """(where, key, what it does) for the app and every screen."""
    from tripdesk.screens.audit import AuditScreen
    from tripdesk.screens.blur import BlurScreen
    from tripdesk.screens.compose import ComposeScreen
    from tripdesk.screens.delete import DeleteScreen
    from tripdesk.screens.outbox import OutboxScreen
    from tripdesk.screens.photos import PhotosScreen
    from tripdesk.screens.register import RegisterScreen
    from tripdesk.screens.tag import TagScreen
    from tripdesk.screens.zoom import ZoomScreen
    from tripdesk.widgets.photo_grid import PhotoGrid

    rows = _described(app, "everywhere", app.BINDINGS)
    rows += [
        ("everywhere", "tab / shift+tab", "Next / previous field"),
        ("dialogs", "y / n / esc", "Yes / No / No"),
    ]
    for where, bindings in (
        ("Photos", [*PhotosScreen.BINDINGS, *PhotoGrid.BINDINGS]),
        ("Tag", TagScreen.BINDINGS),
        ("Blur", BlurScreen.BINDINGS),
        ("Zoom", ZoomScreen.BINDINGS),
        ("Delete from phone", DeleteScreen.BINDINGS),
        ("Compose", ComposeScreen.BINDINGS),
        ("Outbox", OutboxScreen.BINDINGS),
        ("Register", RegisterScreen.BINDINGS),
        ("Audit", AuditScreen.BINDINGS),
    ):
        rows += _described(app, where, bindings)
        if where in ("Tag", "Blur"):
            rows.append((where, "1 … 9", "Tick or untick the face of that number"))
        if where == "Compose":
            rows.append((where, "enter", "On a finding: jump to it"))
    return rows


def _described(
    app: TripdeskApp, where: str, bindings: Iterable[BindingType]
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for binding in _bindings(bindings):
        if not binding.description:
            continue
        keys = binding.key_display or " / ".join(
            app.get_key_display(Binding(key.strip(), binding.action))
            for key in binding.key.split(",")
        )
        if rows and rows[-1][1] == keys and rows[-1][0] == where:
            rows[-1] = (where, keys, f"{rows[-1][2]} / {binding.description}")
            continue
        rows.append((where, keys, binding.description))
    return rows


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [Binding(*item) if isinstance(item, tuple) else item for item in bindings]


def screen_commands(app: TripdeskApp, screen: Screen[object]) -> list[SystemCommand]:
    """The palette's commands for this screen: the app's keys, then the screen's and its widgets'.

    Each appears once, with its sentence (the binding's tooltip); actions the screen says are
    not possible now (its `check_action`) are left out, as the footer leaves them out.
    """
    nodes: list[DOMNode] = [app, screen]
    nodes += [w for w in screen.query("*") if type(w).__module__.startswith("tripdesk.")]
    commands: list[SystemCommand] = []
    titles: set[str] = set()
    for node in nodes:
        for binding in _bindings(type(node).BINDINGS):
            title = binding.description
            if not title or title in titles or binding.action == "quit":
                continue
            # The app's own keys are all offered: its check looks at the palette, a dialog.
            if node is not app and node.check_action(binding.action.split("(")[0], ()) is False:
                continue
            titles.add(title)
            key = binding.key_display or app.get_key_display(binding)
            sentence = f"{binding.tooltip} (key {key})" if binding.tooltip else f"Key {key}"
            run = partial(app.run_action, binding.action, node)
            commands.append(SystemCommand(title, sentence, run))
    return commands
