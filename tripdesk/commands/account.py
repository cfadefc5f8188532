"""`tripdesk account set|status|forget [--store keyring|file|env] [--json]`: the X credentials.

`set` takes the four OAuth 1.0a values from the TRIPDESK_X_* variables or asks for them with
hidden input, checks them with X (GET /2/users/me), keeps them where `--store` says and turns
publishing to X on; `forget` removes them and turns dry-run back on. The values are never
printed, logged or written to the settings file or the database.
"""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.publish import credentials
from tripdesk.publish.backends import CredentialsRefused, NotCreated, Rejected
from tripdesk.publish.credentials import Credentials


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    conn = open_database(config.database)
    try:
        if args.action == "set":
            return _set(args, config, conn)
        if args.action == "status":
            return _status(args, config, conn)
        removed = credentials.forget(conn, config, by=_who())
        settings.update(config.home, "publish", {"backend": "dry-run"})
        sentence = (
            "The X credentials are forgotten; posts are recorded in dry-run from now on."
            if removed
            else "There were no X credentials to forget; posts are recorded in dry-run."
        )
        return _said(args.json, {"forgotten": removed, "backend": "dry-run"}, sentence)
    finally:
        conn.close()


def _set(args: argparse.Namespace, config: Config, conn: Any) -> int:
    if args.store == "keyring" and credentials.secure_keyring() is None:
        raise TripdeskError(
            "There is no OS keyring on this computer to keep the X credentials safely; run "
            "again with `--store file` (an encrypted file) or `--store env` (the TRIPDESK_X_* "
            "variables every time)."
        )
    found = credentials.from_env()
    if found is None:
        if args.store == "env":
            raise TripdeskError("`--store env` needs all four TRIPDESK_X_* variables set.")
        found = Credentials(*(_ask(label) for label in credentials.LABELS))
    me = _check(found)
    passphrase = _new_passphrase() if args.store == "file" else None
    kept = credentials.save(
        conn,
        config,
        found,
        store=args.store,
        me=me,
        set_by=_who(),
        passphrase=(lambda: passphrase) if passphrase else None,
    )
    settings.update(config.home, "publish", {"backend": "x"})
    where = {
        "keyring": "in the OS keyring",
        "file": f"encrypted in {config.home / credentials.FILE_NAME}",
        "env": "nowhere: give the TRIPDESK_X_* variables each time",
    }[kept.store]
    return _said(
        args.json,
        {"account": kept.username, "store": kept.store, "backend": "x"},
        f"The credentials for @{kept.username} are kept {where}; posts now go to X.",
    )


def _status(args: argparse.Namespace, config: Config, conn: Any) -> int:
    kept = credentials.account(conn)
    if kept is None:
        return _unstored_status(args, config, from_env=credentials.from_env() is not None)
    limit = config.publish.credentials_max_age_days
    age = kept.age_days()
    body = {
        "account": kept.username,
        "store": kept.store,
        "set_by": kept.set_by,
        "set_at": kept.set_at.isoformat(),
        "age_days": age,
        "too_old": age > limit,
        "backend": config.backend,
    }
    lines = [
        f"Account: @{kept.username}",
        f"Set by {kept.set_by} on {kept.set_at.astimezone():%d %b %Y at %H:%M}, {age} days ago; "
        f"kept in {_KEPT_IN[kept.store]}.",
        f"Posts go to: {'X' if config.backend == 'x' else 'dry-run (nothing is sent)'}.",
    ]
    if age > limit:
        lines.append(
            f"Warning: these credentials are older than {limit} days; renew them if anyone who "
            "knew them has left (tripdesk account set)."
        )
    return _said(args.json, body, "\n".join(lines))


_KEPT_IN = {
    "keyring": "the OS keyring",
    "file": "an encrypted file",
    "env": "no store (the TRIPDESK_X_* variables are read each time)",
}


def _unstored_status(args: argparse.Namespace, config: Config, *, from_env: bool) -> int:
    """Nothing stored: say what `outbox send` will really do, from the variables and backend."""
    to_x = config.backend == "x"
    if from_env:
        sentence = (
            "X credentials come from the TRIPDESK_X_* variables (none are stored); posts go to X."
            if to_x
            else "The TRIPDESK_X_* variables are set, but publishing is dry-run; posts are "
            "recorded, not sent."
        )
    elif to_x:
        sentence = (
            "Publishing to X is chosen but no X credentials are set; run `tripdesk account set` "
            "(posts wait in the outbox until then)."
        )
    else:
        sentence = "No X credentials are set; posts are recorded in dry-run."
    body = {"account": None, "from_env": from_env, "backend": config.backend}
    return _said(args.json, body, sentence)


def _check(found: Credentials) -> dict[str, str]:
    from tripdesk.publish.x import XBackend

    try:
        return XBackend(found, base=credentials.api_base()).me()
    except CredentialsRefused:
        raise TripdeskError(
            "X refused these credentials; nothing was stored.", exit_code=1
        ) from None
    except NotCreated:
        raise TripdeskError(
            "X could not be reached to check the credentials; nothing was stored.", exit_code=1
        ) from None
    except Rejected as error:
        raise TripdeskError(f"X did not accept the check: {error}", exit_code=1) from None


def _ask(label: str) -> str:
    value = getpass.getpass(f"{label}: ").strip()
    if not value:
        raise TripdeskError(f"The {label} must not be empty; nothing was stored.")
    return value


def _new_passphrase() -> str:
    first = getpass.getpass("A passphrase for the encrypted credentials file: ")
    if not first:
        raise TripdeskError("The passphrase must not be empty; nothing was stored.")
    if getpass.getpass("The same passphrase again: ") != first:
        raise TripdeskError("The two passphrases differ; nothing was stored.")
    return first


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _said(as_json: bool, body: dict[str, object], sentence: str) -> int:
    print(json.dumps(body, indent=2) if as_json else sentence)
    return 0
