"""The school account's four OAuth 1.0a values: kept in the OS keyring, never anywhere readable.

Where they live (keyring, an encrypted file, or only the TRIPDESK_X_* environment variables)
and who set them when is remembered in the database; the values themselves never are. The
policy changes the password when key staff leave, so the age of the credentials is shown.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from tripdesk import audit
from tripdesk.config import Config
from tripdesk.errors import TripdeskError

Store = Literal["keyring", "file", "env"]
KEYRING_SERVICE = "tripdesk"
KEYRING_USER = "x-oauth1"
FILE_NAME = "x-credentials.enc"
ENV_NAMES = (
    "TRIPDESK_X_CONSUMER_KEY",
    "TRIPDESK_X_CONSUMER_SECRET",
    "TRIPDESK_X_ACCESS_TOKEN",
    "TRIPDESK_X_ACCESS_TOKEN_SECRET",
)
LABELS = ("API key (consumer key)", "API key secret", "Access token", "Access token secret")
SCRYPT_N = 2**15


@dataclass(frozen=True, repr=False)
class Credentials:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str

    def __repr__(self) -> str:
        return "Credentials(hidden)"

    def values(self) -> tuple[str, str, str, str]:
        return (
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        )


@dataclass(frozen=True)
class Account:
    """What tripdesk may remember about the credentials: never the values."""

    store: Store
    username: str
    user_id: str
    set_by: str
    set_at: datetime

    def age_days(self, now: datetime | None = None) -> int:
        return ((now or datetime.now(UTC)) - self.set_at).days


def api_base() -> str:
    return os.environ.get("TRIPDESK_X_API_BASE") or "https://api.x.com"


def from_env() -> Credentials | None:
    """All four TRIPDESK_X_* variables, or None when none is set; some but not all is an error."""
    values = [os.environ.get(name, "").strip() for name in ENV_NAMES]
    if not any(values):
        return None
    missing = [name for name, value in zip(ENV_NAMES, values, strict=True) if not value]
    if missing:
        raise TripdeskError(f"{', '.join(missing)} must be set too (all four TRIPDESK_X_* values).")
    return Credentials(*values)


def secure_keyring() -> object | None:
    """The OS keyring, or None when there is none that keeps secrets safe.

    keyring's fail/null backends keep nothing, and the keyrings.alt backends write plain text
    or ask for a password on the terminal, so none of them counts. When keyring chains several
    backends, the first safe one in the chain is used directly.
    """
    import keyring
    from keyring.backends.chainer import ChainerBackend

    chosen = keyring.get_keyring()
    candidates = chosen.backends if isinstance(chosen, ChainerBackend) else [chosen]
    for candidate in candidates:
        module = type(candidate).__module__
        if getattr(candidate, "priority", 0) > 0 and not module.startswith("keyrings.alt"):
            return candidate
    return None


def load(
    conn: sqlite3.Connection, config: Config, *, passphrase: Callable[[], str] | None = None
) -> Credentials | None:
    """The credentials to use now: the environment first, else the store `account set` chose."""
    found = from_env()
    if found is not None:
        return found
    current = account(conn)
    if current is None or current.store == "env":
        return None
    if current.store == "keyring":
        backend = secure_keyring()
        if backend is None:
            raise TripdeskError(
                "The X credentials were kept in the OS keyring, which is not available now."
            )
        raw = backend.get_password(KEYRING_SERVICE, KEYRING_USER)  # type: ignore[attr-defined]
        return _decode(raw) if raw else None
    return _read_file(config.home / FILE_NAME, passphrase)


def save(
    conn: sqlite3.Connection,
    config: Config,
    found: Credentials,
    *,
    store: Store,
    me: dict[str, str],
    set_by: str,
    passphrase: Callable[[], str] | None = None,
    now: datetime | None = None,
) -> Account:
    """Keep checked credentials in `store` and remember who set them and when."""
    if store == "keyring":
        backend = secure_keyring()
        if backend is None:
            raise TripdeskError(
                "There is no OS keyring on this computer; use `--store file` for an encrypted "
                "file, or `--store env` to give the TRIPDESK_X_* variables each time."
            )
        backend.set_password(KEYRING_SERVICE, KEYRING_USER, _encode(found))  # type: ignore[attr-defined]
    elif store == "file":
        if passphrase is None:
            raise TripdeskError("An encrypted credentials file needs a passphrase.")
        _write_file(config.home / FILE_NAME, found, passphrase())
    _forget_values(config, keep=store)
    kept = Account(
        store=store,
        username=me.get("username", ""),
        user_id=me.get("id", ""),
        set_by=set_by,
        set_at=now or datetime.now(UTC),
    )
    conn.execute(
        "INSERT INTO publish_account (slot, store, username, user_id, set_by, set_at) "
        "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(slot) DO UPDATE SET store = excluded.store, "
        "username = excluded.username, user_id = excluded.user_id, set_by = excluded.set_by, "
        "set_at = excluded.set_at",
        (kept.store, kept.username, kept.user_id, kept.set_by, kept.set_at.isoformat()),
    )
    audit.record(conn, "publish.account_set", store=store, username=kept.username, set_by=set_by)
    return kept


def forget(conn: sqlite3.Connection, config: Config, *, by: str) -> bool:
    """Remove the credentials from every store tripdesk uses; True if there was anything."""
    had = account(conn) is not None
    removed = _forget_values(config, keep=None)
    conn.execute("DELETE FROM publish_account")
    if had or removed:
        audit.record(conn, "publish.account_forgotten", by=by)
    return had or removed


def account(conn: sqlite3.Connection) -> Account | None:
    row = conn.execute(
        "SELECT store, username, user_id, set_by, set_at FROM publish_account WHERE slot = 1"
    ).fetchone()
    return account_of(row) if row is not None else None


def account_of(row: sqlite3.Row) -> Account:
    """An account as a row of either accounts table has it."""
    return Account(
        store=row["store"],
        username=row["username"],
        user_id=row["user_id"],
        set_by=row["set_by"],
        set_at=datetime.fromisoformat(row["set_at"]),
    )


def _forget_values(config: Config, *, keep: Store | None) -> bool:
    """Delete the values from the stores other than `keep`, so only one copy ever exists."""
    removed = False
    if keep != "keyring":
        backend = secure_keyring()
        if backend is not None and backend.get_password(KEYRING_SERVICE, KEYRING_USER):  # type: ignore[attr-defined]
            backend.delete_password(KEYRING_SERVICE, KEYRING_USER)  # type: ignore[attr-defined]
            removed = True
    path = config.home / FILE_NAME
    if keep != "file" and path.exists():
        path.unlink()
        removed = True
    return removed


def _encode(found: Credentials) -> str:
    return json.dumps(dict(zip(ENV_NAMES, found.values(), strict=True)))


def _decode(raw: str | bytes) -> Credentials:
    try:
        values = json.loads(raw)
        return Credentials(*(str(values[name]) for name in ENV_NAMES))
    except (ValueError, KeyError, TypeError):
        raise TripdeskError(
            "The stored X credentials are damaged; set them again with `tripdesk account set`."
        ) from None


def _fernet(passphrase: str, salt: bytes) -> object:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    key = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(passphrase.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _write_file(path: Path, found: Credentials, passphrase: str) -> None:
    if not passphrase:
        raise TripdeskError("The passphrase for the credentials file must not be empty.")
    salt = os.urandom(16)
    token = _fernet(passphrase, salt).encrypt(_encode(found).encode("utf-8"))  # type: ignore[attr-defined]
    body = json.dumps(
        {
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "salt": base64.b64encode(salt).decode(),
            "token": token.decode(),
        }
    )
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.replace(tmp, path)


def _read_file(path: Path, passphrase: Callable[[], str] | None) -> Credentials:
    from cryptography.fernet import InvalidToken

    if not path.exists():
        raise TripdeskError(
            f"The X credentials file {path} is missing; set them again with `tripdesk account set`."
        )
    if passphrase is None:
        raise TripdeskError(
            "The X credentials are in an encrypted file and need their passphrase to be used."
        )
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        salt = base64.b64decode(stored["salt"])
        token = stored["token"].encode("ascii")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise TripdeskError(f"The X credentials file {path} is damaged.") from None
    try:
        raw = _fernet(passphrase(), salt).decrypt(token)  # type: ignore[attr-defined]
    except InvalidToken:
        raise TripdeskError("That passphrase does not open the X credentials file.") from None
    return _decode(raw)
