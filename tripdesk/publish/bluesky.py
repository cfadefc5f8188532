"""The Bluesky backend, through the `atproto` SDK: app-password login, photos as blobs, facets,
and two gates on every post: a threadgate so that nobody can reply (the policy's broadcast-only
rule, for real) and a postgate so that nobody can quote it into their own post either (a quote
would carry the pupils' photos into a thread the school cannot switch off).

A post is created with the rkey its delivery chose before the first try, and each gate under the
same rkey (Bluesky ties a gate to its post that way). `publish` first looks for each record:
sending again after a crash or a lost answer finds the post instead of making a second one, and
then only adds the gates that are still missing. The session (access and refresh tokens) is kept
in this process's memory and refreshed by the SDK; it is never written anywhere. A kept session
the PDS no longer accepts is replaced by a fresh login: only a refused login means the
credentials are wrong.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from atproto import Client, models
from atproto_client import exceptions as xrpc
from atproto_client.models.blob_ref import BlobRef
from atproto_client.request import Request
from PIL import Image

from tripdesk.guard.handles import BLUESKY_MENTION
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

POST = "app.bsky.feed.post"
THREADGATE = "app.bsky.feed.threadgate"
POSTGATE = "app.bsky.feed.postgate"
# Each gate, and what it switches off, for the sentence when it could not be created yet.
GATES = {THREADGATE: "replies", POSTGATE: "quoting"}
BLOB_LIMIT = 1_000_000
LONG_SIDE = 2000
ALT_LIMIT = 2000
REFUSED = (
    "Bluesky refused the handle or app password; set them again with "
    "`tripdesk account set --network bluesky`."
)
CHECK = "check the account, then mark it as sent or send it again (that cannot post twice)"
_SESSIONS: dict[tuple[str, str], str] = {}
_SESSIONS_LOCK = threading.Lock()
_SESSION_REFUSED = ("AuthenticationRequired", "ExpiredToken", "InvalidToken")
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")
_TAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d]\w*)")


class BlueskyBackend:
    name = "bluesky"

    def __init__(
        self,
        handle: str,
        app_password: str,
        *,
        pds: str = "https://bsky.social",
        timeout: float = 30.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.handle = handle.lstrip("@")
        self._password = app_password
        self.pds = pds.rstrip("/")
        self._timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._client: Client | None = None
        self._did = ""
        self._on_kept_session = False  # the client runs on a session kept from earlier

    def me(self) -> dict[str, str]:
        """The account the credentials log in to (`id` is its DID)."""
        self._session(fresh=True)
        return {"id": self._did, "username": self.handle}

    def upload(self, photo: Path, mime: str, alt: str) -> Media:
        """One photo as a blob of at most 1,000,000 bytes, with its alt text and aspect ratio."""
        data, mime, (width, height) = fit(photo, mime)
        client = self._session()
        reply = self._call(lambda: client.upload_blob(data), may_have_posted=False)
        blob = reply.blob.model_dump(by_alias=True, mode="json")
        kept = {"blob": blob, "alt": alt[:ALT_LIMIT], "width": width, "height": height}
        # An unused blob is dropped by the PDS after a while: use it again only for an hour.
        return Media(id=json.dumps(kept), expires_at=self._clock() + timedelta(hours=1))

    def publish(self, post: Outgoing) -> Published:
        """Create the post under its own rkey (unless it is there already), then each gate that is
        not there yet: the threadgate (no replies) and the postgate (no quotes)."""
        if post.poll:
            raise Rejected("Bluesky has no polls, so this post was not sent there.")
        client = self._session()
        did = self._did
        uri = f"at://{did}/{POST}/{post.key}"
        if self._record(client, did, POST, post.key) is None:
            record = self._record_of(client, post)
            self._call(
                lambda: client.com.atproto.repo.create_record(
                    models.ComAtprotoRepoCreateRecord.Data(
                        repo=did, collection=POST, rkey=post.key, record=record
                    )
                ),
                may_have_posted=True,
            )
        for collection, switched_off in GATES.items():
            if self._record(client, did, collection, post.key, posted=True) is not None:
                continue
            gate = _gate(collection, uri, client.get_current_time_iso())
            try:
                self._call(
                    lambda c=collection, g=gate: client.com.atproto.repo.create_record(
                        models.ComAtprotoRepoCreateRecord.Data(
                            repo=did, collection=c, rkey=post.key, record=g
                        )
                    ),
                    may_have_posted=True,
                )
            except SendFailure:
                raise OutcomeUnknown(
                    f"The post is on Bluesky, but {switched_off} could not be switched off yet; "
                    "send it again to finish (that cannot post twice)."
                ) from None
        return Published(
            remote_id=uri, url=f"https://bsky.app/profile/{self.handle}/post/{post.key}"
        )

    def remove(self, remote_id: str) -> Removed:
        """Delete both gates, then the post; a post that is not there counts as removed.

        The gates go first, so a takedown interrupted half-way never leaves gates without their
        post behind; deleting a gate that is already gone does nothing, so it counts as removed.
        """
        client = self._session()
        did = self._did
        rkey = remote_id.rsplit("/", 1)[-1]
        there = self._record(client, did, POST, rkey) is not None
        for collection in (*GATES, POST) if there else tuple(GATES):
            self._call(
                lambda c=collection: client.com.atproto.repo.delete_record(
                    models.ComAtprotoRepoDeleteRecord.Data(repo=did, collection=c, rkey=rkey)
                ),
                may_have_posted=False,
            )
        return Removed(already_gone=not there)

    def reachable(self) -> bool:
        return reachable(self.pds)

    def _session(self, *, fresh: bool = False) -> Client:
        """A logged-in client: the session kept in memory when there is one, else a login."""
        if self._client is not None and not fresh:
            return self._client
        client = Client(base_url=self.pds, request=Request(timeout=self._timeout))
        key = (self.pds, self.handle)
        with _SESSIONS_LOCK:
            kept = None if fresh else _SESSIONS.get(key)
        self._on_kept_session = bool(kept and _resumed(client, kept))
        if not self._on_kept_session:
            self._login(client)

        def keep(*_: object) -> None:
            with _SESSIONS_LOCK:
                _SESSIONS[key] = client.export_session_string()

        client.on_session_change(keep)
        keep()
        self._did = client._session.did  # type: ignore[union-attr]
        self._client = client
        return client

    def _login(self, client: Client) -> None:
        self._call(
            lambda: client.login(self.handle, self._password, fetch_bsky_profile=False),
            may_have_posted=False,
        )

    def _authed(self, request: Callable[[], Any]) -> Any:
        """The request, and once more after a fresh login if the PDS no longer accepts the
        session kept from earlier (it forgot or revoked it): that is not refused credentials."""
        try:
            return request()
        except Exception as error:
            client = self._client
            if client is None or not (self._on_kept_session and _session_refused(error)):
                raise
            self._on_kept_session = False
            self._login(client)  # the same client the request uses, now on a new session
        return request()

    def _record(
        self, client: Client, did: str, collection: str, rkey: str, *, posted: bool = False
    ) -> Any:
        """The record, or None when the PDS says there is none."""
        try:
            return self._authed(
                lambda: client.com.atproto.repo.get_record(
                    {"repo": did, "collection": collection, "rkey": rkey}
                )
            )
        except xrpc.BadRequestError as error:
            if _xrpc_error(error) == "RecordNotFound":
                return None
            raise _sorted(error, may_have_posted=posted, now=self._clock()) from None
        except SendFailure:  # the fresh login was refused: already sorted
            raise
        except Exception as error:
            raise _sorted(error, may_have_posted=posted, now=self._clock()) from None

    def _record_of(self, client: Client, post: Outgoing) -> models.AppBskyFeedPost.Record:
        images = []
        for photo in post.photos:
            kept = json.loads(photo.media_id)
            images.append(
                models.AppBskyEmbedImages.Image(
                    alt=kept["alt"],
                    image=BlobRef.model_validate(kept["blob"]),
                    aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(
                        width=kept["width"], height=kept["height"]
                    ),
                )
            )
        return models.AppBskyFeedPost.Record(
            text=post.text,
            created_at=client.get_current_time_iso(),
            facets=facets(post.text, lambda handle: self._did_of(client, handle)) or None,
            embed=models.AppBskyEmbedImages.Main(images=images) if images else None,
            langs=["en"],
        )

    def _did_of(self, client: Client, handle: str) -> str | None:
        try:
            return client.com.atproto.identity.resolve_handle({"handle": handle}).did
        except Exception:  # an unknown handle stays plain text, as the guard already allowed it
            return None

    def _call(self, request: Callable[[], Any], *, may_have_posted: bool) -> Any:
        try:
            return self._authed(request)
        except SendFailure:
            raise
        except Exception as error:
            raise _sorted(error, may_have_posted=may_have_posted, now=self._clock()) from None


def _resumed(client: Client, kept: str) -> bool:
    """Take up a session kept in memory, refreshing it now if due; False if that fails."""
    try:
        client.login(session_string=kept, fetch_bsky_profile=False)
        if client._should_refresh_session():
            client._refresh_and_set_session()
    except Exception:  # an expired or revoked session: log in again with the app password
        return False
    return True


def _gate(collection: str, uri: str, now: str) -> Any:
    """The gate record for the post at `uri`: nobody may reply, or nobody may quote it."""
    if collection == THREADGATE:
        return models.AppBskyFeedThreadgate.Record(post=uri, allow=[], created_at=now)
    return models.AppBskyFeedPostgate.Record(
        post=uri, embedding_rules=[models.AppBskyFeedPostgate.DisableRule()], created_at=now
    )


def _session_refused(error: Exception) -> bool:
    """The PDS refused the session or the login (as opposed to any other failure)."""
    if isinstance(error, xrpc.UnauthorizedError):
        return True
    return isinstance(error, xrpc.BadRequestError) and _xrpc_error(error) in _SESSION_REFUSED


def facets(text: str, did_of: Callable[[str], str | None]) -> list[Any]:
    """Links, hashtags and mentions as facets, with UTF-8 byte offsets as Bluesky counts them."""

    def span(start: int, end: int) -> models.AppBskyRichtextFacet.ByteSlice:
        return models.AppBskyRichtextFacet.ByteSlice(
            byte_start=len(text[:start].encode()), byte_end=len(text[:end].encode())
        )

    found = []
    for match in _LINK.finditer(text):
        feature = models.AppBskyRichtextFacet.Link(uri=match.group(0))
        found.append((match.start(), match.end(), feature))
    for match in _TAG.finditer(text):
        feature = models.AppBskyRichtextFacet.Tag(tag=match.group(1))
        found.append((match.start(), match.end(), feature))
    for match in BLUESKY_MENTION.finditer(text):
        did = did_of(match.group(1))
        if did:
            feature = models.AppBskyRichtextFacet.Mention(did=did)
            found.append((match.start(), match.end(), feature))
    found.sort(key=lambda item: item[0])
    return [
        models.AppBskyRichtextFacet.Main(features=[feature], index=span(start, end))
        for start, end, feature in found
    ]


def fit(photo: Path, mime: str) -> tuple[bytes, str, tuple[int, int]]:
    """The photo's bytes, made smaller (as JPEG, no metadata) until Bluesky takes them."""
    data = photo.read_bytes()
    with Image.open(photo) as image:
        size = image.size
        if len(data) <= BLOB_LIMIT and max(size) <= LONG_SIDE:
            return data, mime, size
        picture = image.convert("RGB")
    picture.thumbnail((LONG_SIDE, LONG_SIDE))
    for quality in (85, 75, 65, 50, 35):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= BLOB_LIMIT:
            return out.getvalue(), "image/jpeg", picture.size
        picture.thumbnail((picture.width * 3 // 4, picture.height * 3 // 4))
    raise Rejected("This photo cannot be made small enough for Bluesky (1 MB).")


def _xrpc_error(error: Exception) -> str:
    content = getattr(getattr(error, "response", None), "content", None)
    return str(getattr(content, "error", "") or "")


def _words(error: Exception) -> str:
    content = getattr(getattr(error, "response", None), "content", None)
    message = getattr(content, "message", None) or getattr(content, "error", None)
    status = getattr(getattr(error, "response", None), "status_code", None)
    return str(message or status or type(error).__name__)


def _sorted(error: Exception, *, may_have_posted: bool, now: datetime) -> SendFailure:
    """An SDK error as one of the outbox's failure kinds."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    if isinstance(error, xrpc.RateLimitExceededError):
        until = error.reset_at or now + timedelta(minutes=5)
        return RateLimited(
            f"Bluesky's rate limit is reached; waiting until {until.astimezone():%H:%M}.",
            until=until,
            daily=False,
        )
    if _session_refused(error):
        return CredentialsRefused(REFUSED, status=status)
    if isinstance(error, xrpc.RequestErrorBase) and error.response is None:
        cause = error.__cause__
        never_sent = isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout)
        if never_sent or not may_have_posted:
            return NotCreated(
                "Bluesky could not be reached.", offline=isinstance(cause, httpx.ConnectError)
            )
        return OutcomeUnknown(f"The connection to Bluesky was lost while publishing; {CHECK}.")
    if status is not None and (status >= 500 or status == 409):
        if status == 503 or not may_have_posted:
            return NotCreated(f"Bluesky had a problem ({status}).", status=status)
        return OutcomeUnknown(f"Bluesky had a problem ({status}) while publishing; {CHECK}.")
    if status is not None:
        return Rejected(f"Bluesky refused this: {_words(error)}", status=status)
    if may_have_posted:
        return OutcomeUnknown(f"Something went wrong while publishing to Bluesky; {CHECK}.")
    return NotCreated(f"Bluesky could not be used ({type(error).__name__}).")
