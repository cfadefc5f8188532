"""Text from outside (a register, a draft, a file name, a network's answer) made safe to show.

A terminal obeys control codes: an escape sequence in a pupil id or a file name could move the
cursor, rewrite what the teacher sees or hide a line, and bidi overrides reorder letters. Every
line the CLI prints and every label the TUI draws from such text goes through `shown`.
"""

from __future__ import annotations

import unicodedata
from typing import Any, TextIO

# Bidi embeddings, overrides and isolates: they reorder what follows on screen.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def shown(text: str, *, lines: bool = False) -> str:
    """`text` with every control, format and bidi character written as a visible escape.

    With `lines`, newlines and tabs are kept (a post's text, a table); otherwise they are
    escaped too.
    """
    return "".join(_visible(ch, lines) for ch in text)


class ShownStream:
    """A text stream that shows everything written to it through `shown`: the CLI's stdout."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(shown(text, lines=True))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _visible(ch: str, lines: bool) -> str:
    if ch in "\n\t" and lines:
        return ch
    if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        if ch in "\u200d\ufe0f\ufe0e":  # joiners and variation selectors shape emoji
            return ch
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"
    return ch
