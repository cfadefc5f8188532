"""Background sending for the app: a plain thread that empties the outbox whenever it can.

The caller hands it the guard (`review`) and the consent look-up the outbox runs at send time.
The thread works on a connection from the caller's `connect` (the app hands it its database's
per-thread connection) and closes it when it stops. Every `interval` seconds, or at once after
`wake()`, it sends what is due (the outbox checks the network cheaply first) and reports an
`OutboxStatus` to `on_change` (from the worker thread; the app hands it to its own loop).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from tripdesk.config import Config
from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import Backend
from tripdesk.publish.outbox import Outbox, PostState
from tripdesk.publish.sending import Consent, Review

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxStatus:
    online: bool
    paused: bool
    counts: dict[PostState, int]
    message: str | None


class OutboxWorker:
    def __init__(
        self,
        config: Config,
        on_change: Callable[[OutboxStatus], None],
        *,
        connect: Callable[[], sqlite3.Connection],
        interval: float = 5.0,
        backend: Backend | None = None,
        passphrase: Callable[[], str] | None = None,
        review: Review | None = None,
        consent: Consent | None = None,
    ) -> None:
        self.config = config
        self.on_change = on_change
        self._connect = connect
        self.interval = interval
        self._backend = backend
        self._passphrase = passphrase
        self._review = review
        self._consent = consent
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="tripdesk-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current post at the latest; a post mid-request finishes or is settled
        as uncertain by the next sender."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Send now rather than at the next tick (after queue, retry or resume)."""
        self._wake.set()

    def _run(self) -> None:
        conn = self._connect()
        try:
            outbox = Outbox(
                conn,
                self.config,
                self._backend,
                passphrase=self._passphrase,
                review=self._review,
                consent=self._consent,
            )
            last: OutboxStatus | None = None
            online = True
            while not self._stopping.is_set():
                self._wake.clear()
                message: str | None = None
                try:
                    summary = outbox.send_due()
                    online = not summary.offline
                    message = summary.message
                except TripdeskError as error:
                    message = error.message
                except Exception as error:  # keep the thread alive; the teacher sees why
                    log.exception("the outbox worker failed")
                    message = f"Sending stopped on an unexpected error ({type(error).__name__})."
                status = OutboxStatus(
                    online=online,
                    paused=outbox.paused,
                    counts=outbox.counts(),
                    message=message,
                )
                if status != last:
                    self.on_change(status)
                    last = status
                self._wake.wait(self.interval)
        finally:
            conn.close()
