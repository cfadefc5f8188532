"""`tripdesk` with no command: the app on the current trip (the setup screen on first run)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from tripdesk import config as settings


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    from tripdesk.app import TripdeskApp  # Textual only when the app runs
    from tripdesk.widgets.graphics import picture_mode

    TripdeskApp(replace(config, preview=picture_mode(config.preview))).run()
    return 0
