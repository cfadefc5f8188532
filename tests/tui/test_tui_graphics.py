"""Kitty graphics only where they work: an old kitty gets the app's own half blocks, found out
by asking the terminal through a real pseudo-terminal before the app starts."""

from __future__ import annotations

import os
import pty
import select
import time

import pytest

from tripdesk.widgets.graphics import placeholders_work, sixel_geometry

XTVERSION = b"\x1b[>0q"
OLD_KITTY = b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c"


@pytest.mark.parametrize(
    ("answer", "works"),
    [
        (OLD_KITTY, False),
        (b"\x1bP>|kitty(0.27.1)\x1b\\", False),
        (b"\x1bP>|kitty(0.28.0)\x1b\\", True),
        (b"\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;52;c", True),
        (b"\x1bP>|ghostty 1.1.0\x1b\\", True),  # another terminal: textual-image's own judgement
        (None, True),
    ],
)
def test_only_old_kittys_are_known_to_fall_short(answer: bytes | None, works: bool) -> None:
    assert placeholders_work(answer) is works


def read_until(fd: int, wanted: bytes, seconds: float = 10) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 1024)
            except OSError:
                break
    return seen


@pytest.mark.parametrize(("answer", "expected"), [(OLD_KITTY, OLD_KITTY), (None, b"None")])
def test_the_terminal_is_asked_and_a_silent_one_is_not_waited_for(
    answer: bytes | None, expected: bytes
) -> None:
    pid, terminal = pty.fork()
    if pid == 0:  # the program, its keyboard and screen the pseudo-terminal
        from tripdesk.widgets.graphics import ask_terminal

        version = ask_terminal(XTVERSION, timeout=2.0)
        said = f"ANSWER {version!r} END"
        os.write(1, said.encode())
        os._exit(0)
    try:
        asked = read_until(terminal, b"\x1b[c")
        assert XTVERSION in asked  # XTVERSION, then the attributes every terminal answers
        if answer is not None:
            os.write(terminal, answer)
        said = read_until(terminal, b"END")
    finally:
        os.waitpid(pid, 0)
        os.close(terminal)
    shown = said.split(b"ANSWER", 1)[1]
    assert (repr(answer).encode() if answer else expected) in shown


def test_halfcell_and_off_are_never_second_guessed() -> None:
    from tripdesk.widgets.graphics import picture_mode

    assert picture_mode("halfcell") == "halfcell" and picture_mode("off") == "off"


@pytest.mark.parametrize(
    ("answer", "largest"),
    [
        (b"\x1b[?2;0;800;480S\x1b[?63;1;2;4c", (800, 480)),
        (b"\x1b[?2;3;0S\x1b[?62;4c", None),  # the terminal sets no limit it will say
        (None, None),
    ],
)
def test_a_sixel_terminal_says_its_largest_picture(
    answer: bytes | None, largest: tuple[int, int] | None
) -> None:
    assert sixel_geometry(answer) == largest
