"""Where posts go: one small interface, so the outbox never knows which service it talks to.

A backend uploads photos, publishes a post, removes one it published (a takedown) and says
whether its service looks reachable. When something goes wrong it raises one of the
`SendFailure` kinds below, each named after what the outbox may safely do next; that sorting
is the backend's job because only it knows whether a failed request could still have created
the post.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from tripdesk.config import Config
from tripdesk.draft import Poll
from tripdesk.errors import TripdeskError

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable


@dataclass(frozen=True)
class Media:
    """An uploaded photo: the service's id for it, and when that id stops being usable."""

    id: str
    expires_at: datetime | None


@dataclass(frozen=True)
class OutgoingPhoto:
    path: Path
    mime: str
    alt: str
    media_id: str


@dataclass(frozen=True)
class Outgoing:
    """Everything a backend needs to publish one outbox post, photos already uploaded."""

    outbox_id: int
    text: str
    photos: tuple[OutgoingPhoto, ...]
    poll: Poll | None
    reply_settings: str
    key: str = ""  # chosen before the first try, the same on every retry (rkey, Idempotency-Key)
    # In dry-run: the text each network the rehearsal stands in for would get.
    versions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str | None


@dataclass(frozen=True)
class Removed:
    """A post is off the network; `already_gone` when the network said it was not there."""

    already_gone: bool = False


class SendFailure(Exception):
    """A backend could not do what was asked; the subclass says what the outbox may do next."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotCreated(SendFailure):
    """Certainly nothing was created: safe to try again later. `offline` when no connection."""

    def __init__(self, message: str, *, status: int | None = None, offline: bool = False) -> None:
        super().__init__(message, status=status)
        self.offline = offline


class RateLimited(SendFailure):
    """The service refused for now and said until when; `daily` when it is the 24-hour cap."""

    def __init__(self, message: str, *, until: datetime, daily: bool) -> None:
        super().__init__(message, status=429)
        self.until = until
        self.daily = daily


class CredentialsRefused(SendFailure):
    """The service refused the credentials: every send must stop until they are fixed."""


class AlreadyPosted(SendFailure):
    """The service says the same post already exists: perhaps ours, perhaps not."""


class Rejected(SendFailure):
    """The service refused this post for a reason of its own; sending it again will not help."""


class OutcomeUnknown(SendFailure):
    """The request may have reached the service, and no answer came back."""


class Backend(Protocol):
    name: str

    def upload(self, photo: Path, mime: str, alt: str) -> Media: ...

    def publish(self, post: Outgoing) -> Published: ...

    def remove(self, remote_id: str) -> Removed: ...

    def reachable(self) -> bool: ...


class DryRunBackend:
    """Does everything but the network: the teacher sees exactly what would have gone out.

    Each post gets a folder `TRIPDESK_HOME/dry-run/<outbox id>/` with the text, the prepared
    photos (the very bytes X would have received) and their alt texts, and beside them the text
    each network the rehearsal stands in for would get (`x.txt`, `bluesky.txt`, ...).
    """

    name = "dry-run"

    def __init__(self, home: Path) -> None:
        self.folder = home / "dry-run"

    def upload(self, photo: Path, mime: str, alt: str) -> Media:
        return Media(id=f"dry-run-{photo.stem}", expires_at=None)

    def publish(self, post: Outgoing) -> Published:
        try:
            return self._write_preview(post)
        except OSError as error:
            raise NotCreated(
                f"The dry-run preview could not be written: {error.strerror or error}."
            ) from None

    def _write_preview(self, post: Outgoing) -> Published:
        target = self.folder / str(post.outbox_id)
        staging = self.folder / f".{post.outbox_id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / "post.txt").write_text(post.text + "\n", encoding="utf-8")
        for network, text in post.versions:
            (staging / f"{network}.txt").write_text(text + "\n", encoding="utf-8")
        photos = []
        for number, photo in enumerate(post.photos, start=1):
            name = f"photo-{number}{photo.path.suffix}"
            shutil.copyfile(photo.path, staging / name)
            (staging / f"photo-{number}.alt.txt").write_text(photo.alt + "\n", encoding="utf-8")
            photos.append({"file": name, "mime": photo.mime, "alt": photo.alt})
        manifest = {
            "outbox_id": post.outbox_id,
            "text": post.text,
            "networks": dict(post.versions),
            "reply_settings": post.reply_settings,
            "photos": photos,
            "poll": post.poll.to_dict() if post.poll else None,
        }
        (staging / "post.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        return Published(remote_id=f"dry-run-{post.outbox_id}", url=str(target))

    def remove(self, remote_id: str) -> Removed:
        """Delete the preview folder, as a network would delete the post."""
        target = self.folder / remote_id.removeprefix("dry-run-")
        if not target.is_dir():
            return Removed(already_gone=True)
        try:
            shutil.rmtree(target)
        except OSError as error:
            raise NotCreated(f"The dry-run preview could not be removed: {error}.") from None
        return Removed()

    def reachable(self) -> bool:
        return True


NETWORKS = ("x", "bluesky", "mastodon")


def reachable(base: str) -> bool:
    """A TCP connection to the service's host: cheap, and it posts nothing."""
    parts = urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=3):
            return True
    except OSError:
        return False


def chosen_networks(config: Config) -> tuple[str, ...]:
    """The networks a new post goes to: `("dry-run",)`, or one or more of `NETWORKS`."""
    return config.networks


def new_key(network: str) -> str:
    """The key a delivery keeps across retries: a TID for Bluesky's rkey, else a random token."""
    return tid() if network == "bluesky" else secrets.token_hex(16)


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid() -> str:
    """An AT Protocol record key: microseconds since 1970 and a random clock id, base32-sortable."""
    value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def make_backend(
    config: Config,
    *,
    conn: sqlite3.Connection,
    network: str | None = None,
    passphrase: Callable[[], str] | None = None,
) -> Backend:
    """The backend for `network` (default: the first network the settings choose).

    A network without credentials is refused in one sentence, never a silent dry-run instead:
    a teacher who chose X and sees "sent" must be able to trust that it went to X; the posts
    wait in the outbox. `passphrase` unlocks credentials kept in an encrypted file; `conn` is
    where tripdesk remembers which store holds them.
    """
    network = network or chosen_networks(config)[0]
    if network == "dry-run":
        return DryRunBackend(config.home)
    from tripdesk.publish import credentials

    if network == "x":
        found = credentials.load(conn, config, passphrase=passphrase)
        if found is None:
            raise TripdeskError(
                "Publishing to X is chosen but no X credentials are set: run `tripdesk account "
                "set` (or choose dry-run); the posts wait in the outbox."
            )
        from tripdesk.publish.x import XBackend

        return XBackend(found, base=credentials.api_base())
    from tripdesk.publish import logins

    found = logins.load(conn, network) if network in logins.ENV else None
    if found is None:
        name = logins.NAMES.get(network, network)
        raise TripdeskError(
            f"Publishing to {name} is chosen but no {name} credentials are set: run `tripdesk "
            f"account set --network {network}`; the posts wait in the outbox."
        )
    if network == "bluesky":
        from tripdesk.publish.bluesky import BlueskyBackend

        return BlueskyBackend(*found.values, pds=logins.bluesky_pds())
    from tripdesk.publish.mastodon import MastodonBackend

    return MastodonBackend(
        found.values[0], base=logins.mastodon_base(), cache=config.cache("networks")
    )
