"""`tripdesk` with no command: the app on the current trip (the setup screen on first run)."""

from __future__ import annotations

import argparse

from tripdesk import config as settings


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    from tripdesk.app import TripdeskApp  # Textual only when the app runs
    from tripdesk.widgets.preview import prepare_terminal

    prepare_terminal(config.preview)
    TripdeskApp(config).run()
    return 0
