"""One attached photo in a draft: its thumbnail, who is in it, and the alt text that describes it.

Alt text is the "Accessibility" part of the policy work: every photo needs one, and the guard
reads it as closely as the post's text (a surname in alt text is as public as one in the post).
The screen hands the widget its caption and, once made in a worker, its thumbnail.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from tripdesk.widgets.halfblocks import HalfBlockPicture


class AltTextField(Horizontal):
    """Photo N: a small picture, its caption line and its alt-text input (`#alt-<index>`)."""

    DEFAULT_CSS = """
    AltTextField {
        height: auto;
        margin-bottom: 1;
    }
    AltTextField .photo-thumb {
        width: 12;
        height: 4;
        margin-right: 1;
        color: $text-muted;
    }
    AltTextField .photo-words {
        height: auto;
        width: 1fr;
    }
    AltTextField .photo-caption {
        color: $text-muted;
    }
    AltTextField:focus-within .photo-caption {
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, index: int, *, caption: str = "", alt: str = "", preview: str = "") -> None:
        super().__init__(id=f"photo-{index}")
        self.index = index
        self._caption = caption
        self._alt = alt
        self._preview = preview

    def compose(self) -> ComposeResult:
        if self._preview != "off":
            yield Static("…", classes="photo-thumb")
        with Vertical(classes="photo-words"):
            yield Static(self._label(), classes="photo-caption", markup=False)
            yield Input(
                self._alt,
                placeholder="Alt text: describe the photo for people who cannot see it",
                id=f"alt-{self.index}",
                select_on_focus=False,
            )

    def _label(self) -> str:
        return (
            f"Photo {self.index + 1}: {self._caption}"
            if self._caption
            else f"Photo {self.index + 1}"
        )

    def show_caption(self, caption: str) -> None:
        """Say which photo this is and who is in it, once the screen knows."""
        self._caption = caption
        self.query_one(".photo-caption", Static).update(self._label())

    def show_picture(self, thumbnail: Path) -> None:
        """Replace the placeholder with the photo's thumbnail (made by the screen's worker)."""
        placeholders = self.query(".photo-thumb")
        if not placeholders or self._preview == "off":
            return
        old = placeholders.first()
        if self._preview == "auto":
            from textual_image.widget import Image as AutoImage  # imported before the app ran

            picture = AutoImage(thumbnail, classes="photo-thumb")
        else:
            picture = HalfBlockPicture(thumbnail, classes="photo-thumb")
        self.mount(picture, before=old)
        old.remove()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._alt = event.value  # the screen reads it at any moment, even mid-layout

    @property
    def alt(self) -> str:
        return self._alt
