"""Choosing a CSV file from the folders, for a teacher who does not know its path by heart."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Static


class CsvTree(DirectoryTree):
    """Folders and CSV files only, hidden ones left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix.lower() == ".csv")
        ]


class PickFile(ModalScreen[Path | None]):
    """Dismisses with the chosen file, or None when the teacher goes back."""

    DEFAULT_CSS = """
    PickFile { align: center middle; }
    PickFile #dialog {
        width: 80; max-width: 100%; height: 80%; max-height: 100%;
        border: thick $primary; background: $surface;
    }
    PickFile #heading { padding: 0 1; text-style: bold; }
    PickFile CsvTree { height: 1fr; }
    """
    AUTO_FOCUS = "CsvTree"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back, nothing chosen", id="pick.back")
    ]

    def __init__(self, title: str, start: Path) -> None:
        super().__init__()
        self.title_text = title
        self.start = start if start.is_dir() else Path.home()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"{self.title_text}  (Enter opens a folder or picks a file)", id="heading")
            yield CsvTree(self.start)

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    def action_close(self) -> None:
        self.dismiss(None)
