"""`tripdesk account set|status|forget [--network x|bluesky|mastodon] [--store …] [--json]`.

For X (the default network), `set` takes the four OAuth 1.0a values from the TRIPDESK_X_*
variables or asks for them with hidden input, checks them with X (GET /2/users/me), keeps them
where `--store` says and turns publishing to X on; `forget` removes them and turns dry-run back
on. The values are never printed, logged or written to the settings file or the database.
Bluesky (handle and app password) and Mastodon (access token) work the same way, from their
TRIPDESK_* variables or hidden input, checked with the network, kept in the OS keyring (or
nowhere, with `--store env`); `set` adds the network to those posts go to and `forget` takes it
away. `status` says, for every network, which credentials are really in use.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from typing import Any

from tripdesk import config as settings
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.errors import TripdeskError
from tripdesk.publish import credentials, logins
from tripdesk.publish.backends import CredentialsRefused, NotCreated, Rejected
from tripdesk.publish.credentials import Credentials


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    conn = open_database(config.database)
    network = getattr(args, "network", "x")
    try:
        if network != "x":
            return _other(args, network, config, conn)
        if args.action == "set":
            return _set(args, config, conn)
        if args.action == "status":
            return _status(args, config, conn)
        removed = credentials.forget(conn, config, by=_who())
        backend = _choose(config, "x", add=False)
        after = (
            "posts are recorded in dry-run"
            if backend == "dry-run"
            else f"posts go to {_names(backend)}"
        )
        sentence = (
            f"The X credentials are forgotten; {after} from now on."
            if removed
            else f"There were no X credentials to forget; {after}."
        )
        return _said(args.json, {"forgotten": removed, "backend": backend}, sentence)
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
    backend = _choose(config, "x", add=True)
    where = {
        "keyring": "in the OS keyring",
        "file": f"encrypted in {config.home / credentials.FILE_NAME}",
        "env": "nowhere: give the TRIPDESK_X_* variables each time",
    }[kept.store]
    return _said(
        args.json,
        {"account": kept.username, "store": kept.store, "backend": backend},
        f"The credentials for @{kept.username} are kept {where}; posts now go to "
        f"{_names(backend)}.",
    )


def _status(args: argparse.Namespace, config: Config, conn: Any) -> int:
    kept = credentials.account(conn)
    if kept is None:
        return _unstored_status(args, config, conn, from_env=credentials.from_env() is not None)
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
        "networks": _others(config, conn),
    }
    lines = [
        f"Account: @{kept.username}",
        f"Set by {kept.set_by} on {kept.set_at.astimezone():%d %b %Y at %H:%M}, {age} days ago; "
        f"kept in {_KEPT_IN[kept.store]}.",
        f"Posts go to: {_names(config.backend)}.",
        *_other_lines(config, conn),
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


def _unstored_status(args: argparse.Namespace, config: Config, conn: Any, *, from_env: bool) -> int:
    """Nothing stored: say what `outbox send` will really do, from the variables and backend."""
    to_x = "x" in config.networks
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
    body = {
        "account": None,
        "from_env": from_env,
        "backend": config.backend,
        "networks": _others(config, conn),
    }
    return _said(args.json, body, "\n".join([sentence, *_other_lines(config, conn)]))


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


# Bluesky and Mastodon ---------------------------------------------------------------------


def _other(args: argparse.Namespace, network: str, config: Config, conn: Any) -> int:
    name = logins.NAMES[network]
    if args.action == "status":
        body = _others(config, conn)[network]
        return _said(args.json, body, _other_line(network, body))
    if args.action == "forget":
        removed = logins.forget(conn, network, by=_who())
        backend = _choose(config, network, add=False)
        said = "are forgotten" if removed else "were not set"
        return _said(
            args.json,
            {"network": network, "forgotten": removed, "backend": backend},
            f"The {name} credentials {said}; posts go to {_names(backend)}.",
        )
    if args.store == "file":
        raise TripdeskError(
            f"The {name} credentials are kept in the OS keyring or given by the environment "
            "each time (`--store env`), not in a file."
        )
    if args.store == "keyring" and credentials.secure_keyring() is None:
        raise TripdeskError(
            f"There is no OS keyring on this computer to keep the {name} credentials safely; run "
            "again with `--store env` and give the variables each time."
        )
    found = logins.from_env(network)
    if found is None:
        if args.store == "env":
            raise TripdeskError(f"`--store env` needs {' and '.join(logins.ENV[network])} set.")
        found = logins.Login(network, tuple(_ask(label) for label in logins.LABELS[network]))
    me = _check_other(found)
    kept = logins.save(conn, found, store=args.store, me=me, set_by=_who())
    backend = _choose(config, network, add=True)
    where = "in the OS keyring" if kept.store == "keyring" else "nowhere: give them each time"
    return _said(
        args.json,
        {"network": network, "account": kept.username, "store": kept.store, "backend": backend},
        f"The {name} credentials for @{kept.username} are kept {where}; posts now go to "
        f"{_names(backend)}.",
    )


def _check_other(found: logins.Login) -> dict[str, str]:
    name = logins.NAMES[found.network]
    try:
        if found.network == "bluesky":
            from tripdesk.publish.bluesky import BlueskyBackend

            return BlueskyBackend(*found.values, pds=logins.bluesky_pds()).me()
        from tripdesk.publish.mastodon import MastodonBackend

        return MastodonBackend(found.values[0], base=logins.mastodon_base()).me()
    except CredentialsRefused:
        raise TripdeskError(
            f"{name} refused these credentials; nothing was stored.", exit_code=1
        ) from None
    except NotCreated:
        raise TripdeskError(
            f"{name} could not be reached to check the credentials; nothing was stored.",
            exit_code=1,
        ) from None
    except Rejected as error:
        raise TripdeskError(f"{name} did not accept the check: {error}", exit_code=1) from None


def _others(config: Config, conn: Any) -> dict[str, dict[str, object]]:
    """For Bluesky and Mastodon: chosen or not, and which credentials are really in use."""
    found: dict[str, dict[str, object]] = {}
    for network in logins.ENV:
        kept = logins.account(conn, network)
        from_env = any(os.environ.get(name, "").strip() for name in logins.ENV[network])
        found[network] = {
            "chosen": network in config.networks,
            "in_use": "environment" if from_env else kept.store if kept else None,
            "account": kept.username if kept else None,
            "set_at": kept.set_at.isoformat() if kept else None,
        }
    return found


def _other_lines(config: Config, conn: Any) -> list[str]:
    return [
        _other_line(network, body)
        for network, body in _others(config, conn).items()
        if body["chosen"] or body["in_use"]
    ]


def _other_line(network: str, body: dict[str, object]) -> str:
    name = logins.NAMES[network]
    used = {
        "environment": f"the {' and '.join(logins.ENV[network])} variables",
        "keyring": f"the OS keyring (@{body['account']})",
        "env": "nothing stored: the variables each time",
        None: "none set",
    }[body["in_use"]]  # type: ignore[index]
    chosen = "posts go there" if body["chosen"] else "posts do not go there"
    extra = " Mastodon cannot switch replies off." if network == "mastodon" else ""
    return f"{name}: credentials from {used}; {chosen}.{extra}"


def _choose(config: Config, network: str, *, add: bool) -> str:
    """Add `network` to (or take it from) `[publish] backend`; the new choice."""
    chosen = [n for n in config.publish.backend.split(",") if n != "dry-run"]
    if add and network not in chosen:
        chosen.append(network)
    if not add:
        chosen = [n for n in chosen if n != network]
    value: object = chosen[0] if len(chosen) == 1 else chosen or "dry-run"
    settings.update(config.home, "publish", {"backend": value})
    return "dry-run" if not chosen else ",".join(chosen)


def _names(backend: str) -> str:
    if backend == "dry-run":
        return "dry-run (nothing is sent)"
    return " and ".join(
        {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}[n] for n in backend.split(",")
    )
