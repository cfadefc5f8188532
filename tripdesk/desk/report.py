"""The trip report for the safeguarding lead: what went out, who was in it, on what consent.

Everything comes from the record tripdesk already keeps (the audit log, the pool catalogue, the
outbox, the register), read and never changed. Photos appear as small copies of the prepared
upload, pixels only, so the report carries no GPS or camera metadata; pupils appear by first
name, surname initial, class and id. The HTML is one file with no scripts and nothing to fetch.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from tripdesk import audit
from tripdesk.config import NETWORK_NAMES, Config
from tripdesk.consent.register import Register
from tripdesk.desk.register import trip_register
from tripdesk.desk.report_html import render_html
from tripdesk.draft import DraftPhoto
from tripdesk.errors import TripdeskError
from tripdesk.media.faces import face_report
from tripdesk.media.prepare import prepare
from tripdesk.pool import catalogue
from tripdesk.publish import costs
from tripdesk.publish.outbox import Outbox, OutboxPost

Format = Literal["html", "csv"]
THUMBNAIL_SIDE = 240
THUMBNAIL_QUALITY = 80
CSV_COLUMNS = (
    "post",
    "network",
    "link",
    "time",
    "photo_sha256",
    "pupil_id",
    "first_name",
    "consent_at_send",
    "approved_by",
)
_EVERYTHING = 10**9  # read the whole audit log: a trip's is a few thousand rows


@dataclass(frozen=True)
class PupilShown:
    id: str
    first_name: str
    initial: str
    klass: str
    consent_at_send: str

    @property
    def label(self) -> str:
        initial = f" {self.initial}." if self.initial else ""
        klass = f" ({self.klass})" if self.klass else ""
        return f"{self.first_name}{initial}{klass}" if self.first_name else self.id


@dataclass(frozen=True)
class PhotoSent:
    position: int
    sha256: str
    alt: str
    no_children: bool
    pupils: tuple[PupilShown, ...]
    faces_found: int | None
    faces_blurred: int | None
    faces_before_blurring: int | None
    jpeg: bytes | None
    missing: str | None = None

    @property
    def data_uri(self) -> str | None:
        if self.jpeg is None:
            return None
        return "data:image/jpeg;base64," + base64.b64encode(self.jpeg).decode("ascii")


@dataclass(frozen=True)
class Network:
    name: str
    state: str
    url: str | None
    sent_at: datetime | None
    removal: str | None


@dataclass(frozen=True)
class PostSent:
    id: int
    sent_at: datetime | None
    networks: tuple[Network, ...]
    text: str
    photos: tuple[PhotoSent, ...]
    confirmed: tuple[str, ...]
    approved_by: str | None
    hold_until: datetime | None
    takedown: str | None
    takedown_reason: str | None

    @property
    def dry_run(self) -> bool:
        return all(network.name == "dry-run" for network in self.networks)


@dataclass(frozen=True)
class Deletion:
    at: datetime
    photo: int
    sha256: str
    size: int
    pool_file: str


@dataclass(frozen=True)
class RegisterImport:
    at: datetime
    file: str
    sha256: str
    count: int
    on_roster: int
    lost: tuple[str, ...]
    gained: tuple[str, ...]
    added: int
    removed: int
    withdrawn_by_hand: bool = False


@dataclass(frozen=True)
class Summary:
    posts_sent: int
    posts_dry_run: int
    photos_pooled: int
    originals_deleted: int
    originals_found_gone: int
    quarantined: int
    blocked_when_checked: int
    held_back_at_sending: int
    confirmations: int
    overrides: int
    takedowns_asked: int
    takedowns_done: int
    spent: float
    pool_folder: str
    pool_since: datetime | None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["pool_since"] = self.pool_since.isoformat() if self.pool_since else None
        return data


@dataclass(frozen=True)
class TripReport:
    trip: str
    hashtag: str
    teacher: str
    made_at: datetime
    approval: str
    summary: Summary
    posts: tuple[PostSent, ...]
    deletions: tuple[Deletion, ...]
    imports: tuple[RegisterImport, ...]
    names: dict[str, str] = field(default_factory=dict)

    def named(self, pupil_id: str) -> str:
        """A pupil as the report shows them: first name, initial, class and id."""
        label = self.names.get(pupil_id)
        return f"{label}, {pupil_id}" if label else pupil_id


def build_report(
    conn: sqlite3.Connection, config: Config, *, now: datetime | None = None
) -> TripReport:
    """Gather the report from what tripdesk recorded; nothing is changed."""
    now = now or datetime.now(UTC)
    register = trip_register(conn, config)
    events = list(audit.events(conn, limit=_EVERYTHING, newest_first=False))
    kinds = Counter(event.kind for event in events)
    blurred = {
        event.facts.get("sha256"): event.facts for event in events if event.kind == "media.blurred"
    }
    outbox = Outbox(conn, config)
    published = sorted(
        (post for post in outbox.posts() if post.sent_at is not None), key=lambda p: p.id
    )
    posts = tuple(_post(conn, config, post, register, blurred) for post in published)
    pool_photos = [p for p in catalogue.list_photos(conn) if p.derived_from is None]
    names = {pupil.id: _shown(pupil.id, register, "").label for pupil in register.pupils}
    summary = Summary(
        posts_sent=sum(1 for post in posts if not post.dry_run),
        posts_dry_run=sum(1 for post in posts if post.dry_run),
        photos_pooled=kinds["pool.pooled"],
        originals_deleted=kinds["pool.source_deleted"],
        originals_found_gone=kinds["pool.source_gone"],
        quarantined=kinds["pool.damaged"],
        blocked_when_checked=sum(
            1
            for event in events
            if event.kind == "guard.checked" and event.facts.get("verdict") == "blocked"
        ),
        held_back_at_sending=kinds["publish.blocked"],
        confirmations=kinds["draft.confirmed"] + kinds["compose.confirmed"],
        overrides=kinds["publish.retried"] + kinds["publish.marked_sent"],
        takedowns_asked=sum(1 for post in posts if post.takedown is not None),
        takedowns_done=sum(1 for post in posts if post.takedown == "removed"),
        spent=costs.spent(conn),
        pool_folder=str(config.trip.pool),
        pool_since=min((p.pooled_at for p in pool_photos), default=None),
    )
    return TripReport(
        trip=config.trip.name,
        hashtag=config.trip.hashtag,
        teacher=config.trip.teacher,
        made_at=now,
        approval=config.approval.required,
        summary=summary,
        posts=posts,
        deletions=tuple(_deletions(conn, events)),
        imports=tuple(_imports(events)),
        names=names,
    )


def _post(
    conn: sqlite3.Connection,
    config: Config,
    post: OutboxPost,
    register: Register,
    blurred: dict[Any, dict[str, Any]],
) -> PostSent:
    consent = post.consent_at_send or {}
    photos = tuple(
        _photo(conn, config, number, photo, register, consent, blurred)
        for number, photo in enumerate(post.draft.photos, start=1)
    )
    networks = tuple(
        Network(
            name=d.network,
            state=d.state,
            url=d.url,
            sent_at=d.sent_at,
            removal=d.receipt or (f"removal {d.removal}" if d.removal else None),
        )
        for d in post.deliveries
    ) or (Network(post.backend or "?", post.state, post.url, post.sent_at, None),)
    return PostSent(
        id=post.id,
        sent_at=post.sent_at,
        networks=networks,
        text=post.draft.text,
        photos=photos,
        confirmed=tuple(f.message for f in post.findings if f.severity == "confirm"),
        approved_by=post.approved_by,
        hold_until=post.hold_until,
        takedown=post.takedown,
        takedown_reason=post.takedown_reason,
    )


def _photo(
    conn: sqlite3.Connection,
    config: Config,
    number: int,
    photo: DraftPhoto,
    register: Register,
    consent: dict[str, dict[str, Any]],
    blurred: dict[Any, dict[str, Any]],
) -> PhotoSent:
    jpeg, missing, sha256 = _small_copy(config, photo)
    threshold = config.faces.threshold
    found = face_report(conn, Path(photo.path), sha256, threshold=threshold, detect_missing=False)
    blur = blurred.get(sha256)
    before = None
    if blur is not None:
        original = face_report(
            conn,
            Path(photo.path),
            str(blur.get("source_sha256")),
            threshold=threshold,
            detect_missing=False,
        )
        before = original.count if original else None
    return PhotoSent(
        position=number,
        sha256=sha256,
        alt=photo.alt,
        no_children=photo.no_children,
        pupils=tuple(
            _shown(pupil_id, register, _consent_words(consent.get(pupil_id)))
            for pupil_id in photo.pupils
        ),
        faces_found=found.count if found else None,
        faces_blurred=int(blur["boxes"]) if blur and "boxes" in blur else None,
        faces_before_blurring=before,
        jpeg=jpeg,
        missing=missing,
    )


def _small_copy(config: Config, photo: DraftPhoto) -> tuple[bytes | None, str | None, str]:
    """A small JPEG of the prepared upload (pixels only), or why there is none.

    The prepared file is made again from the pool copy when the cache has lost it; the same
    pool bytes always give the same upload.
    """
    sha256 = photo.sha256 or ""
    try:
        prepared = prepare(Path(photo.path), cache_dir=config.cache("prepared"))
    except TripdeskError:
        return None, "The photo is no longer in the pool.", sha256
    if sha256 and prepared.source_sha256 != sha256:
        return None, "The pool copy has changed since this was sent.", sha256
    small = _small_jpeg(prepared.path)
    return small, None if small else "The prepared copy cannot be read.", prepared.source_sha256


def _small_jpeg(prepared: Path) -> bytes | None:
    """The prepared upload shrunk and written afresh: Pillow keeps no metadata it is not given."""
    try:
        with Image.open(prepared) as image:
            image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
            small = image.convert("RGB")
    except OSError:
        return None
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()


def _shown(pupil_id: str, register: Register, consent: str) -> PupilShown:
    pupil = register.get(pupil_id)
    if pupil is None:
        return PupilShown(pupil_id, "", "", "", consent)
    return PupilShown(
        id=pupil_id,
        first_name=pupil.display_name,
        initial=pupil.surname[:1],
        klass=pupil.klass,
        consent_at_send=consent,
    )


def _consent_words(recorded: dict[str, Any] | None) -> str:
    """The consent recorded when the post went out: `consent until 2029-07-31 (checked …)`."""
    if not recorded:
        return "not recorded"
    words = str(recorded.get("status") or "not recorded")
    if recorded.get("withdrawn"):
        words += f", withdrawn {recorded['withdrawn']}"
    elif recorded.get("expires"):
        words += f" until {recorded['expires']}"
    if recorded.get("checked_on"):
        words += f" (checked {recorded['checked_on']})"
    return words


def _deletions(conn: sqlite3.Connection, events: list[audit.Event]) -> list[Deletion]:
    deletions = []
    for event in events:
        if event.kind != "pool.source_deleted":
            continue
        photo = catalogue.photo_by_id(conn, int(event.facts.get("photo", 0)))
        deletions.append(
            Deletion(
                at=event.at,
                photo=int(event.facts.get("photo", 0)),
                sha256=str(event.facts.get("sha256", "")),
                size=int(event.facts.get("size", 0)),
                pool_file=Path(photo.pool_path).name if photo else "",
            )
        )
    return deletions


def _imports(events: list[audit.Event]) -> list[RegisterImport]:
    imports = []
    for event in events:
        facts = event.facts
        if event.kind == "consent.imported":
            imports.append(
                RegisterImport(
                    at=event.at,
                    file=str(facts.get("file", "")),
                    sha256=str(facts.get("sha256", "")),
                    count=int(facts.get("count", 0)),
                    on_roster=int(facts.get("on_roster", 0)),
                    lost=tuple(facts.get("lost_consent", ())),
                    gained=tuple(facts.get("gained_consent", ())),
                    added=len(facts.get("added", ())),
                    removed=len(facts.get("removed", ())),
                )
            )
        elif event.kind == "consent.withdrawn":
            imports.append(
                RegisterImport(
                    at=event.at,
                    file="",
                    sha256="",
                    count=0,
                    on_roster=0,
                    lost=(str(facts.get("pupil", "")),),
                    gained=(),
                    added=0,
                    removed=0,
                    withdrawn_by_hand=True,
                )
            )
    return imports


def render_csv(report: TripReport) -> str:
    """One row per pupil per photo per network: for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for post in report.posts:
        for network in post.networks:
            for photo in post.photos:
                for pupil in photo.pupils:
                    writer.writerow(
                        _cell(value)
                        for value in (
                            post.id,
                            NETWORK_NAMES.get(network.name, network.name),
                            network.url or "",
                            _iso(network.sent_at or post.sent_at),
                            photo.sha256,
                            pupil.id,
                            pupil.first_name,
                            pupil.consent_at_send,
                            post.approved_by or "",
                        )
                    )
    return buffer.getvalue()


def _cell(value: object) -> str:
    """A spreadsheet must never read a cell as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(moment: datetime | None) -> str:
    return moment.astimezone().isoformat(timespec="seconds") if moment else ""


def default_path(config: Config, fmt: Format, now: datetime) -> Path:
    return config.home / "reports" / f"trip-report-{now.astimezone():%Y%m%d-%H%M%S}.{fmt}"


def write_report(
    conn: sqlite3.Connection,
    config: Config,
    fmt: Format = "html",
    out: Path | None = None,
    *,
    now: datetime | None = None,
) -> tuple[Path, TripReport]:
    """Write the report (by default into TRIPDESK_HOME/reports/), readable by its owner only."""
    report = build_report(conn, config, now=now)
    path = out or default_path(config, fmt, report.made_at)
    text = render_html(report) if fmt == "html" else render_csv(report)
    _write_private(path, text.encode("utf-8"))
    audit.record(conn, "report.written", format=fmt, posts=len(report.posts))
    return path, report


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, owner-only from the first byte: the report lists children."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as error:
        raise TripdeskError(f"Cannot write the report to {path}: {error.strerror}.") from None
