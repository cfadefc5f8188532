"""`tripdesk` with no command: the app on the current trip (the setup screen on first run)."""

from __future__ import annotations

import argparse

from tripdesk import config as settings


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    from tripdesk.app import TripdeskApp  # Textual and textual-image only when the app runs

    TripdeskApp(config).run()
    return 0
