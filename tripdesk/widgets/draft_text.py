"""The post's text box, in which the words a finding points at are marked.

Marks are drawn through the text area's own highlighting (the map it builds for syntax
colouring), so they move with the text as it wraps and scroll with it; a mark is the span a
finding gives, as character offsets into the whole text.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.widgets import TextArea

MARK = "tripdesk.finding"
MARK_STYLE = Style(underline=True, bold=True, color="#ff5f5f")


class DraftText(TextArea):
    """A soft-wrapped text area that underlines the spans it is given in red."""

    def __init__(self, *, id: str | None = None) -> None:
        self._marks: tuple[tuple[int, int], ...] = ()  # the text area draws while it is built
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False)

    def mark(self, spans: Sequence[tuple[int, int]]) -> None:
        """Mark these (start, end) character spans of the text; an empty list clears them."""
        marks = tuple(sorted((start, end) for start, end in spans if end > start))
        if marks == self._marks:
            return
        self._marks = marks
        self._build_highlight_map()
        self.refresh()

    @property
    def marks(self) -> tuple[tuple[int, int], ...]:
        return self._marks

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        self._theme.syntax_styles = {**self._theme.syntax_styles, MARK: MARK_STYLE}

    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        length = len(self.text)
        for start, end in self._marks:
            if start >= length:
                continue
            first = self.document.get_location_from_index(start)
            last = self.document.get_location_from_index(min(end, length))
            for row in range(first[0], last[0] + 1):
                line = self.document[row]
                begin = first[1] if row == first[0] else 0
                stop = last[1] if row == last[0] else len(line)
                self._highlights[row].append(
                    (len(line[:begin].encode()), len(line[:stop].encode()), MARK)
                )
