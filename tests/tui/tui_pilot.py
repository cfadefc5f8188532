"""What the TUI tests share besides fixtures: fixed dates, screen sizes, and waiting on the app.

Imported by name (`from tui_pilot import settle`): pytest puts this folder on the path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import date, datetime

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 14, 30)
SMALL = (80, 24)
LARGE = (160, 48)


async def settle(
    pilot: Pilot[None],
    until: Callable[[], bool],
    *,
    rounds: int = 1200,
    show: Callable[[], object] = lambda: None,
) -> None:
    """Let the app work (its workers and the watcher) until `until()` holds.

    Waits on the app, not on a clock: it fails only if the condition never comes true.
    """
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled):  # a newer preview replaced an older one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError(f"the app never reached the expected state: {show()!r}")


def cells(rows: Iterable[list[object]]) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]
