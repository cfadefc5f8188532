"""The X backend: tweets through tweepy, photos and alt text through X's v2 media endpoints.

tweepy 4.17 has no v2 media upload, so photos go up in our own requests, signed with tweepy's
OAuth 1.0a handler. Every request (tweepy's too) goes through one `ApiSession`, which points it
at `TRIPDESK_X_API_BASE` before it is signed, gives it a timeout, and never reuses a connection:
a stale kept-alive connection would make a refused request look like one that may have posted.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy

from tripdesk.publish.backends import (
    AlreadyPosted,
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
)
from tripdesk.publish.credentials import Credentials
from tripdesk.publish.wire import may_have_been_sent

DEFAULT_TIMEOUT = (5.0, 30.0)
ALT_TEXT_LIMIT = 1000
REFUSED_CREDENTIALS = "The X credentials were refused; set them again with `tripdesk account set`."


def _no_debug(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.INFO


# requests-oauthlib and oauthlib write the signed Authorization header and the signature base
# string (consumer key, access token) to their DEBUG logs; credentials must never reach a log.
# A filter on the very loggers that write them holds even when someone turns DEBUG on.
for _name in (
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth1_session",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
):
    logging.getLogger(_name).addFilter(_no_debug)


class ApiSession(requests.Session):
    """A requests session whose every request goes to one API host, with a timeout."""

    def __init__(self, base: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) address: {base!r}")
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.timeout = timeout
        self.headers["Connection"] = "close"

    def url(self, path: str) -> str:
        return urlunsplit((self.scheme, self.netloc, path, "", ""))

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        # Rewritten before `super()` applies the OAuth signature, so the signature covers the
        # host the request really goes to.
        parts = urlsplit(request.url)
        request.url = urlunsplit((self.scheme, self.netloc, parts.path, parts.query, ""))
        return super().prepare_request(request)

    def request(self, method: str | bytes, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)  # tweepy sets none
        return super().request(method, url, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = super().send(request, **kwargs)
        # The body is read by now; drop the connection instead of pooling it for the next call.
        for adapter in self.adapters.values():
            adapter.close()
        return response


class XBackend:
    """Publishes to X with OAuth 1.0a user context (the school account's own keys)."""

    name = "x"

    def __init__(
        self,
        credentials: Credentials,
        *,
        base: str = "https://api.x.com",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.session = ApiSession(base, timeout)
        self._auth = tweepy.OAuth1UserHandler(
            credentials.consumer_key,
            credentials.consumer_secret,
            credentials.access_token,
            credentials.access_token_secret,
        ).apply_auth()
        self.client = tweepy.Client(
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
        )
        self.client.session = self.session
        self._clock = clock or (lambda: datetime.now(UTC))

    def me(self) -> dict[str, str]:
        """The account the credentials belong to (`id`, `name`, `username`)."""
        try:
            response = self.client.get_me(user_auth=True)
        except tweepy.Unauthorized:
            raise CredentialsRefused(REFUSED_CREDENTIALS, status=401) from None
        except tweepy.HTTPException as error:
            raise Rejected(_tweepy_message(error), status=_status(error)) from None
        except requests.RequestException as error:
            raise NotCreated(f"X could not be reached: {_describe(error)}.", offline=True) from None
        data = response.data
        return {"id": str(data.id), "name": str(data.name), "username": str(data.username)}

    def upload(self, photo: Path, mime: str, alt: str) -> Media:
        """Upload one prepared photo, then its alt text. Neither request can create a post."""
        with photo.open("rb") as handle:
            reply = self._call(
                "/2/media/upload",
                files={"media": (photo.name, handle, mime)},
                data={"media_category": "tweet_image", "media_type": mime},
            )
        data = reply.get("data") if isinstance(reply.get("data"), dict) else reply
        media_id = data.get("id") or data.get("media_id_string")
        if not media_id:
            raise NotCreated("X accepted a photo but gave no media id for it.")
        seconds = data.get("expires_after_secs")
        expires = (
            self._clock() + timedelta(seconds=int(seconds))
            if isinstance(seconds, int | float)
            else None
        )
        if alt:
            self._call(
                "/2/media/metadata",
                json={
                    "id": str(media_id),
                    "metadata": {"alt_text": {"text": alt[:ALT_TEXT_LIMIT]}},
                },
            )
        return Media(id=str(media_id), expires_at=expires)

    def publish(self, post: Outgoing) -> Published:
        """POST /2/tweets through tweepy; from here on a lost answer means an unknown outcome."""
        try:
            response = self.client.create_tweet(
                text=post.text or None,
                media_ids=[p.media_id for p in post.photos] or None,
                poll_options=list(post.poll.options) if post.poll else None,
                poll_duration_minutes=post.poll.minutes if post.poll else None,
                reply_settings=None if post.reply_settings == "everyone" else post.reply_settings,
                user_auth=True,
            )
        except tweepy.TooManyRequests as error:
            raise _rate_limited(error.response.headers, self._clock()) from None
        except tweepy.Unauthorized:
            raise CredentialsRefused(REFUSED_CREDENTIALS, status=401) from None
        except tweepy.Forbidden as error:
            message = _tweepy_message(error)
            if "duplicate" in message.lower():
                raise AlreadyPosted(
                    "X says this was already posted; check the account, then mark it as sent "
                    "or send it again.",
                    status=403,
                ) from None
            raise Rejected(f"X refused this post: {message}", status=403) from None
        except tweepy.TwitterServerError as error:
            raise _server_error(
                _status(error), _tweepy_message(error), may_have_posted=True
            ) from None
        except tweepy.HTTPException as error:
            raise Rejected(
                f"X refused this post: {_tweepy_message(error)}", status=_status(error)
            ) from None
        except requests.RequestException as error:
            raise _connection_error(error, may_have_posted=True) from None
        data = response.data if isinstance(response.data, dict) else {}
        remote_id = data.get("id")
        if not remote_id:
            raise OutcomeUnknown(
                "X answered without the new post's id; check the account, then mark it as sent "
                "or send it again."
            )
        return Published(remote_id=str(remote_id), url=f"https://x.com/i/status/{remote_id}")

    def remove(self, remote_id: str) -> Removed:
        """DELETE /2/tweets/:id through tweepy; a post X no longer has counts as removed."""
        try:
            response = self.client.delete_tweet(remote_id, user_auth=True)
        except tweepy.NotFound:
            return Removed(already_gone=True)
        except tweepy.TooManyRequests as error:
            raise _rate_limited(error.response.headers, self._clock()) from None
        except tweepy.Unauthorized:
            raise CredentialsRefused(REFUSED_CREDENTIALS, status=401) from None
        except tweepy.TwitterServerError as error:
            raise NotCreated(
                f"X had a problem ({_status(error)}): {_tweepy_message(error)}",
                status=_status(error),
            ) from None
        except tweepy.HTTPException as error:
            raise Rejected(
                f"X refused to delete it: {_tweepy_message(error)}", status=_status(error)
            ) from None
        except requests.RequestException as error:
            raise _connection_error(error, may_have_posted=False) from None
        data = response.data if isinstance(response.data, dict) else {}
        if data.get("deleted") is False:
            raise Rejected("X answered that the post was not deleted.")
        return Removed()

    def reachable(self) -> bool:
        """A TCP connection to the API host: cheap, and it posts nothing."""
        try:
            with socket.create_connection((self.session.host, self.session.port), timeout=3):
                return True
        except OSError:
            return False

    def _call(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """One signed POST to a media endpoint, its failures sorted as for a photo upload."""
        try:
            response = self.session.post(self.session.url(path), auth=self._auth, **kwargs)
        except requests.RequestException as error:
            raise _connection_error(error, may_have_posted=False) from None
        status = response.status_code
        if status == 429:
            raise _rate_limited(response.headers, self._clock())
        if status == 401:
            raise CredentialsRefused(REFUSED_CREDENTIALS, status=401)
        if status >= 500:
            raise _server_error(status, _x_message(response), may_have_posted=False)
        if not 200 <= status < 300:
            raise Rejected(f"X refused a photo: {_x_message(response)}", status=status)
        try:
            body = response.json()
        except ValueError:
            raise NotCreated(f"X answered {status} with something that is not JSON.") from None
        return body if isinstance(body, dict) else {}


def _server_error(status: int | None, message: str, *, may_have_posted: bool) -> SendFailure:
    # 503 means X turned the request away before handling it; after a 500, 502 or 504 to
    # POST /2/tweets nobody can say whether the post was created.
    if status == 503 or not may_have_posted:
        return NotCreated(f"X had a problem ({status}): {message}", status=status)
    return OutcomeUnknown(
        f"X had a problem ({status}) while publishing this; check the account, then mark it as "
        "sent or send it again.",
        status=status,
    )


def _connection_error(error: requests.RequestException, *, may_have_posted: bool) -> SendFailure:
    if not may_have_posted or not may_have_been_sent(error):
        offline = isinstance(error, requests.ConnectionError)
        return NotCreated(f"X could not be reached: {_describe(error)}.", offline=offline)
    return OutcomeUnknown(
        "The connection to X was lost while it was publishing this; check the account, then "
        "mark it as sent or send it again."
    )


def _describe(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "the connection timed out"
    if isinstance(error, requests.ConnectionError):
        return "no connection"
    return type(error).__name__


def _rate_limited(headers: Any, now: datetime) -> RateLimited:
    """Wait for the latest reset that applies: the 24-hour cap when it is used up."""
    daily_resets = [
        _epoch(headers.get(f"x-{who}-limit-24hour-reset"))
        for who in ("user", "app")
        if str(headers.get(f"x-{who}-limit-24hour-remaining", "")).strip() == "0"
    ]
    daily = [reset for reset in daily_resets if reset is not None]
    window = _epoch(headers.get("x-rate-limit-reset"))
    if daily:
        until = max(daily)
        return RateLimited(
            f"X's daily limit of posts is reached; waiting until {_clock_time(until)}.",
            until=until,
            daily=True,
        )
    until = window if window is not None and window > now else now + timedelta(minutes=15)
    return RateLimited(
        f"X's rate limit is reached; waiting until {_clock_time(until)}.", until=until, daily=False
    )


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value).strip()), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _clock_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M on %d %b")


def _status(error: tweepy.HTTPException) -> int | None:
    return getattr(error.response, "status_code", None)


def _tweepy_message(error: tweepy.HTTPException) -> str:
    if error.api_messages:
        return "; ".join(str(m) for m in error.api_messages)
    return f"{_status(error)} {getattr(error.response, 'reason', '')}".strip()


def _x_message(response: requests.Response) -> str:
    """X's own words from an error body: `detail`, an error's `message`, or the status line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            return body["detail"]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = errors[0].get("message") or errors[0].get("detail")
            if isinstance(message, str):
                return message
        if isinstance(body.get("title"), str):
            return body["title"]
    return f"{response.status_code} {response.reason}"
