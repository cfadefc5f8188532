"""The background worker: a real thread that sends when woken and reports what it sees."""

from __future__ import annotations

import queue
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

from publish_helpers import ok
from xstandin import CREDENTIALS, XStandIn

from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.desk.sending import send_checks
from tripdesk.draft import Draft
from tripdesk.publish.credentials import Credentials
from tripdesk.publish.outbox import Outbox
from tripdesk.publish.worker import OutboxStatus, OutboxWorker
from tripdesk.publish.x import XBackend

WAIT = 20.0  # generous: only a ceiling for a stuck thread, never a speed claim


def connector(config: Config) -> Callable[[], sqlite3.Connection]:
    """What the app hands the worker: a way to get the worker thread its own connection."""
    return lambda: open_database(config.database)


def wait_for(statuses: queue.Queue[OutboxStatus], wanted) -> OutboxStatus:
    while True:
        status = statuses.get(timeout=WAIT)
        if wanted(status):
            return status


def test_the_worker_sends_what_is_queued_when_woken(
    home: Path, conn: sqlite3.Connection, config: Config
) -> None:
    statuses: queue.Queue[OutboxStatus] = queue.Queue()
    worker = OutboxWorker(
        config, statuses.put, interval=60, connect=connector(config), **send_checks(config)
    )
    worker.start()
    try:
        first = wait_for(statuses, lambda s: True)
        assert first.online and not first.paused and first.counts["sent"] == 0
        Outbox(conn, config).queue(Draft(text="Sent from the worker"), ok())
        worker.wake()
        done = wait_for(statuses, lambda s: s.counts["sent"] == 1)
        assert done.counts["queued"] == 0
    finally:
        worker.stop()


def test_offline_the_worker_waits_then_sends_when_the_network_is_back(
    conn: sqlite3.Connection, config: Config
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Outbox(conn, config).queue(Draft(text="Waiting for signal"), ok())
    statuses: queue.Queue[OutboxStatus] = queue.Queue()
    backend = XBackend(Credentials(*CREDENTIALS), base=f"http://127.0.0.1:{port}")
    worker = OutboxWorker(
        config,
        statuses.put,
        interval=0.05,
        backend=backend,
        connect=connector(config),
        **send_checks(config),
    )
    worker.start()
    try:
        offline = wait_for(statuses, lambda s: not s.online)
        assert offline.counts["queued"] == 1 and "No connection" in (offline.message or "")
        with XStandIn(port=port) as standin:
            back = wait_for(statuses, lambda s: s.counts["sent"] == 1)
            assert back.online and [t.text for t in standin.created] == ["Waiting for signal"]
    finally:
        worker.stop()


def test_pause_from_another_connection_stops_the_worker(
    conn: sqlite3.Connection, config: Config
) -> None:
    outbox = Outbox(conn, config)
    outbox.set_paused(True)
    outbox.queue(Draft(text="Held"), ok())
    statuses: queue.Queue[OutboxStatus] = queue.Queue()
    worker = OutboxWorker(
        config, statuses.put, interval=60, connect=connector(config), **send_checks(config)
    )
    worker.start()
    try:
        paused = wait_for(statuses, lambda s: True)
        assert paused.paused and paused.counts["queued"] == 1
        outbox.set_paused(False)
        worker.wake()
        assert wait_for(statuses, lambda s: s.counts["sent"] == 1).paused is False
    finally:
        worker.stop()
