"""A stand-in for the X API v2 on 127.0.0.1: a real HTTP server in a thread, for tests.

It answers `POST /2/tweets`, `DELETE /2/tweets/:id`, `POST /2/media/upload`,
`POST /2/media/metadata` and `GET /2/users/me`, checks the OAuth 1.0a HMAC-SHA1 signature of
every request with oauthlib, keeps what it created (and every uploaded byte), and can be told
to misbehave:

    with XStandIn() as x:
        x.fail_next("503", times=2)          # next two POST /2/tweets answer 503
        x.fail_next("drop-after")            # creates the post, then cuts the connection
        ... x.base_url, x.created, x.media

Faults: 429, 429-daily, 500, 503, 401, 403, 403-duplicate, slow, drop-before, drop-after. A
fault applies to `POST /2/tweets` unless `endpoint=` names another path (`/2/tweets/:id` for
every deletion).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from loopback import Loopback
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils

CONSUMER_KEY = "ck-standin-4f1d2c"
CONSUMER_SECRET = "cs-standin-secret-9b7e61a0"
ACCESS_TOKEN = "12345-at-standin-7c3a"
ACCESS_TOKEN_SECRET = "ats-standin-secret-e28d5f"
CREDENTIALS = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
ENV = dict(
    zip(
        (
            "TRIPDESK_X_CONSUMER_KEY",
            "TRIPDESK_X_CONSUMER_SECRET",
            "TRIPDESK_X_ACCESS_TOKEN",
            "TRIPDESK_X_ACCESS_TOKEN_SECRET",
        ),
        CREDENTIALS,
        strict=True,
    )
)
_SIGNER = Client(
    CONSUMER_KEY, client_secret=CONSUMER_SECRET, resource_owner_secret=ACCESS_TOKEN_SECRET
)
FAULTS = (
    "429",
    "429-daily",
    "500",
    "503",
    "401",
    "403",
    "403-duplicate",
    "slow",
    "drop-before",
    "drop-after",
)


@dataclass
class Created:
    id: str
    text: str | None
    media_ids: list[str]
    poll: dict[str, Any] | None
    reply_settings: str | None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list[Created] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    alt_texts: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bad_signatures: list[str] = field(default_factory=list)
    faults: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    nonces: set[str] = field(default_factory=set)
    next_id: int = 1_800_000_000_000_000_000
    delay: float = 0.0
    slow_seconds: float = 2.0
    media_expires_after: int = 86_400
    reset_in: int = 60


class XStandIn(Loopback):
    """The server; use it as a context manager. Credentials are the module's constants."""

    def __init__(self, port: int = 0) -> None:
        self.state = _State()
        state = self.state

        class Handler(_Handler):
            pass

        Handler.state = state
        self.serve(Handler, port)

    @property
    def created(self) -> list[Created]:
        with self.state.lock:
            return list(self.state.created)

    @property
    def deleted(self) -> list[str]:
        """Ids of the posts deleted, in order (each also leaves `created`)."""
        with self.state.lock:
            return list(self.state.deleted)

    @property
    def media(self) -> dict[str, bytes]:
        with self.state.lock:
            return dict(self.state.media)

    @property
    def alt_texts(self) -> dict[str, str]:
        with self.state.lock:
            return dict(self.state.alt_texts)

    @property
    def requests(self) -> list[tuple[str, str]]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def bad_signatures(self) -> list[str]:
        with self.state.lock:
            return list(self.state.bad_signatures)

    def fail_next(self, kind: str, times: int = 1, *, endpoint: str = "/2/tweets") -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        with self.state.lock:
            self.state.faults[endpoint].extend([kind] * times)

    def set_delay(self, seconds: float) -> None:
        """Answer every request this much later (widens the windows a crash can hit)."""
        self.state.delay = seconds


class _Handler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        state = self.state
        route_of_faults = "/2/tweets/:id" if path.startswith("/2/tweets/") else path
        with state.lock:
            state.requests.append((method, path))
            queued = state.faults[route_of_faults]
            fault = queued.popleft() if queued else None
        if state.delay:
            time.sleep(state.delay)
        if not self._signed(method, body):
            self._reply(401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
            return
        if fault == "drop-before":
            self._drop()
            return
        if fault and fault not in ("slow", "drop-after"):
            self._fault(fault)
            return
        route = (method, path)
        if route == ("GET", "/2/users/me"):
            answer = (200, {"data": {"id": "99", "name": "Westwood", "username": "WestwoodSch"}})
        elif route == ("POST", "/2/media/upload"):
            answer = self._upload(body)
        elif route == ("POST", "/2/media/metadata"):
            answer = self._metadata(body)
        elif route == ("POST", "/2/tweets"):
            answer = self._tweet(body)
        elif method == "DELETE" and path.startswith("/2/tweets/"):
            answer = self._delete(path.rsplit("/", 1)[1])
        else:
            answer = (404, {"title": "Not Found", "status": 404, "detail": f"no {method} {path}"})
        if fault == "slow":
            time.sleep(state.slow_seconds)
        if fault == "drop-after":
            self._drop()
            return
        self._reply(*answer)

    def _signed(self, method: str, body: bytes) -> bool:
        """Check the OAuth 1.0a signature as X would: HMAC-SHA1 over the URL we were called at."""
        header = self.headers.get("Authorization", "")
        uri = f"http://{self.headers.get('Host')}{self.path}"
        try:
            oauth = dict(utils.parse_authorization_header(header))
            form = self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"
            )
            params = signature.collect_parameters(
                uri_query=urlsplit(self.path).query,
                body=body.decode("utf-8") if form else None,
                headers={"Authorization": header},
                exclude_oauth_signature=True,
            )
            base = signature.signature_base_string(
                method, signature.base_string_uri(uri), signature.normalize_parameters(params)
            )
            expected = signature.sign_hmac_sha1_with_client(base, _SIGNER)
            nonce = oauth["oauth_nonce"]
            good = (
                oauth.get("oauth_consumer_key") == CONSUMER_KEY
                and oauth.get("oauth_token") == ACCESS_TOKEN
                and oauth.get("oauth_signature_method") == "HMAC-SHA1"
                and abs(int(oauth["oauth_timestamp"]) - time.time()) < 600
                and utils.unescape(oauth["oauth_signature"]) == expected
            )
            with self.state.lock:
                good = good and nonce not in self.state.nonces
                self.state.nonces.add(nonce)
        except (KeyError, ValueError):
            good = False
        if not good:
            with self.state.lock:
                self.state.bad_signatures.append(self.path)
        return good

    def _upload(self, body: bytes) -> tuple[int, dict[str, Any]]:
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode() + body
        )
        fields = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()
        }
        if fields.get("media_category") != b"tweet_image" or not fields.get("media"):
            return 400, {"title": "Invalid Request", "status": 400, "detail": "bad media upload"}
        with self.state.lock:
            self.state.next_id += 1
            media_id = str(self.state.next_id)
            self.state.media[media_id] = fields["media"]
        return 200, {
            "data": {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(fields["media"]),
                "expires_after_secs": self.state.media_expires_after,
                "image": {"image_type": fields.get("media_type", b"").decode()},
            }
        }

    def _metadata(self, body: bytes) -> tuple[int, dict[str, Any]]:
        data = json.loads(body)
        media_id = data["id"]
        with self.state.lock:
            if media_id not in self.state.media:
                return 400, {"title": "Invalid Request", "status": 400, "detail": "no such media"}
            self.state.alt_texts[media_id] = data["metadata"]["alt_text"]["text"]
        return 200, {"data": {"associated_metadata": True, "id": media_id}}

    def _tweet(self, body: bytes) -> tuple[int, dict[str, Any]]:
        data = json.loads(body)
        media_ids = data.get("media", {}).get("media_ids", [])
        with self.state.lock:
            if any(m not in self.state.media for m in media_ids):
                return 400, {"title": "Invalid Request", "status": 400, "detail": "bad media id"}
            self.state.next_id += 1
            tweet = Created(
                id=str(self.state.next_id),
                text=data.get("text"),
                media_ids=list(media_ids),
                poll=data.get("poll"),
                reply_settings=data.get("reply_settings"),
            )
            self.state.created.append(tweet)
        return 201, {"data": {"id": tweet.id, "text": tweet.text or ""}}

    def _delete(self, tweet_id: str) -> tuple[int, dict[str, Any]]:
        with self.state.lock:
            kept = [t for t in self.state.created if t.id != tweet_id]
            if len(kept) == len(self.state.created):
                return 404, {"title": "Not Found Error", "status": 404, "detail": "Not Found"}
            self.state.created[:] = kept
            self.state.deleted.append(tweet_id)
        return 200, {"data": {"deleted": True}}

    def _fault(self, fault: str) -> None:
        now = int(time.time())
        if fault == "429":
            self._reply(
                429,
                {"title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"},
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(now + self.state.reset_in),
                },
            )
        elif fault == "429-daily":
            self._reply(
                429,
                {"title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"},
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "99",
                    "x-rate-limit-reset": str(now + 900),
                    "x-user-limit-24hour-limit": "17",
                    "x-user-limit-24hour-remaining": "0",
                    "x-user-limit-24hour-reset": str(now + 86_000),
                },
            )
        elif fault == "401":
            self._reply(401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
        elif fault == "403":
            self._reply(
                403,
                {
                    "title": "Forbidden",
                    "status": 403,
                    "detail": "You are not permitted to perform this action.",
                },
            )
        elif fault == "403-duplicate":
            self._reply(
                403,
                {
                    "title": "Forbidden",
                    "status": 403,
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                },
            )
        else:
            status = int(fault)
            self._reply(status, {"title": "Server Error", "status": status, "detail": "Oops"})

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _reply(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if self.close_connection:
            self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)
