"""One attached photo in a draft: who is in it, and the alt text that describes it.

Alt text is the "Accessibility" part of the policy work: every photo needs one, and the guard
reads it as closely as the post's text (a surname in alt text is as public as one in the post).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static


class AltTextField(Vertical):
    """Photo N's caption line and its alt-text input (`#alt-<index>`, index from 0)."""

    DEFAULT_CSS = """
    AltTextField {
        height: auto;
        margin-bottom: 1;
    }
    AltTextField .photo-caption {
        color: $text-muted;
    }
    """

    def __init__(self, index: int) -> None:
        super().__init__(id=f"photo-{index}")
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static(f"Photo {self.index + 1}", classes="photo-caption", markup=False)
        yield Input(
            placeholder="Alt text: describe the photo for people who cannot see it",
            id=f"alt-{self.index}",
            select_on_focus=False,
        )

    def show_caption(self, caption: str) -> None:
        """Say which photo this is and who is in it, once the screen knows."""
        self.query_one(".photo-caption", Static).update(f"Photo {self.index + 1}: {caption}")
