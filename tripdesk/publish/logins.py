"""Bluesky's and Mastodon's credentials: from the environment, or kept in the OS keyring.

Like X's (`credentials`), the values never reach a file, the database, a log or the screen;
the database only remembers which store holds them, for which account, who set them and when.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from tripdesk import audit
from tripdesk.errors import TripdeskError
from tripdesk.publish.credentials import KEYRING_SERVICE, Account, account_of, secure_keyring

ENV = {
    "bluesky": ("TRIPDESK_BLUESKY_HANDLE", "TRIPDESK_BLUESKY_APP_PASSWORD"),
    "mastodon": ("TRIPDESK_MASTODON_TOKEN",),
}
LABELS = {
    "bluesky": ("Bluesky handle (e.g. westwood.bsky.social)", "Bluesky app password"),
    "mastodon": ("Mastodon access token",),
}
NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon"}


@dataclass(frozen=True, repr=False)
class Login:
    """A network's secret values in the order of `ENV[network]`; never shown."""

    network: str
    values: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Login({self.network}, hidden)"


def bluesky_pds() -> str:
    return os.environ.get("TRIPDESK_BLUESKY_PDS") or "https://bsky.social"


def mastodon_base() -> str:
    base = os.environ.get("TRIPDESK_MASTODON_BASE", "").strip()
    if not base:
        raise TripdeskError(
            "Publishing to Mastodon needs the school's instance in TRIPDESK_MASTODON_BASE "
            "(e.g. https://mastodon.social)."
        )
    return base


def from_env(network: str) -> Login | None:
    """The network's variables, or None when none is set; some but not all is an error."""
    names = ENV[network]
    values = [os.environ.get(name, "").strip() for name in names]
    if not any(values):
        return None
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise TripdeskError(f"{', '.join(missing)} must be set too.")
    return Login(network, tuple(values))


def load(conn: sqlite3.Connection, network: str) -> Login | None:
    """The credentials to use now: the environment first, else the keyring."""
    found = from_env(network)
    if found is not None or account(conn, network) is None:
        return found
    backend = secure_keyring()
    if backend is None:
        raise TripdeskError(
            f"The {NAMES[network]} credentials were kept in the OS keyring, which is not "
            "available now."
        )
    raw = backend.get_password(KEYRING_SERVICE, network)  # type: ignore[attr-defined]
    if not raw:
        return None
    try:
        return Login(network, tuple(str(v) for v in json.loads(raw)))
    except (ValueError, TypeError):
        raise TripdeskError(
            f"The stored {NAMES[network]} credentials are damaged; set them again with "
            f"`tripdesk account set --network {network}`."
        ) from None


def save(
    conn: sqlite3.Connection, found: Login, *, store: str, me: dict[str, str], set_by: str
) -> Account:
    """Keep checked credentials in the keyring (or nowhere, for `env`) and remember the account."""
    if store == "keyring":
        backend = secure_keyring()
        if backend is None:
            raise TripdeskError(
                "There is no OS keyring on this computer; use `--store env` and give the "
                "variables each time."
            )
        backend.set_password(KEYRING_SERVICE, found.network, json.dumps(found.values))  # type: ignore[attr-defined]
    kept = Account(
        store=store,  # type: ignore[arg-type]
        username=me.get("username", ""),
        user_id=me.get("id", ""),
        set_by=set_by,
        set_at=datetime.now(UTC),
    )
    conn.execute(
        "INSERT INTO publish_network_account (network, store, username, user_id, set_by, set_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(network) DO UPDATE SET store = excluded.store, "
        "username = excluded.username, user_id = excluded.user_id, set_by = excluded.set_by, "
        "set_at = excluded.set_at",
        (found.network, store, kept.username, kept.user_id, set_by, kept.set_at.isoformat()),
    )
    audit.record(
        conn, "publish.account_set", network=found.network, store=store, username=kept.username
    )
    return kept


def forget(conn: sqlite3.Connection, network: str, *, by: str) -> bool:
    """Remove the network's credentials from the keyring and the record; True if any were kept."""
    had = account(conn, network) is not None
    backend = secure_keyring()
    if backend is not None and backend.get_password(KEYRING_SERVICE, network):  # type: ignore[attr-defined]
        backend.delete_password(KEYRING_SERVICE, network)  # type: ignore[attr-defined]
        had = True
    conn.execute("DELETE FROM publish_network_account WHERE network = ?", (network,))
    if had:
        audit.record(conn, "publish.account_forgotten", network=network, by=by)
    return had


def account(conn: sqlite3.Connection, network: str) -> Account | None:
    row = conn.execute(
        "SELECT store, username, user_id, set_by, set_at FROM publish_network_account "
        "WHERE network = ?",
        (network,),
    ).fetchone()
    return account_of(row) if row is not None else None
