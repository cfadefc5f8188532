"""The Mastodon backend, through `Mastodon.py`: the school account's token on its instance.

Photos go up with their description and are processed before the post refers to them; a post
is public, in English, and carries its delivery's `Idempotency-Key`, so the instance answers a
repeated request with the status it already made. The instance's own limits are read once and
cached. Mastodon cannot switch replies off.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from mastodon import Mastodon
from mastodon import errors as api

from tripdesk.publish.backends import (
    CredentialsRefused,
    Media,
    NotCreated,
    OutcomeUnknown,
    Outgoing,
    Published,
    RateLimited,
    Rejected,
    Removed,
    SendFailure,
    reachable,
)
from tripdesk.publish.wire import may_have_been_sent

REFUSED = (
    "Mastodon refused the access token; set it again with "
    "`tripdesk account set --network mastodon`."
)
CHECK = "check the account, then mark it as sent or send it again"
DEFAULT_LIMITS = {"max_characters": 500, "characters_reserved_per_url": 23, "max_media": 4}
_LIMITS: dict[str, dict[str, int]] = {}
_LIMITS_LOCK = threading.Lock()


class MastodonBackend:
    name = "mastodon"

    def __init__(
        self,
        token: str,
        *,
        base: str,
        timeout: float = 30.0,
        cache: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        self.api = Mastodon(
            access_token=token,
            api_base_url=self.base,
            request_timeout=timeout,
            ratelimit_method="throw",
            version_check_mode="none",
        )
        self._cache = cache / "mastodon-instance.json" if cache else None
        self._clock = clock or (lambda: datetime.now(UTC))

    def me(self) -> dict[str, str]:
        account = self._call(self.api.account_verify_credentials, may_have_posted=False)
        return {"id": str(account["id"]), "username": str(account["acct"])}

    def limits(self) -> dict[str, int]:
        """The instance's limits for a post, read from it once and then kept."""
        with _LIMITS_LOCK:
            if self.base in _LIMITS:
                return _LIMITS[self.base]
        stored = self._stored_limits()
        if stored is None:
            info = self._call(self.api.instance_v2, may_have_posted=False)
            configuration = info.get("configuration") or {}
            statuses = configuration.get("statuses") or {}
            stored = {
                "max_characters": int(statuses.get("max_characters") or 500),
                "characters_reserved_per_url": int(
                    statuses.get("characters_reserved_per_url") or 23
                ),
                "max_media": int(statuses.get("max_media_attachments") or 4),
            }
            if self._cache is not None:
                self._cache.parent.mkdir(parents=True, exist_ok=True)
                self._cache.write_text(json.dumps({self.base: stored}), encoding="utf-8")
        with _LIMITS_LOCK:
            _LIMITS[self.base] = stored
        return stored

    def upload(self, photo: Path, mime: str, alt: str) -> Media:
        """One photo with its description, processed before the answer comes (synchronous)."""
        media = self._call(
            lambda: self.api.media_post(
                photo.read_bytes(),
                mime_type=mime,
                description=alt or None,
                file_name=photo.name,
                synchronous=True,
            ),
            may_have_posted=False,
        )
        # Media no status uses is deleted by the instance after a day; use it for an hour only.
        return Media(id=str(media["id"]), expires_at=self._clock() + timedelta(hours=1))

    def publish(self, post: Outgoing) -> Published:
        """POST /api/v1/statuses, public, with the delivery's Idempotency-Key."""
        limits = self.limits()
        if len(post.photos) > limits["max_media"]:
            raise Rejected(f"This instance takes at most {limits['max_media']} photos a post.")
        poll = (
            self.api.make_poll(list(post.poll.options), expires_in=post.poll.minutes * 60)
            if post.poll
            else None
        )
        status = self._call(
            lambda: self.api.status_post(
                post.text,
                media_ids=[photo.media_id for photo in post.photos] or None,
                visibility="public",
                language="en",
                idempotency_key=post.key,
                poll=poll,
            ),
            may_have_posted=True,
        )
        remote_id = status.get("id")
        if not remote_id:
            raise OutcomeUnknown(f"Mastodon answered without the new post's id; {CHECK}.")
        return Published(remote_id=str(remote_id), url=status.get("url") or status.get("uri"))

    def remove(self, remote_id: str) -> Removed:
        try:
            self._call(lambda: self.api.status_delete(remote_id), may_have_posted=False)
        except Rejected as error:
            if error.status == 404:
                return Removed(already_gone=True)
            raise
        return Removed()

    def reachable(self) -> bool:
        return reachable(self.base)

    def _stored_limits(self) -> dict[str, int] | None:
        if self._cache is None or not self._cache.exists():
            return None
        try:
            return {k: int(v) for k, v in json.loads(self._cache.read_text())[self.base].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _call(self, request: Callable[[], Any], *, may_have_posted: bool) -> Any:
        try:
            return request()
        except SendFailure:
            raise
        except Exception as error:
            raise self._sorted(error, may_have_posted) from None

    def _sorted(self, error: Exception, may_have_posted: bool) -> SendFailure:
        """A Mastodon.py error as one of the outbox's failure kinds."""
        if isinstance(error, api.MastodonRatelimitError):
            reset = self.api.ratelimit_reset
            until = (
                datetime.fromtimestamp(reset, UTC)
                if reset and reset > self._clock().timestamp()
                else self._clock() + timedelta(minutes=5)
            )
            return RateLimited(
                f"Mastodon's rate limit is reached; waiting until {until.astimezone():%H:%M}.",
                until=until,
                daily=False,
            )
        if isinstance(error, api.MastodonUnauthorizedError):
            return CredentialsRefused(REFUSED, status=401)
        if isinstance(error, api.MastodonNetworkError):
            cause = error.__context__
            sent = not isinstance(cause, requests.RequestException) or may_have_been_sent(cause)
            if not may_have_posted or not sent:
                offline = isinstance(cause, requests.ConnectionError) and not sent
                return NotCreated("Mastodon could not be reached.", offline=offline)
            return OutcomeUnknown(f"The connection to Mastodon was lost while publishing; {CHECK}.")
        status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None
        if isinstance(error, api.MastodonServerError):
            if status == 503 or not may_have_posted:
                return NotCreated(f"Mastodon had a problem ({status}).", status=status)
            return OutcomeUnknown(f"Mastodon had a problem ({status}) while publishing; {CHECK}.")
        if isinstance(error, api.MastodonAPIError):
            said = error.args[3] if len(error.args) > 3 and error.args[3] else error.args[0]
            return Rejected(f"Mastodon refused this: {said}", status=status)
        if may_have_posted:
            return OutcomeUnknown(f"Something went wrong while publishing to Mastodon; {CHECK}.")
        return NotCreated(f"Mastodon could not be used ({type(error).__name__}).")
