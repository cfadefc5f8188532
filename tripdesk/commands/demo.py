"""`tripdesk demo`: the app on a throwaway demo trip, photos arriving over the first seconds."""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from tripdesk.desk import demo


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tripdesk-demo-") as folder:
        home = Path(folder)
        # The demo's state stays in the throwaway folder and it can never post for real.
        os.environ["TRIPDESK_HOME"] = str(home)
        os.environ["TRIPDESK_BACKEND"] = "dry-run"
        config = demo.build(home)
        from tripdesk.app import TripdeskApp  # Textual only when the app runs
        from tripdesk.widgets.graphics import picture_mode

        app = TripdeskApp(replace(config, preview=picture_mode(config.preview)))
        feeder = demo.Feeder(demo.demo_photos(), config.trip.inbox)
        feeder.start()
        try:
            app.run()
        finally:
            feeder.stop()
    return 0
