"""Stand-ins for Bluesky (XRPC) and Mastodon on 127.0.0.1, for the SDKs to talk to unchanged.

Each is a real HTTP server in a thread that checks credentials, keeps what it created and can
be told to misbehave on one route: `fail_next("503", route=...)`. Faults: 401, 429, 500, 502,
503, slow (done, then the answer late), stall (nothing done for a while, then the connection
cut: a sender killed meanwhile never got its request through), drop-before (cut before anything
is done), drop-after (done, then the answer cut). On Bluesky a route can name the collection a
record request is about, to hit one record kind only:

    with BlueskyStandIn() as bsky, MastodonStandIn() as masto:
        bsky.fail_next("drop-after", route="com.atproto.repo.createRecord")
        bsky.fail_next("drop-after", route="com.atproto.repo.createRecord:app.bsky.feed.postgate")
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import threading
import time
from collections import defaultdict, deque
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback import Loopback

BSKY_HANDLE = "westwood.bsky.social"
BSKY_PASSWORD = "abcd-efgh-ijkl-mnop"
BSKY_DID = "did:plc:westwoodprimary00000000"
PARTNER_HANDLE = "nhm.bsky.social"
PARTNER_DID = "did:plc:naturalhistorymuseum0000"
MASTODON_TOKEN = "masto-token-5c1e9b2f7a"
FAULTS = ("401", "429", "500", "502", "503", "slow", "stall", "drop-before", "drop-after")
POST = "app.bsky.feed.post"
THREADGATE = "app.bsky.feed.threadgate"
POSTGATE = "app.bsky.feed.postgate"
DISABLE_RULE = "app.bsky.feed.postgate#disableRule"


class StandIn(Loopback):
    """The server machinery both stand-ins share: faults, delay, a request log."""

    def __init__(self, port: int = 0) -> None:
        self.lock = threading.Lock()
        self.faults: dict[str, deque[str]] = defaultdict(deque)
        self.requests: list[tuple[str, str]] = []
        self.delay = 0.0
        self.slow_seconds = 2.0
        outer = self

        class Handler(_Handler):
            standin = outer

        self.serve(Handler, port)

    def fail_next(self, kind: str, times: int = 1, *, route: str) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        with self.lock:
            self.faults[route].extend([kind] * times)

    def route(self, method: str, path: str) -> str:
        return path

    def routes(self, route: str, query: dict[str, str], body: bytes) -> tuple[str, ...]:
        """The routes a request's faults are looked up under, the most particular first."""
        return (route,)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def refusal(self, fault: str) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
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
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        standin = self.standin
        routes = standin.routes(standin.route(method, parts.path), query, body)
        with standin.lock:
            standin.requests.append((method, routes[0]))
            waiting = next((standin.faults[r] for r in routes if standin.faults[r]), None)
            fault = waiting.popleft() if waiting else None
        if standin.delay:
            time.sleep(standin.delay)
        if fault == "stall":
            time.sleep(standin.slow_seconds)
        if fault in ("stall", "drop-before"):
            self._drop()
            return
        if fault and fault not in ("slow", "drop-after"):
            self._reply(*standin.refusal(fault))
            return
        answer = standin.answer(method, parts.path, query, self.headers, body)
        if fault == "slow":
            time.sleep(standin.slow_seconds)
        if fault == "drop-after":
            self._drop()
            return
        self._reply(*answer)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)


def _jwt(did: str, kind: str, seconds: int) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"scope": kind, "sub": did, "iat": now, "exp": now + seconds, "jti": str(now)}
    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


def _cid(data: bytes) -> str:
    return "bafkrei" + base64.b32encode(hashlib.sha256(data).digest()).decode().lower()[:52]


class BlueskyStandIn(StandIn):
    """XRPC: session (create, refresh), uploadBlob, create/get/deleteRecord, resolveHandle.

    A record's rkey can be created once; `posts` are the live posts by rkey, `created` every
    post ever created (never emptied), `blobs` the uploaded bytes by cid. A gate (threadgate,
    postgate) is refused unless it has its post's rkey, points at that post and carries only the
    rules its lexicon defines, so a malformed gate cannot pass a test. Deleting a record that is
    not there does nothing, as on a real PDS. A request for a record is logged, and can be made
    to fail, as `<nsid>:<collection>`.
    """

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.blobs: dict[str, bytes] = {}
        self.logins = 0
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.access_seconds = 3600

    @property
    def posts(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {k: v for (c, k), v in self.records.items() if c == POST}

    def gate(self, rkey: str) -> dict[str, Any] | None:
        """The threadgate (who may reply) of the post with this rkey."""
        with self.lock:
            return self.records.get((THREADGATE, rkey))

    def postgate(self, rkey: str) -> dict[str, Any] | None:
        """The postgate (who may quote) of the post with this rkey."""
        with self.lock:
            return self.records.get((POSTGATE, rkey))

    def forget_sessions(self) -> None:
        """Every session ends, as when the account signs out everywhere or the PDS restarts."""
        with self.lock:
            self.access.clear()
            self.refresh.clear()

    def route(self, method: str, path: str) -> str:
        return path.removeprefix("/xrpc/")

    def routes(self, route: str, query: dict[str, str], body: bytes) -> tuple[str, ...]:
        collection = query.get("collection")
        if route in ("com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord"):
            try:
                collection = json.loads(body).get("collection")
            except ValueError:
                collection = None
        return (f"{route}:{collection}", route) if collection else (route,)

    def refusal(self, fault: str) -> tuple[int, Any, dict[str, str]]:
        if fault == "429":
            reset = str(int(time.time()) + 60)
            headers = {
                "ratelimit-limit": "100",
                "ratelimit-remaining": "0",
                "ratelimit-reset": reset,
            }
            return 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers
        if fault == "401":
            return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
        return int(fault), {"error": "InternalServerError", "message": "Oops"}, {}

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        nsid = self.route(method, path)
        if nsid == "com.atproto.server.createSession":
            data = json.loads(body)
            if (data.get("identifier"), data.get("password")) != (BSKY_HANDLE, BSKY_PASSWORD):
                return 401, {"error": "AuthenticationRequired", "message": "Invalid password"}, {}
            return 200, self._session(), {}
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.refreshSession":
            with self.lock:
                good = token in self.refresh
                self.refresh.discard(token)
            if not good:
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
            return 200, self._session(), {}
        with self.lock:
            known = token in self.access
        if not known:
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Authentication Required"},
                {},
            )
        if nsid == "com.atproto.identity.resolveHandle":
            if query.get("handle") == PARTNER_HANDLE:
                return 200, {"did": PARTNER_DID}, {}
            return 400, {"error": "InvalidRequest", "message": "Unable to resolve handle"}, {}
        if nsid == "com.atproto.repo.uploadBlob":
            if len(body) > 1_000_000:
                return 400, {"error": "BlobTooLarge", "message": "This file is too large"}, {}
            cid = _cid(body)
            with self.lock:
                self.blobs[cid] = body
            mime = headers.get("Content-Type", "")
            blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(body)}
            return 200, {"blob": blob}, {}
        if nsid == "com.atproto.repo.getRecord":
            with self.lock:
                value = self.records.get((query["collection"], query["rkey"]))
            if value is None:
                return 400, {"error": "RecordNotFound", "message": "Could not locate record"}, {}
            uri = f"at://{BSKY_DID}/{query['collection']}/{query['rkey']}"
            return 200, {"uri": uri, "cid": _cid(json.dumps(value).encode()), "value": value}, {}
        if nsid == "com.atproto.repo.createRecord":
            return self._create(json.loads(body))
        if nsid == "com.atproto.repo.deleteRecord":
            data = json.loads(body)
            with self.lock:
                self.records.pop((data["collection"], data["rkey"]), None)
            return 200, {}, {}
        return 400, {"error": "MethodNotImplemented", "message": nsid}, {}

    def _session(self) -> dict[str, Any]:
        access = _jwt(BSKY_DID, "com.atproto.appPass", self.access_seconds)
        refresh = _jwt(BSKY_DID, "com.atproto.refresh", 86_400)
        with self.lock:
            self.logins += 1
            self.access.add(access)
            self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": BSKY_HANDLE, "did": BSKY_DID}

    def _create(self, data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        collection, rkey, record = data["collection"], data.get("rkey"), data["record"]
        if data.get("repo") != BSKY_DID or not rkey:
            return 400, {"error": "InvalidRequest", "message": "bad repo or rkey"}, {}
        images = (record.get("embed") or {}).get("images", [])
        with self.lock:
            if (collection, rkey) in self.records:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}
            if any(image["image"]["ref"]["$link"] not in self.blobs for image in images):
                return 400, {"error": "InvalidRequest", "message": "Could not find blob"}, {}
            orphan = (POST, rkey) not in self.records
            if collection in (THREADGATE, POSTGATE) and orphan:
                return 400, {"error": "InvalidRequest", "message": "no such post"}, {}
            wrong = _gate_problem(collection, rkey, record)
            if wrong:
                message = f"Invalid {collection} record: {wrong}"
                return 400, {"error": "InvalidRequest", "message": message}, {}
            self.records[(collection, rkey)] = record
            if collection == POST:
                self.created.append((rkey, record))
        uri = f"at://{BSKY_DID}/{collection}/{rkey}"
        return 200, {"uri": uri, "cid": _cid(json.dumps(record).encode())}, {}


def _gate_problem(collection: str, rkey: str, record: dict[str, Any]) -> str | None:
    """What is wrong with a threadgate or postgate record, by its lexicon; None when right."""
    if collection not in (THREADGATE, POSTGATE):
        return None
    if record.get("$type") != collection:
        return f"$type must be {collection}"
    if record.get("post") != f"at://{BSKY_DID}/{POST}/{rkey}":
        return "post must be the at-uri of the post with the same rkey"
    if not isinstance(record.get("createdAt"), str):
        return "createdAt must be a datetime"
    field = "allow" if collection == THREADGATE else "embeddingRules"
    rules = record.get(field, [])
    if not isinstance(rules, list) or len(rules) > 5:
        return f"{field} must be a list of at most five rules"
    kinds = [str(rule.get("$type", "")) if isinstance(rule, dict) else "" for rule in rules]
    if collection == THREADGATE:
        known = all(kind.startswith(f"{THREADGATE}#") for kind in kinds)
    else:
        known = all(kind == DISABLE_RULE for kind in kinds)
    return None if known else f"{field} holds a rule its lexicon does not define"


class MastodonStandIn(StandIn):
    """Instance (v1 and v2), verify_credentials, media (v2, then v1 look-up), statuses with
    Idempotency-Key, and delete. `statuses` are the live ones by id; `created` every status
    ever made."""

    def __init__(self, port: int = 0, max_characters: int = 500) -> None:
        super().__init__(port)
        self.statuses: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}
        self.max_characters = max_characters
        self._ids = itertools.count(113_000_000_000_000_001)

    def route(self, method: str, path: str) -> str:
        path = path.rstrip("/")  # Mastodon, like Rails, takes a trailing slash or none
        for prefix in ("/api/v1/statuses/", "/api/v1/media/"):
            if path.startswith(prefix):
                return f"{method} {prefix}:id"
        return f"{method} {path}"

    def refusal(self, fault: str) -> tuple[int, Any, dict[str, str]]:
        if fault == "429":
            reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 60))
            headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0"}
            headers["X-RateLimit-Reset"] = reset
            return 429, {"error": "Too many requests"}, headers
        if fault == "401":
            return 401, {"error": "The access token is invalid"}, {}
        return int(fault), {"error": "We're sorry, but something went wrong on our end."}, {}

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        route = self.route(method, path)
        path = path.rstrip("/")
        if route == "GET /api/v1/instance":
            about = {"uri": "127.0.0.1", "title": "Stand-in", "version": "4.3.0"}
            return 200, {**about, "api_versions": {"mastodon": 2}}, {}
        if route == "GET /api/v2/instance":
            configuration = {
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {"image_size_limit": 16_777_216},
                "polls": {"max_options": 4, "max_characters_per_option": 50},
            }
            body_v2 = {
                "domain": "127.0.0.1",
                "version": "4.3.0",
                "api_versions": {"mastodon": 2},
                "configuration": configuration,
            }
            return 200, body_v2, {}
        if headers.get("Authorization") != f"Bearer {MASTODON_TOKEN}":
            return 401, {"error": "The access token is invalid"}, {}
        if route == "GET /api/v1/accounts/verify_credentials":
            return 200, {"id": "1", "username": "westwood", "acct": "westwood"}, {}
        if route == "POST /api/v2/media":
            return self._media(headers, body)
        if route == "GET /api/v1/media/:id":
            found = self.media.get(path.rsplit("/", 1)[1])
            return (200, found, {}) if found else (404, {"error": "Record not found"}, {})
        if route == "POST /api/v1/statuses":
            return self._status(headers, body)
        if route == "DELETE /api/v1/statuses/:id":
            with self.lock:
                gone = self.statuses.pop(path.rsplit("/", 1)[1], None)
            return (200, gone, {}) if gone else (404, {"error": "Record not found"}, {})
        return 404, {"error": "Not found"}, {}

    def _media(self, headers: Any, body: bytes) -> tuple[int, Any, dict[str, str]]:
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode() + body
        )
        fields = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()
        }
        if not fields.get("file"):
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        media_id = str(next(self._ids))
        description = (fields.get("description") or b"").decode()
        found = {
            "id": media_id,
            "type": "image",
            "url": f"{self.base_url}/media/{media_id}.jpg",
            "preview_url": f"{self.base_url}/media/{media_id}-small.jpg",
            "description": description,
        }
        with self.lock:
            self.media[media_id] = found
        return 200, found, {}

    def _status(self, headers: Any, body: bytes) -> tuple[int, Any, dict[str, str]]:
        data = json.loads(body) if body.startswith(b"{") else _form(body)
        key = headers.get("Idempotency-Key")
        text = data.get("status", "")
        media_ids = data.get("media_ids") or []
        with self.lock:
            if key and key in self.by_key:
                return 200, self.statuses.get(self.by_key[key]) or self.created[-1], {}
            if len(text) > self.max_characters:
                return 422, {"error": "Validation failed: Text character limit exceeded"}, {}
            if any(m not in self.media for m in media_ids):
                return 422, {"error": "Validation failed: media not found"}, {}
            status_id = str(next(self._ids))
            status = {
                "id": status_id,
                "uri": f"{self.base_url}/users/westwood/statuses/{status_id}",
                "url": f"{self.base_url}/@westwood/{status_id}",
                "content": f"<p>{text}</p>",
                "text": text,
                "visibility": data.get("visibility"),
                "language": data.get("language"),
                "media_attachments": [self.media[m] for m in media_ids],
                "poll": data.get("poll"),
                "idempotency_key": key,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            }
            self.statuses[status_id] = status
            self.created.append(status)
            if key:
                self.by_key[key] = status_id
        return 200, status, {}


def _form(body: bytes) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, values in parse_qs(body.decode()).items():
        data[name.removesuffix("[]")] = values if name.endswith("[]") else values[0]
    return data
