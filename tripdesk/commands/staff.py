"""`tripdesk staff add NAME [--pin-stdin]`, `tripdesk staff list [--json]`: who may approve.

A PIN is read from the terminal without echo (twice, to catch a slip), or once from standard
input for scripts; it is never an argument, so it never lands in the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime

from tripdesk import config as settings
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.staff import store as staff


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    if args.action == "add":
        name = staff.clean_name(args.name)
        pin = read_pin(f"PIN for {name}: ", from_stdin=args.pin_stdin, twice=True)
    conn = open_database(config.database)
    try:
        if args.action == "add":
            member = staff.add(conn, name, pin)
            teacher = staff.name_key(config.trip.teacher) == staff.name_key(member.name)
            note = " (the trip's teacher: they cannot approve their own posts)" if teacher else ""
            print(f"{member.name} is on the staff list{note}.")
            return 0
        members = staff.members(conn)
    finally:
        conn.close()
    now = datetime.now(UTC)
    if args.json:
        print(
            json.dumps({"staff": [m.to_dict(now) for m in members]}, indent=2, ensure_ascii=False)
        )
        return 0
    if not members:
        print("No one is on the staff list yet; add a colleague with `tripdesk staff add NAME`.")
    teacher = staff.name_key(config.trip.teacher)
    for member in members:
        notes = []
        if staff.name_key(member.name) == teacher:
            notes.append("the trip's teacher")
        if member.locked(now):
            assert member.locked_until is not None
            notes.append(f"locked out until {member.locked_until.astimezone():%H:%M}")
        print(member.name + (f" ({'; '.join(notes)})" if notes else ""))
    return 0


def read_pin(prompt: str, *, from_stdin: bool, twice: bool = False) -> str:
    """A PIN from standard input (one line) or typed at the terminal without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise TripdeskError("--pin-stdin was given but nothing came on standard input.")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise TripdeskError(
            "There is no terminal to type the PIN at; give it on standard input with --pin-stdin."
        )
    pin = getpass.getpass(prompt)
    if twice and getpass.getpass("The same PIN again: ") != pin:
        raise TripdeskError("The two PINs were not the same; nothing was changed.")
    return pin
