"""Delete from phone: one confirmation for every verified original, then a receipt.

Only originals whose pool copy was verified are offered; the ingestor checks each one once more
at the moment of deletion and proves it gone, so the receipt says what really happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from tripdesk.desk.wording import short_path
from tripdesk.pool.catalogue import PoolPhoto
from tripdesk.pool.deletion import DeletionReceipt

if TYPE_CHECKING:
    from tripdesk.pool.ingest import Ingestor

SHOWN_NAMES = 12


@dataclass
class Offered(Message):
    photos: list[PoolPhoto]


@dataclass
class Receipts(Message):
    receipts: list[DeletionReceipt]


class DeleteScreen(ModalScreen[list[PoolPhoto]]):
    """Dismisses with the photos whose originals were deleted and proven gone."""

    CSS_PATH = "delete.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y",
            "delete",
            "Yes, delete them",
            id="delete.yes",
            tooltip="Delete the originals from the phone folder, each checked once more first",
        ),
        Binding(
            "n,escape",
            "close",
            "No, keep them",
            id="delete.no",
            tooltip="Close, leaving the originals on the phone",
        ),
    ]

    def __init__(self, ingestor: Ingestor) -> None:
        super().__init__()
        self.ingestor = ingestor
        self.offered: list[PoolPhoto] = []
        self.gone: list[PoolPhoto] = []
        self.stage = "looking"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Delete from phone", id="heading")
            with VerticalScroll(id="body"):
                yield Static("Checking which originals are safely pooled…", id="text")
            yield Static("", id="keys")

    def on_mount(self) -> None:
        self._look()

    @work(thread=True, exclusive=True, exit_on_error=False, group="delete")
    def _look(self) -> None:
        self.post_message(Offered(list(self.ingestor.awaiting_deletion())))

    def on_offered(self, message: Offered) -> None:
        self.offered = sorted(message.photos, key=lambda photo: (photo.captured_at, photo.id))
        if not self.offered:
            self.stage = "done"
            self._show(
                Text("No originals are waiting: every pooled photo is already off the phone."),
                "escape close",
            )
            return
        self.stage = "asking"
        folders = sorted({short_path(Path(photo.source_path).parent) for photo in self.offered})
        count = len(self.offered)
        text = Text()
        text.append(f"{count} original{'s are' if count > 1 else ' is'} safely in the pool", "bold")
        text.append(", each copy checked byte for byte.\n")
        text.append("Delete from " + ", ".join(folders) + ":\n")
        for photo in self.offered[:SHOWN_NAMES]:
            text.append(f"  {Path(photo.source_path).name}\n")
        if count > SHOWN_NAMES:
            text.append(f"  … and {count - SHOWN_NAMES} more\n")
        text.append("Each is checked once more just before it is deleted.")
        self._show(text, "y delete them · n keep them")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return self.stage == "asking" or None
        return True

    def action_delete(self) -> None:
        if self.stage != "asking":
            return
        self.stage = "deleting"
        self.refresh_bindings()
        self._show(Text(f"Deleting {len(self.offered)} originals…"), "")
        self._delete(self.offered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="delete")
    def _delete(self, photos: Sequence[PoolPhoto]) -> None:
        self.post_message(Receipts(list(self.ingestor.delete_sources(photos))))

    def on_receipts(self, message: Receipts) -> None:
        self.stage = "done"
        gone = [r for r in message.receipts if r.deleted]
        kept = [r for r in message.receipts if not r.deleted]
        self.gone = [r.photo for r in gone]
        text = Text()
        if gone:
            text.append(f"Deleted and confirmed gone: {len(gone)}\n", "bold")
            for receipt in gone[:SHOWN_NAMES]:
                text.append(f"  {receipt.source.name}\n")
            if len(gone) > SHOWN_NAMES:
                text.append(f"  … and {len(gone) - SHOWN_NAMES} more\n")
        if kept:
            warning = self.app.theme_variables.get("warning", "")
            text.append(f"Not deleted: {len(kept)}\n", f"bold {warning}")
            for receipt in kept:
                text.append(f"  {receipt.source.name}: {receipt.reason}\n")
        self._show(text, "escape close")

    def action_close(self) -> None:
        if self.stage != "deleting":
            self.dismiss(self.gone)

    def _show(self, text: Text, keys: str) -> None:
        self.query_one("#text", Static).update(text)
        self.query_one("#keys", Static).update(keys)
