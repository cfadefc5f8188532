"""`tripdesk ingest`: pool the inbox once (`--once`) or watch it until Ctrl-C.

`--once` exits 0 when every file was dealt with, 1 when some could not be pooled (they stay in
the inbox and are listed under `errors`), 2 when the inbox or pool folder is unusable. Watching
prints a line per event (with `--json`, one JSON object per line) and exits 0 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from tripdesk import config as settings
from tripdesk import private, store
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.pool.events import (
    Arrived,
    AwaitingDeletion,
    Copying,
    Damaged,
    Deleted,
    Duplicate,
    Failed,
    MaybeIncomplete,
    Pooled,
    PoolEvent,
    Skipped,
)
from tripdesk.pool.ingest import Ingestor, IngestSummary, display_name


def run(args: argparse.Namespace) -> int:
    private.owner_only()
    config = settings.load()
    if args.delete_source:
        config = replace(config, ingest=replace(config.ingest, delete_source="auto"))
    open_database(config.database).close()  # migrated once; the ingestor's connections read
    tightened = private.tightened_sentence(
        private.tighten([config.home, config.trip.pool], skip=[config.trip.inbox])
    )
    if tightened:
        print(tightened, file=sys.stderr, flush=True)
    lines = _Lines(config)

    def connect() -> sqlite3.Connection:
        return store.connect(config.database)

    def waiting(sentence: str) -> None:
        print(sentence, file=sys.stderr, flush=True)

    if args.once:
        on_event = (lambda event: None) if args.json else lines.print
        summary = Ingestor(config, on_event, connect=connect).scan_once(waiting=waiting)
        if args.json:
            print(json.dumps(_as_json(summary), indent=2))
        else:
            lines.total(summary)
        return 1 if summary.failed else 0
    ingestor = Ingestor(config, lines.print_json if args.json else lines.print, connect=connect)
    ingestor.scan_once(waiting=waiting)  # what is there already; a clear error before watching
    print(f"Watching {config.trip.inbox} (Ctrl-C to stop).", file=sys.stderr, flush=True)
    ingestor.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("Stopped watching.", file=sys.stderr)
    finally:
        ingestor.stop()
    return 0


class _Lines:
    """One line per event, for a person watching the terminal."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def print(self, event: PoolEvent) -> None:
        print(f"{_VERBS[type(event)]:<10} {self._describe(event)}", flush=True)

    def print_json(self, event: PoolEvent) -> None:
        entry = {"event": _VERBS[type(event)], **_entry(event)}
        print(json.dumps(entry), flush=True)

    def total(self, summary: IngestSummary) -> None:
        waiting = summary.waiting
        print(
            f"Pooled {len(summary.pooled)}, duplicates {len(summary.duplicates)}, "
            f"damaged {len(summary.damaged)}, deleted {len(summary.deleted)}, "
            f"skipped {len(summary.skipped)}, failed {len(summary.failed)}.",
            flush=True,
        )
        if summary.maybe_incomplete:
            print(
                f"{len(summary.maybe_incomplete)} photo(s) may be incomplete: pooled, and their "
                "originals kept in the inbox.",
                flush=True,
            )
        if waiting:
            print(
                f"{len(waiting)} verified original(s) wait in the inbox until you confirm their "
                "deletion in the app, or run `tripdesk ingest --once --delete-source`.",
                flush=True,
            )

    def _describe(self, event: PoolEvent) -> str:
        name = display_name(event.source, self.config.trip.inbox)
        match event:
            case Pooled(photo=photo) | Duplicate(photo=photo):
                return f"{name} → {self._pool_name(photo.pool_path)}"
            case MaybeIncomplete(photo=photo, reason=reason):
                return f"{name} → {self._pool_name(photo.pool_path)}: {reason}"
            case Damaged(photo=photo, reason=reason):
                return (
                    f"{name}: {reason} Kept as {self._pool_name(photo.pool_path)}; "
                    "the original stays."
                )
            case Skipped(reason=reason) | Failed(reason=reason):
                return f"{name}: {reason}"
        return name

    def _pool_name(self, path: Path) -> str:
        return display_name(path, self.config.trip.pool)


_VERBS: dict[type, str] = {
    Arrived: "arrived",
    Copying: "copying",
    Pooled: "pooled",
    MaybeIncomplete: "incomplete",
    Duplicate: "duplicate",
    Damaged: "damaged",
    AwaitingDeletion: "awaiting",
    Deleted: "deleted",
    Skipped: "skipped",
    Failed: "failed",
}


def _as_json(summary: IngestSummary) -> dict[str, list[dict[str, Any]]]:
    """The contract's keys, plus `damaged`, `maybe_incomplete` (pooled, originals kept) and
    `awaiting_deletion` (every verified original still in the inbox, pooled in this run or
    before); damaged ones are errors too."""
    damaged = [_entry(event) for event in summary.damaged]
    return {
        "pooled": [_entry(event) for event in summary.pooled],
        "maybe_incomplete": [_entry(event) for event in summary.maybe_incomplete],
        "duplicates": [_entry(event) for event in summary.duplicates],
        "deleted": [_entry(event) for event in summary.deleted],
        "skipped": [_entry(event) for event in summary.skipped],
        "errors": [_entry(event) for event in summary.failed] + damaged,
        "damaged": damaged,
        "awaiting_deletion": [
            {"source": photo.source_path, "pool_path": str(photo.pool_path), "sha256": photo.sha256}
            for photo in summary.waiting
        ],
    }


def _entry(event: PoolEvent) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": os.fsdecode(event.source)}
    photo = getattr(event, "photo", None)
    if photo is not None:
        entry.update(pool_path=str(photo.pool_path), sha256=photo.sha256, id=photo.id)
    reason = getattr(event, "reason", None)
    if reason is not None:
        entry["reason"] = reason
    return entry
