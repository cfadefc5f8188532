"""The end-to-end walk borrows the X stand-in that the publishing tests built."""

from __future__ import annotations

import sys
from pathlib import Path

PUBLISH_TESTS = Path(__file__).resolve().parents[1] / "publish"
if str(PUBLISH_TESTS) not in sys.path:
    sys.path.insert(0, str(PUBLISH_TESTS))
