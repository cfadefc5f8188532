"""Which way this terminal can really show a photo, found out before the app takes the keyboard.

textual-image asks the terminal at import whether it speaks Sixel or the Kitty graphics
protocol. Kitty before 0.28 answers yes to the second but cannot place a picture the way
textual-image does (Unicode placeholders), and fills the preview with empty boxes; there the
app draws its own half blocks instead, which are always legible. A Sixel terminal may refuse
pictures above a size of its own (xterm's VT340 mode draws nothing at all): it is asked for that
size, and the zoomed photo is kept within it.
"""

from __future__ import annotations

import os
import re
import select
import sys
import termios
import time
import tty

PLACEHOLDERS_FROM = (0, 28)  # the first kitty whose graphics textual-image can use
_KITTY = re.compile(rb"\x1bP>\|kitty\((\d+)\.(\d+)")
_ANSWERED = re.compile(rb"\x1b\[\?[\d;]*c")  # the primary device attributes: every terminal
_SIXEL_GEOMETRY = re.compile(rb"\x1b\[\?2;0;(\d+);(\d+)S")
_largest: tuple[int, int] | None = None  # in pixels, as the terminal said at start-up


def picture_mode(mode: str) -> str:
    """The preview setting to run with: `auto` where the terminal's graphics will work,
    `halfcell` where they would not; `halfcell` and `off` stay as they are."""
    if mode != "auto":
        return mode
    import textual_image.widget  # noqa: F401  (asks the terminal, and its cell size, now)
    from textual_image.renderable import Image, SixelImage, TGPImage

    if Image is TGPImage and not placeholders_work(ask_terminal(b"\x1b[>0q")):
        return "halfcell"
    if Image is SixelImage:
        global _largest
        _largest = sixel_geometry(ask_terminal(b"\x1b[?2;1;0S"))
    return mode


def largest_picture() -> tuple[int, int] | None:
    """The largest Sixel picture this terminal said it draws, in pixels; None if it set none."""
    return _largest


def sixel_geometry(answer: bytes | None) -> tuple[int, int] | None:
    """The width and height in an XTSMGRAPHICS answer about Sixel pictures."""
    found = _SIXEL_GEOMETRY.search(answer or b"")
    return (int(found[1]), int(found[2])) if found else None


def placeholders_work(version: bytes | None) -> bool:
    """Whether a terminal that speaks Kitty graphics can place pictures as textual-image does;
    only kitty's own versions are known to fall short."""
    found = _KITTY.search(version or b"")
    return found is None or (int(found[1]), int(found[2])) >= PLACEHOLDERS_FROM


def ask_terminal(query: bytes, timeout: float = 0.3) -> bytes | None:
    """The terminal's answer to `query`, read before anything else reads the keyboard.

    The query is followed by one every terminal answers, so the reading ends when that answer
    comes and no late reply is left over to look like keys."""
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or not (stdin.isatty() and stdout.isatty()):
        return None
    fd = stdin.fileno()
    saved = termios.tcgetattr(fd)
    answer = b""
    try:
        tty.setcbreak(fd)
        os.write(stdout.fileno(), query + b"\x1b[c")
        deadline = time.monotonic() + timeout
        while not _ANSWERED.search(answer):
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            answer += os.read(fd, 64)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    return answer or None
