"""How long a post waits after a failure that certainly posted nothing: doubling, with jitter.

Jitter keeps a laptop that comes back online from sending everything at the very same moment.
"""

from __future__ import annotations

import random
from datetime import timedelta

FIRST = 30.0
LONGEST = 30 * 60.0


class Backoff:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._random = rng or random.Random()

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th attempt: 30 s, 60 s, … up to 30 minutes, less jitter."""
        longest = min(LONGEST, FIRST * 2 ** max(0, attempts - 1))
        return timedelta(seconds=longest * self._random.uniform(0.5, 1.0))
