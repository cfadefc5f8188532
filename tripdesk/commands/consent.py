"""`tripdesk consent import REGISTER.csv [--roster ROSTER.csv] [--json]`: load the MIS export.

The summary names pupils by id and first name only: a surname never appears on screen.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from tripdesk import config
from tripdesk.commands.takedown import live_lines, withdraw
from tripdesk.consent.register import Register
from tripdesk.consent.store import ImportReport, import_register
from tripdesk.desk.accountability import posts_to_take_down
from tripdesk.desk.database import open_database
from tripdesk.desk.register import trip_register


def run(args: argparse.Namespace) -> int:
    if args.action == "withdraw":
        return withdraw(args)
    settings = config.load()
    conn = open_database(settings.database)
    try:
        report = import_register(
            conn, settings, Path(args.register), Path(args.roster) if args.roster else None
        )
        register = trip_register(conn, settings)
        live = (
            posts_to_take_down(conn, settings, pupil_ids=report.lost_consent)
            if report.lost_consent
            else []
        )
    finally:
        conn.close()
    if args.json:
        body = {**as_json(report, register), "takedown": [post.to_dict() for post in live]}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        print("\n".join([describe(report, register), *live_lines(live)]))
    return 0


def _named(ids: tuple[str, ...], register: Register) -> list[dict[str, str]]:
    named = []
    for pupil_id in ids:
        pupil = register.get(pupil_id)
        named.append({"id": pupil_id, "name": pupil.display_name if pupil else ""})
    return named


def _may_appear(register: Register) -> int:
    """How many pupils on the trip may appear in photos today."""
    today = date.today()
    return sum(1 for pupil in register.roster() if pupil.may_appear(today))


def as_json(report: ImportReport, register: Register) -> dict[str, object]:
    return {
        "count": report.count,
        "on_roster": report.on_roster,
        "may_appear": _may_appear(register),
        "lost_consent": _named(report.lost_consent, register),
        "gained_consent": _named(report.gained_consent, register),
        "added": list(report.added),
        "removed": list(report.removed),
        "notes": list(report.notes),
    }


def describe(report: ImportReport, register: Register) -> str:
    lines = [
        f"Imported {report.count} pupil{'s' if report.count != 1 else ''}; "
        f"{report.on_roster} on the trip roster, of whom "
        f"{_may_appear(register)} may appear in photos."
    ]
    for title, ids in (
        ("Lost consent since the last import", report.lost_consent),
        ("Gained consent since the last import", report.gained_consent),
    ):
        if ids:
            names = ", ".join(f"{p['id']} {p['name']}".strip() for p in _named(ids, register))
            lines.append(f"{title}: {names}.")
    if report.removed:
        shown = ", ".join(report.removed[:_SHOWN])
        more = len(report.removed) - _SHOWN
        lines.append(
            f"No longer on the register: {shown}{f' and {more} more' if more > 0 else ''}."
        )
    lines.extend(report.notes)
    return "\n".join(lines)


_SHOWN = 10  # ids listed on screen when a whole register is replaced; --json lists them all
